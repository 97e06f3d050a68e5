"""Isolated sessions on one server: each has its own scenarios, sequence counters, journal and cache.

A request names its session with the `X-Mock-Session: <id>` header or, for a client whose only setting is
a base URL, with the path prefix `/__session/<id>/…` (`http://mock/__session/run-42/catalog/v1/` as the
catalog's base URL). The prefix is taken off before routing and put back into every link the response
carries (`public_url`). Admin calls take the session the same way (`/__session/<id>/__admin/scenarios`),
so a test run loads its scenarios into its own session and never sees another run's data or failures. A
request that names no session is served by the global world, exactly as without sessions.

A session is created by its first request and starts from the server's startup scenarios (`--scenario`),
with fresh counters. It is forgotten after `session_ttl` idle seconds, or with
`DELETE /__admin/sessions/<id>`. Hostile input cannot exhaust the server: ids follow a small grammar
(`SESSION_ID`), at most `max_sessions` live at once (a new one past that is refused with 429), and each
session's journal and response cache are bounded (`session_journal_size`, `CACHE_ENTRIES`, and a share of the
global byte budgets small enough that all sessions together hold at most as much again: `session_share`). A session's
world costs memory only when its scenarios bring records or change seed, clock or size (a behaviour-only
session shares the global world); such worlds are built one at a time and at most `max_session_worlds`
sessions hold one (`SessionScenarios`).

With a shared state backend (`--state redis://…`) sessions are shared too: a session's scenarios loaded on
one replica apply on every replica (`mockserver.shared_state`).
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import OrderedDict

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.cache import ResponseCache
from mockserver.scenarios.manager import ScenarioManager, manager_of
from mockserver.scenarios.problems import Problem, ScenarioError
from mockserver.shared_state.base import session_share
from mockserver.state import Runtime, runtime_of

SESSION_HEADER = b"x-mock-session"
PATH_PREFIX = "/__session/"
SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
ID_RULE = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
CACHE_ENTRIES = 256
"""Responses cached per session (the global world keeps `cache.MAX_ENTRIES`)."""
SWEEP_EVERY = 1.0


class SessionRefused(Exception):
    """A request's session cannot be served: a bad id (400), too many sessions (429), or scenarios this replica
    cannot build (503)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> Response:
        return Response(orjson.dumps({"error": self.message}), status_code=self.status,
                        media_type="application/json")


def check_id(value: str, where: str) -> str:
    if not SESSION_ID.fullmatch(value):
        shown = value if len(value) <= 80 else value[:80] + "…"
        raise SessionRefused(400, f"{where}: {shown!r} is not a session id ({ID_RULE})")
    return value


def requested(scope) -> tuple[str | None, str]:
    """The session a request names and the path prefix it came with; takes the prefix off `scope`'s path."""
    header = None
    for name, value in scope.get("headers", ()):
        if name == SESSION_HEADER:
            header = check_id(value.decode("latin-1").strip(), "X-Mock-Session")
            break
    path = scope["path"]
    if not path.startswith(PATH_PREFIX):
        return header, ""
    end = path.find("/", len(PATH_PREFIX))
    session = path[len(PATH_PREFIX):] if end < 0 else path[len(PATH_PREFIX):end]
    check_id(session, "path /__session/<id>/")
    if header is not None and header != session:
        raise SessionRefused(400, f"X-Mock-Session {header!r} and the path's /__session/{session}/ disagree")
    prefix = PATH_PREFIX + session
    scope["path"] = path[len(prefix):] or "/"
    raw = scope.get("raw_path")
    if raw is not None:
        scope["raw_path"] = raw[len(prefix.encode("latin-1")):] or b"/"
    return session, prefix


async def _no_body():
    return {"type": "http.request", "body": b"", "more_body": False}


def public_path(scope, path: str) -> str:
    """`path` as the client must call it: with the `/__session/<id>` prefix its request came with, if any."""
    prefix = scope.get("mockserver.prefix")
    return prefix + path if prefix else path


