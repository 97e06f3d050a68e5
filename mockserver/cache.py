"""A response cache for the deterministic world: the same request on the same snapshot gets the same bytes.

Every GET of the world is a pure function of (snapshot, URL, Accept) and of what a handler names with
`vary` (the catalog's bodies carry the caller): the world is immutable and a reload installs a new
snapshot. So a handler wrapped with `@cached` renders once per distinct request and then serves bytes,
keeping shaping and serialisation off the hot path. Behaviours (latency, faults) run outside
the handler and are never cached.

A hit costs a dict lookup: the key is read straight off the ASGI scope (building `request.url` costs more
than the rest of the hit), and the stored response is replayed with the very header list it was first sent
with, so nothing is encoded twice.

The cache is bounded in bytes, not only in entries: distinct URLs are free to ask for (`?limit=99999999&x=N`
renders a 2 MB page each), so a body over `entry_max_bytes` is rendered each time instead of kept, and the
least recently used entries go once the total passes `max_bytes` (`--cache-bytes`, limits.py). The bytes
counted are the bytes held: every object of the key and the entry at its `sys.getsizeof` (a 2 MB search
string in a key counts as 2 MB), the LRU's own slot, and bodies kept at their exact length (orjson's bytes
keep the buffer they were written in: a 1.2 KB body held 8 KB).

A reload replaces the snapshot and clears the cache at once (`Runtime.swap`); an answer of the replaced
snapshot that finishes after that is not kept (`current`), so nothing of a replaced world stays here.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import threading
from collections import OrderedDict

from starlette.responses import Response

from mockserver import limits

MAX_ENTRIES = 4096
_SLOT = 200  # an entry's place in the LRU: its dict slot, its order link, the (entry, weight) pair


def weight(value) -> int:
    """Bytes held by a key or an entry: each object at its `sys.getsizeof`, with what tuples, lists and
    dataclass instances (the search key's query) refer to. Shared objects (None, small ints) count too."""
    size = sys.getsizeof(value)
    if isinstance(value, (tuple, list)):
        return size + sum(weight(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        held = getattr(value, "__dict__", None)
        return (size + (sys.getsizeof(held) if held is not None else 0)
                + sum(weight(getattr(value, f.name)) for f in dataclasses.fields(value)))
    return size


def exact(value):
    """`value` with its bytes (at the top or in a tuple) copied to their exact size when they hold more."""
    if type(value) is bytes:
        return bytes(memoryview(value)) if value else value
    if type(value) is tuple:
        return tuple(exact(item) for item in value)
    return value


def current(request) -> bool:
    """Whether the snapshot `request` started with still serves: an answer of a replaced one is not kept."""
    return request.scope["mockserver.snapshot"] is request.scope["mockserver"].snapshot


class ResponseCache:
    """An LRU of rendered responses, keyed per snapshot, bounded in entries and in bytes."""

    def __init__(self, size: int = MAX_ENTRIES, *, max_bytes: int = limits.CACHE_MAX_BYTES,
                 entry_max_bytes: int = limits.CACHE_ENTRY_MAX_BYTES):
        self.size = size
        self.max_bytes = max_bytes
        self.entry_max_bytes = min(entry_max_bytes, max_bytes)
        self.bytes = 0
        self.skipped = 0  # responses too large to keep
        self._entries: OrderedDict = OrderedDict()  # key -> (entry, weight)
        self._lock = threading.Lock()  # put runs on the event loop, clear in a reload's worker thread

    def get(self, key):
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        return found[0]

    def put(self, key, entry) -> None:
        cost = _SLOT + weight(key) + weight(entry)
        if cost > self.entry_max_bytes:
            self.skipped += 1
            return
        entry = exact(entry)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (entry, cost)
            self.bytes += cost
            while self._entries and (len(self._entries) > self.size or self.bytes > self.max_bytes):
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def stats(self) -> dict:
        """What `/__admin/health` shows: entries, bytes held, the budget, responses skipped as too large."""
        return {"entries": len(self._entries), "bytes": self.bytes, "max_bytes": self.max_bytes,
                "entry_max_bytes": self.entry_max_bytes, "skipped_too_large": self.skipped}


def request_key(request) -> tuple:
    """What a world response can depend on besides the handler: snapshot, URL (links are absolute), Accept."""
    scope = request.scope
    snapshot = scope["mockserver.snapshot"]
    host = accept = None
    for name, value in scope["headers"]:
        if name == b"host":
            host = host if host is not None else value
        elif name == b"accept":
            accept = accept if accept is not None else value
    if host is None:  # HTTP/1.0 without Host: the links are built from the server address
        host = request.url.netloc
    # A session's path prefix (sessions.py) is part of every link the response carries.
    return (id(snapshot), snapshot.generation, scope.get("scheme"), host, scope.get("root_path", ""),
            scope.get("mockserver.prefix"), scope["path"], scope.get("query_string", b""), accept or b"")


class CachedResponse(Response):
    """A stored response sent again: the status, body and header list exactly as they were first sent."""

    def __init__(self, status_code: int, body: bytes, raw_headers: list, media_type: str | None):
        self.status_code = status_code
        self.body = body
        self.raw_headers = list(raw_headers)  # a copy: a caller may add headers to its response
        self.media_type = media_type
        self.background = None


def cached(handler=None, *, vary=None):
    """Cache a GET handler's successful responses for the life of the snapshot.

    `@cached(vary=fn)` is for a body that also depends on something besides the URL and `Accept` (the
    caller, say): `fn(request)` joins the key.
    """
    if handler is None:
        return functools.partial(cached, vary=vary)
    key_of = request_key if vary is None else (lambda request: (request_key(request), vary(request)))

    @functools.wraps(handler)
    async def wrapper(request):
        cache: ResponseCache = request.scope["mockserver"].cache
        key = key_of(request)
        hit = cache.get(key)
        if hit is not None:
            return CachedResponse(*hit)
        response = await handler(request)
        if response.status_code == 200 and current(request):
            cache.put(key, (response.status_code, response.body, list(response.raw_headers), response.media_type))
        return response

    return wrapper
