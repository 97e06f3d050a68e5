"""How a serving process holds its memory: the C allocator's settings, the long-lived heap kept out of the
collector's way, and replaced worlds freed as soon as they are replaced.

Measured with `bench/soak.py` (docs/performance.md, "Soak"): under load with a scenario reload every 5 s,
RSS climbed from 108 to 223 MB in 60 s (and levelled off near 270 MB) while the live heap stayed near
20 MB and no world outlived its replacement. The rest was memory glibc's malloc kept after it was freed:

- glibc raises its mmap threshold each time a block it had mmapped is freed (up to 32 MiB). After the first
  tantivy index build freed its buffers (megabytes each), later blocks of that size came from the heap
  arenas instead of mmap, and freed there they stayed, as holes, in whichever arena held them. A fixed
  threshold (`MMAP_THRESHOLD`, glibc's own initial value) turns that adaptation off: a block of 128 KiB
  or more is mmapped and given back to the system when it is freed.
- glibc gives each thread that allocates its own arena, up to 8 per core. Reloads, index builds and
  tantivy's writer threads each left their freed memory in an arena of their own. `ARENA_MAX` arenas (the
  event loop's, and one shared by every other thread) let one build reuse what the previous one freed.

Both are set with `mallopt` by `tune_allocator()` when `mockserver serve` starts, before the world is built
(glibc only; elsewhere nothing is done). `MALLOC_MMAP_THRESHOLD_` or `MALLOC_ARENA_MAX` in the environment
win over these values (glibc reads them at start-up; the setting named there is then left alone).

The world and the specs live as long as the process: `settle()` freezes them out of the collector's
generations (`gc.freeze`) so that full collections stay short on the request path. A world that a reload
replaces must not stay frozen: a large world's build freezes the whole heap, the world it replaces
included, and a frozen cycle is never collected (each replaced 10,000-course world stayed for good).
`collect_replaced()`, called after every swap, collects the replaced world at once, unfreezing the heap for
that collection, and again shortly after if requests in flight still held it.
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
import weakref

MMAP_THRESHOLD = 128 * 1024
"""Bytes from which glibc's malloc maps a block of its own (returned to the system on free)."""
ARENA_MAX = 2
"""glibc malloc arenas: the event loop's and one shared by every other thread."""
RETRY_SECONDS = (1.0, 2.0, 4.0, 8.0)
"""When a replaced world outlives its collection (requests in flight hold it), collect again after these."""

_MALLOPT = {"MALLOC_MMAP_THRESHOLD_": (-3, MMAP_THRESHOLD), "MALLOC_ARENA_MAX": (-8, ARENA_MAX)}  # M_MMAP_THRESHOLD, M_ARENA_MAX
_tuned: dict[str, int] = {}
_worlds: weakref.WeakSet = weakref.WeakSet()
_lock = threading.Lock()


def tune_allocator() -> dict[str, int]:
    """Fix glibc malloc's mmap threshold and arena count for this process; what was set, by variable name.

    Call it before the world is built. Nothing is done where the C library is not glibc, and a value the
    environment gives is left to glibc.
    """
    if not _is_glibc():
        return {}
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    for name, (param, value) in _MALLOPT.items():
        if name not in os.environ and mallopt(param, value) == 1:
            _tuned[name] = value
    return dict(_tuned)


def release_free_memory() -> None:
    """Hand the pages glibc's malloc holds free back to the system (`malloc_trim`; elsewhere nothing). Building
    a large world or its search index frees hundreds of megabytes that would otherwise stay mapped: the index
    build calls this after the world is built and after each batch it writes (`mockserver.search.index`)."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def _is_glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
    except (AttributeError, ValueError, OSError):
        return False


_malloc_trim = ctypes.CDLL(None).malloc_trim if _is_glibc() else None


def settle() -> None:
    """The app is built and about to serve: freeze what exists now (world, specs, modules) out of the collector."""
    with _lock:
        gc.collect()
        gc.freeze()


def collect_replaced(world: weakref.ref) -> None:
    """A swap replaced the world `world` refers to (weakly: the caller holds it no more): free it now (it is
    a graph with cycles), off the event loop.

    When anything is frozen (`settle`, a large world's build), the replaced world may be among it: the heap
    is unfrozen for one full collection and frozen again, the world now serving with it (so the next swap
    does the same). That collection costs about 50 ms on the default world and 0.2 s at 10,000 courses,
    in the reload's thread. Requests that started before the swap still hold the world; if it outlives the
    collection, it is collected again once they have had time to finish (`RETRY_SECONDS`, doubling).
    """
    _collect_unless_freed(world, 0)


def _collect_unless_freed(ref: weakref.ref, attempt: int) -> None:
    if ref() is None:
        return
    with _lock:
        if gc.get_freeze_count():
            gc.unfreeze()
            gc.collect()
            gc.freeze()
        else:
            gc.collect()
    if ref() is not None and attempt < len(RETRY_SECONDS):
        retry = threading.Timer(RETRY_SECONDS[attempt], _collect_unless_freed, (ref, attempt + 1))
        retry.daemon = True
        retry.start()


def track(world) -> None:
    """Count `world` among the worlds this process holds while it is alive (`stats`)."""
    _worlds.add(world)


def stats() -> dict:
    """What `/__admin/health` shows: the worlds alive in this process, and the allocator settings made."""
    return {"worlds": len(_worlds), "allocator": dict(_tuned)}
