"""The scenarios of one running app: what is loaded, loading more, reloading, resetting, watching files.

`install(runtime, settings)` is the hook `create_app` calls: it loads `--scenario` files (refusing to start
when any is wrong), attaches a `ScenarioManager` as `runtime.scenarios`, and with `--watch` starts a
watcher thread. Every change builds a complete new snapshot off the request path (admin calls run the
build in a worker thread) and installs it with `runtime.swap`, one reference assignment: a request in
flight keeps the snapshot it started with, so a reload never fails a request. A change that fails leaves
the previous snapshot serving; the reason is kept (`last_error`, shown by `/__admin/scenarios`) and logged.

Files are read (bounded, regular files only: `limits.read_file`) and parsed before the manager's lock is
taken, so a slow or endless source can never hold up a reset or a clear. Paths from the admin API must be
`.yaml`/`.yml` files inside `Settings.admin_scenario_dirs` (`PathRefused` otherwise).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
import weakref
from pathlib import Path

from mockserver import memory
from mockserver.scenarios.loader import Scenario, build_snapshot, read_files, read_scenario
from mockserver.scenarios.problems import Problem, ScenarioError
from mockserver.settings import Settings
from mockserver.state import Runtime, Snapshot

log = logging.getLogger("mockserver.scenarios")

SCENARIO_SUFFIXES = (".yaml", ".yml")


class PathRefused(ValueError):
    """A scenario path outside the allowed directories; the message says nothing about the file itself."""


def allowed_path(path: Path | str, dirs: tuple[Path, ...]) -> Path:
    """`path` resolved (symlinks followed), if it is a `.yaml`/`.yml` path inside one of `dirs`.

    The check is on the resolved path, so a symlink inside a directory that leads outside it does not
    count. Nothing is opened or stat-ed for a refused path: the answer is the same whether it exists or not.
    """
    resolved = Path(path).resolve()
    if resolved.suffix.lower() in SCENARIO_SUFFIXES and any(resolved.is_relative_to(d) for d in dirs):
        return resolved
    shown = ", ".join(str(d) for d in dirs) or "(none)"
    raise PathRefused(f"refused: the admin API loads only .yaml/.yml files inside the scenario directories "
                      f"({shown}; set them with --scenario-dir)")


class ScenarioManager:
    """Loads scenarios into a runtime; thread-safe (admin requests and the file watcher both call it)."""

    def __init__(self, runtime: Runtime, settings: Settings, render=None):
        self.runtime = runtime
        self.settings = settings
        self.render = render  # renders records for their spec check (`records_check`; app.ProbeRenderer)
        self.startup_paths: tuple[Path, ...] = tuple(Path(p) for p in settings.scenarios)
        self.paths: list[Path] = list(self.startup_paths)
        self.posted: list[Scenario] = []
        self.loaded: list[Scenario] = []
        self.last_error: dict | None = None
        self.default_world = runtime.snapshot.world
        self.reloads = 0
        self.allowed_dirs = settings.admin_scenario_dirs  # resolved now: a later chdir changes nothing
        self.startup: tuple[list[Scenario], Snapshot] = ([], runtime.snapshot)
        """The startup scenarios and their snapshot: where a new session starts."""
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self._seen: dict[Path, tuple | None] = {}
        """The files' stamps when they were last read (`_stamps`): what the watcher compares against."""

    # -- building -------------------------------------------------------------------------------------

    def _build(self, scenarios: list[Scenario]) -> Snapshot:
        return build_snapshot(scenarios, self.settings, default_world=self.default_world, render=self.render)

    def _install(self, scenarios: list[Scenario], snapshot: Snapshot, *, publish: bool = True) -> None:
        if publish and self.runtime.share is not None:
            self.runtime.share.publish(scenarios, snapshot)  # the other workers and replicas follow
        replaced = self.runtime.snapshot.world
        # The default and startup worlds stay: a clear and a new session start from them.
        kept = replaced is snapshot.world or replaced is self.default_world or replaced is self.startup[1].world
        gone = None if kept else weakref.ref(replaced)
        del replaced
        self.runtime.swap(snapshot)
        self.loaded = scenarios
        self.last_error = None
        self.reloads += 1
        if gone is not None:
            # A world is a large graph with cycles: left to the collector's schedule, each replaced one stays
            # until a full collection comes (RSS grew 6 MB a reload in the soak), and a frozen one for good.
            memory.collect_replaced(gone)
        log.info("scenarios loaded: %s (generation %d)", ", ".join(s.name for s in scenarios) or "(none)",
                 snapshot.generation)

    def _fail(self, action: str, exc: ScenarioError) -> ScenarioError:
        self.last_error = {"action": action, "at": time.time(), "problems": [p.as_dict() for p in exc.problems]}
        if action != "start":  # at start-up there is no previous world: the caller reports and does not start
            log.error("scenario %s failed; the previous world keeps serving:\n%s", action, exc)
        return exc

    def _apply(self, action: str, paths: list[Path], posted: list[Scenario]) -> list[Scenario]:
        """Read `paths`, add `posted`, build and install; on any problem change nothing and raise."""
        self._seen.update(_stamps(paths))  # before reading: an edit made while reading is seen as a change
        try:
            # Outside the lock: reading is bounded, but a slow disk must not hold up reset or clear.
            scenarios = read_files(paths, self.settings.max_scenario_bytes) + posted
        except ScenarioError as exc:
            with self._lock:
                raise self._fail(action, exc) from None
        with self._lock:
            try:
                snapshot = self._build(scenarios)
            except ScenarioError as exc:
                raise self._fail(action, exc) from None
            except Exception as exc:  # noqa: BLE001 - a bug of ours must not leave the load half-done
                log.exception("scenario %s: unexpected error while building", action)
                problem = Problem(scenarios[-1].file if scenarios else "<scenario>", 1, 1, (),
                                  f"could not build the world: {type(exc).__name__}")
                raise self._fail(action, ScenarioError([problem])) from None
            try:
                self._install(scenarios, snapshot)
            except ScenarioError as exc:  # the shared state refused it (`mockserver.shared_state`)
                raise self._fail(action, exc) from None
            self.paths, self.posted = list(paths), list(posted)
            return scenarios

    # -- public operations ----------------------------------------------------------------------------

    def load_startup(self) -> None:
        """Load the `--scenario` files; raises `ScenarioError` (the app must not start on a bad file)."""
        if self.startup_paths:
            self._apply("start", list(self.startup_paths), [])
        self.startup = (list(self.loaded), self.runtime.snapshot)

    def reload(self) -> list[Scenario]:
        """Re-read the loaded files (posted scenarios stay); keeps the old world on failure."""
        return self._apply("reload", self.paths, self.posted)

    def add_paths(self, paths, *, replace: bool = False) -> list[Scenario]:
        """Load more files on top (or instead, with `replace`); only files inside the allowed directories."""
        new = [allowed_path(p, self.allowed_dirs) for p in paths]
        if replace:
            return self._apply("load", new, [])
        return self._apply("load", [*self.paths, *new], self.posted)

    def add_text(self, text: str, *, name: str = "posted", replace: bool = False) -> list[Scenario]:
        """Load a scenario from YAML text (an admin POST)."""
        try:
            scenario = read_scenario(text, f"<{name}>")
        except ScenarioError as exc:
            raise self._fail("load", exc) from None
        if replace:
            return self._apply("load", [], [scenario])
        return self._apply("load", self.paths, [*self.posted, scenario])

    def clear(self) -> None:
        """Back to the default world: no scenarios at all."""
        with self._lock:
            snapshot = self._build([])
            self.paths, self.posted = [], []
            self._install([], snapshot)

    def reset(self) -> None:
        """Back to how the app started: the startup files re-read, posted scenarios dropped, counters fresh."""
        if self.startup_paths:
            self._apply("reset", list(self.startup_paths), [])
        else:
            self.clear()

    def adopt(self, scenarios: list[Scenario], version: int) -> None:
        """Install a scenario set another worker or replica loaded (and checked); built here, not re-published."""
        with self._lock:
            snapshot = self._build(scenarios)
            snapshot.version = version
            self.paths, self.posted = [], list(scenarios)
            self._install(scenarios, snapshot, publish=False)

    def fork(self, runtime: Runtime, kind: type | None = None) -> "ScenarioManager":
        """A manager (of class `kind`) for a new session's runtime: the startup scenarios, fresh counters."""
        scenarios, snapshot = self.startup
        other = (kind or ScenarioManager)(runtime, self.settings, self.render)
        other.default_world = self.default_world
        other.loaded = list(scenarios)
        runtime.snapshot = dataclasses.replace(snapshot, behaviours=snapshot.behaviours and snapshot.behaviours.fresh(),
                                               version=0)  # the session's own versions start here
        other.startup = (list(scenarios), runtime.snapshot)
        runtime.scenarios = other
        return other

    def describe(self) -> dict:
        snapshot = self.runtime.snapshot
        behaviours = getattr(snapshot.behaviours, "behaviours", []) or []
        return {
            "generation": snapshot.generation,
            "loaded": [s.describe() for s in self.loaded],
            "files": [str(p) for p in self.paths],
            "behaviours": [b.describe() for b in behaviours],
            "tokens_expired": bool(getattr(snapshot.behaviours, "expire_tokens", False)),
            "enterprise_format": snapshot.enterprise_format,
            "search_backend": snapshot.search_backend,
            "watching": self._watcher is not None and self._watcher.is_alive(),
            "last_error": self.last_error,
        }

    # -- watching -------------------------------------------------------------------------------------

    def watch(self) -> None:
        """Reload whenever a loaded file changes (a background thread using watchfiles)."""
        if self._watcher is not None:
            return
        self._stop.clear()
        self._watcher = threading.Thread(target=self._watch_loop, name="mockserver-scenario-watch", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None

    def _watch_loop(self) -> None:
        """Watch until stopped; no exception ends it (a bad edit, a vanished directory, a bug of ours)."""
        while not self._stop.is_set():
            try:
                self._watch_once()
            except Exception:  # noqa: BLE001 - the watcher must outlive anything a file can do to it
                log.exception("scenario watcher: unexpected error; watching again in 1 s")
                self._stop.wait(1.0)

    def _watch_once(self) -> None:
        from watchfiles import watch

        targets = {p.resolve().parent for p in self.paths} or {Path.cwd()}
        watched = {p.resolve() for p in self.paths}
        for changes in watch(*targets, stop_event=self._stop, debounce=200, rust_timeout=500,
                             yield_on_timeout=True):
            touched = {Path(path).resolve() for _change, path in changes}
            # Events only start once the watch is registered; the stamps also catch an edit made before
            # that (just after start-up) and any a filesystem's notifications miss (network mounts).
            if touched & watched or any(self._seen.get(path) != stamp for path, stamp in _stamps(self.paths).items()):
                try:
                    self.reload()
                except ScenarioError:
                    pass  # already recorded and logged; the previous world keeps serving
            if {p.resolve() for p in self.paths} != watched:
                return  # the file list changed (admin load): watch the new set


def _stamps(paths) -> dict[Path, tuple | None]:
    """(modification time in ns, size, inode) of each file, None for one that cannot be read."""
    stamps = {}
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            stamps[Path(path)] = None
        else:
            stamps[Path(path)] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return stamps


def install(runtime: Runtime, settings: Settings, render=None) -> ScenarioManager:
    """The `create_app` hook: load startup scenarios into `runtime`, start watching if asked."""
    manager = ScenarioManager(runtime, settings, render)
    runtime.scenarios = manager
    manager.load_startup()
    if settings.watch:
        manager.watch()
    return manager


def manager_of(runtime: Runtime) -> ScenarioManager:
    """The runtime's scenario manager (created on first use for apps built without the hook)."""
    manager = getattr(runtime, "scenarios", None)
    if manager is None:
        manager = ScenarioManager(runtime, runtime.settings)
        runtime.scenarios = manager
    return manager