def public_url(request) -> str:
    """The URL as the client called it, `/__session/<id>` prefix included: what links must be built on."""
    url = request.url
    if not request.scope.get("mockserver.prefix"):
        return str(url)  # the common case: nothing to rebuild
    return str(url.replace(path=public_path(request.scope, url.path)))


class SessionScenarios(ScenarioManager):
    """A session's scenario manager: a session whose scenarios need a world of their own (records, another
    seed, clock or size) builds it one at a time with the other sessions, and at most `max_session_worlds`
    sessions hold one (a world costs megabytes; a behaviour-only session shares the global world)."""

    sessions: "Sessions"

    def _build(self, scenarios):
        with self.sessions.world_builds:
            snapshot = super()._build(scenarios)
            if snapshot.world is not self.default_world:
                others = sum(1 for runtime in self.sessions.runtimes()
                             if runtime is not self.runtime and runtime.snapshot.world is not self.default_world)
                limit = self.settings.max_session_worlds
                if others >= limit:
                    raise ScenarioError([Problem(
                        scenarios[-1].file if scenarios else "<session>", 1, 1, (),
                        f"{others} sessions already have a world of their own, the limit is {limit} "
                        "(--max-session-worlds): records, seed, clock or size need one; behaviours do not")])
        return snapshot


class Session:
    __slots__ = ("runtime", "created", "last_used")

    def __init__(self, runtime: Runtime, now: float):
        self.runtime = runtime
        self.created = time.time()
        self.last_used = now


class Sessions:
    """The live sessions of one app, on its global runtime (`runtime.sessions`)."""

    def __init__(self, root: Runtime, state, *, clock=time.monotonic):
        self.root = root
        self.state = state
        self.settings = root.settings
        self.clock = clock
        self._items: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()  # the table of sessions: held briefly, the event loop takes it too
        self._opening = threading.Lock()  # one session opens at a time (in a worker thread, never the loop)
        self.world_builds = threading.Lock()
        self._swept = 0.0

    async def enter(self, scope, send) -> Runtime | None:
        """The runtime serving this request; None when the session was refused (the answer is sent)."""
        try:
            session, prefix = requested(scope)
            if session is None:
                return self.root
            runtime = self.live(session)
            if runtime is None:
                # A shared backend may hand the new session scenarios to build: off the event loop.
                runtime = await asyncio.to_thread(self.open, session)
        except SessionRefused as exc:
            await exc.response()(scope, _no_body, send)
            return None
        if prefix:
            scope["mockserver.prefix"] = prefix
        return runtime

    def live(self, session: str) -> Runtime | None:
        """The session's runtime if it lives here, marked as used now."""
        now = self.clock()
        if now - self._swept > SWEEP_EVERY:
            with self._lock:
                expired = self._expire(now)
            if expired:
                # Releasing talks to the shared state (seconds when Redis is away): never on the event loop.
                threading.Thread(target=self._release_all, args=(expired,), name="mockserver-session-release",
                                 daemon=True).start()
        item = self._items.get(session)
        if item is None:
            return None
        item.last_used = now
        self.state.touched(session)
        return item.runtime

    def open(self, session: str) -> Runtime:
        """The session's runtime, created from the startup scenarios if it does not live here yet.

        Built outside the table's lock: with a shared backend, attaching adopts the session's scenarios, which
        can build a world (seconds), while the event loop keeps serving (and sweeping) the other sessions.
        """
        with self._opening:
            with self._lock:
                item = self._items.get(session)
                if item is not None:
                    item.last_used = self.clock()
                    return item.runtime
                expired = self._expire(self.clock())
            self._release_all(expired)
            with self._lock:  # (only an open adds a session, and this thread holds `_opening`)
                if len(self._items) >= self.settings.max_sessions:
                    raise SessionRefused(429, f"too many sessions: {len(self._items)} live, the limit is "
                                              f"{self.settings.max_sessions} (--max-sessions); idle ones expire "
                                              f"after {self.settings.session_ttl:g} s, or DELETE /__admin/sessions/<id>")
            runtime = Runtime(self.settings, self.root.snapshot, session=session,
                              cache=ResponseCache(CACHE_ENTRIES,
                                                  max_bytes=session_share(self.settings, self.settings.cache_bytes)))
            manager_of(self.root).fork(runtime, SessionScenarios).sessions = self
            try:
                self.state.attach(runtime)
            except ScenarioError as exc:
                # The session's scenarios, loaded on another replica, cannot be served by this one (its world
                # limit, the shared state unreachable): a clear refusal, never the startup data in their place.
                raise SessionRefused(503, f"session {session!r} cannot be served by this replica: "
                                          + "; ".join(p.message for p in exc.problems)) from None
            with self._lock:
                self._items[session] = Session(runtime, self.clock())
        self.state.touched(session)
        return runtime

    def drop(self, session: str, *, everywhere: bool = True) -> bool:
        """Forget a session here (and, `everywhere`, in the shared state: every replica forgets it)."""
        with self._lock:
            item = self._items.pop(session, None)
        if everywhere:
            self.state.dropped(session)
        if item is not None:
            self._release(item)
        return item is not None

    def _release(self, item: Session) -> None:
        item.runtime.scenarios.stop()
        self.state.detach(item.runtime)

    def _release_all(self, items: list[Session]) -> None:
        for item in items:
            self._release(item)

    def sweep(self, now: float | None = None) -> None:
        """Forget the sessions idle for longer than the TTL (and release them, in the caller's thread)."""
        with self._lock:
            expired = self._expire(self.clock() if now is None else now)
        self._release_all(expired)

    def _expire(self, now: float) -> list[Session]:
        """Take the expired sessions out of the table (the caller holds the lock and releases them after)."""
        self._swept = now
        ttl = self.settings.session_ttl
        return [self._items.pop(s) for s, item in list(self._items.items()) if now - item.last_used > ttl]

    def runtimes(self) -> list[Runtime]:
        with self._lock:
            return [item.runtime for item in self._items.values()]

    def get(self, session: str) -> Runtime | None:
        item = self._items.get(session)
        return item.runtime if item is not None else None

    def describe(self) -> list[dict]:
        now = self.clock()
        with self._lock:
            expired = self._expire(now)
            items = list(self._items.items())
        self._release_all(expired)
        return [{"id": session, "created": item.created, "idle_seconds": round(now - item.last_used, 3),
                 "generation": item.runtime.snapshot.generation,
                 "scenarios": list(item.runtime.snapshot.scenarios)} for session, item in items]


def _json(data, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def _sessions(request: Request) -> Sessions | None:
    return runtime_of(request).sessions


_GLOBAL_ONLY = "sessions are listed and deleted through the global admin API (without a session)"


async def list_sessions(request: Request) -> Response:
    sessions = _sessions(request)
    if sessions is None:
        return _json({"error": _GLOBAL_ONLY}, 400)
    return _json({"ttl_seconds": sessions.settings.session_ttl, "limit": sessions.settings.max_sessions,
                  "sessions": sessions.describe()})


async def delete_session(request: Request) -> Response:
    sessions = _sessions(request)
    if sessions is None:
        return _json({"error": _GLOBAL_ONLY}, 400)
    try:
        session = check_id(request.path_params["session"], "DELETE /__admin/sessions/<id>")
    except SessionRefused as exc:
        return exc.response()
    if not await asyncio.to_thread(sessions.drop, session):
        return _json({"error": f"no session {session!r} lives on this server"}, 404)
    return _json({"deleted": session})


def routes() -> list[Route]:
    """`/__admin/sessions`: list the live sessions, delete one."""
    return [
        Route("/__admin/sessions", list_sessions, methods=["GET"]),
        Route("/__admin/sessions/{session}", delete_session, methods=["DELETE"]),
    ]
