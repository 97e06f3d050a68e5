"""Scenario behaviours around the respond step: latency, faults, forced status, call sequences.

`BehaviourMiddleware` sits in the app's middleware list after security, so behaviours apply to requests
that passed routing and auth, as they would on a real server that is slow or failing. The behaviours come
from the snapshot the request pinned when it started (`scope["mockserver.snapshot"].behaviours`, a
`BehaviourSet`), so a reload never changes the rules under a request in flight; call counters for
sequences live in that set and start again from zero with every new snapshot.

Selection: for each request the candidates are, in order, the *named* behaviours the request selects with
`X-Mock-Behaviour: <name>[, <name>...]`, then the unnamed ones; the first whose operation and `when` match
applies. A request that selects nothing never gets a named behaviour.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import random
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson

from mockserver import limits
from mockserver.errors import FORCED_KINDS, ApiError, error_response, send_error
from mockserver.params import URLENCODED, parse_urlencoded

log = logging.getLogger("mockserver.scenarios")

BEHAVIOUR_HEADER = b"x-mock-behaviour"
EXPIRED_MESSAGE = "Token has expired."


@dataclass(frozen=True)
class Action:
    """What one call gets: an optional delay, then a forced answer, a fault, or extras on the normal answer."""

    latency: tuple[int, int] | None = None  # (min, max) milliseconds
    status: int | None = None
    body: Any = None
    has_body: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    fault: str | None = None
    partial_errors: dict | None = None

    @classmethod
    def from_spec(cls, spec: dict) -> "Action":
        latency = spec.get("latency")
        if isinstance(latency, int):
            latency = (latency, latency)
        elif isinstance(latency, dict):
            latency = (latency["min"], latency["max"])
        respond = spec.get("respond") or {}
        partial = spec.get("partial_errors")
        if partial is not None:
            errors = [dict(item) for item in partial.get("errors", [])]
            partial = {"count": partial.get("count", len(errors)), "errors": errors}
        return cls(latency=latency, status=respond.get("status"), body=respond.get("body"),
                   has_body="body" in respond, headers=tuple((respond.get("headers") or {}).items()),
                   fault=spec.get("fault"), partial_errors=partial)

    @property
    def changes_response(self) -> bool:
        return self.status is not None or self.fault is not None or self.partial_errors is not None


NORMAL = Action()


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Behaviour:
    """One compiled `behaviours[]` entry."""

    operation: str
    action: Action = NORMAL
    steps: tuple[tuple[int, Action], ...] = ()
    name: str | None = None
    path: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    origin: str = ""  # file:line, for logs and /__admin/scenarios

    def __post_init__(self):
        self.path = {k: _text(v) for k, v in self.path.items()}
        self.query = {k: _text(v) for k, v in self.query.items()}
        self._calls = itertools.count()
        self._lock = threading.Lock()
        self.calls = 0

    def matches(self, path_params: dict, query: dict[str, list[str]]) -> bool:
        for key, want in self.path.items():
            if _text(path_params.get(key, "")) != want:
                return False
        for key, want in self.query.items():
            if want not in query.get(key, ()):
                return False
        return True

    def next_action(self) -> Action:
        """The action of this call: the sequence step it falls in, or the behaviour's own action after."""
        with self._lock:
            n = next(self._calls)
        return self.action_at(n)

    def action_at(self, n: int) -> Action:
        """The action of call number `n` (0-based), counted elsewhere (`mockserver.shared_state`)."""
        self.calls = max(self.calls, n + 1)
        for times, action in self.steps:
            if n < times:
                return action
            n -= times
        return self.action

    def describe(self) -> dict:
        return {"operation": self.operation, "name": self.name, "when": {"path": self.path, "query": self.query},
                "calls": self.calls, "origin": self.origin}


@dataclass
class BehaviourSet:
    """All behaviours of one snapshot, indexed by operationId."""

    behaviours: list[Behaviour] = field(default_factory=list)
    expire_tokens: bool = False
    jwt_operations: frozenset = frozenset()

    def __post_init__(self):
        self._by_operation: dict[str, list[Behaviour]] = {}
        for behaviour in self.behaviours:
            self._by_operation.setdefault(behaviour.operation, []).append(behaviour)
        self._needs_query = {op for op, items in self._by_operation.items() if any(b.query for b in items)}
        self._random = random.Random(0)

    def __bool__(self) -> bool:
        return bool(self.behaviours) or self.expire_tokens

    def fresh(self) -> "BehaviourSet":
        """The same rules with every call counter at zero (a new session starts from the startup scenarios)."""
        return BehaviourSet([dataclasses.replace(b) for b in self.behaviours], self.expire_tokens,
                            self.jwt_operations)

    def index(self, behaviour: Behaviour) -> int:
        """The behaviour's position: the same in every process that loaded the same scenario set."""
        return self.behaviours.index(behaviour)

    def candidates(self, operation_id: str, selected: list[str]) -> list[Behaviour]:
        items = self._by_operation.get(operation_id, ())
        named = [b for name in selected for b in items if b.name == name]
        return named + [b for b in items if b.name is None]

    def needs_query(self, operation_id: str) -> bool:
        return operation_id in self._needs_query

    def delay(self, latency: tuple[int, int]) -> float:
        low, high = latency
        return (low if low == high else self._random.uniform(low, high)) / 1000.0


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _selected(scope) -> list[str]:
    raw = _header(scope, BEHAVIOUR_HEADER)
    return [part.strip() for part in raw.split(",") if part.strip()] if raw else []


def forced_response(path: str, action: Action) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers of a `respond` action (the API's own error body when none is given)."""
    status = action.status
    extra = dict(action.headers)
    if action.has_body:
        body = action.body
        if isinstance(body, (str, bytes)):
            payload = body.encode("utf-8") if isinstance(body, str) else body
            headers = {"Content-Type": "text/plain; charset=utf-8"}
        else:
            payload = orjson.dumps(body)
            headers = {"Content-Type": "application/json"}
        headers.update(extra)
        return status, payload, headers
    if status < 400:
        return status, b"", {"Content-Type": "application/json", **extra}
    kind = FORCED_KINDS.get(status, "server_error")
    return error_response(path, kind, status=status, headers=extra)


def _abort_connection() -> bool:
    """Close the client's socket without a response. True when the server let us reach its transport.

    ASGI has no "drop the connection" message, and a server answers 500 to an app that returns without
    responding. uvicorn runs each request as a task on `RequestResponseCycle.run_asgi`, whose `transport`
    we can abort; elsewhere (in-process test clients) the caller answers 500 instead.
    """
    task = asyncio.current_task()
    coro = task.get_coro() if task is not None else None
    frame = getattr(coro, "cr_frame", None)
    cycle = frame.f_locals.get("self") if frame is not None else None
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        return False
    transport.abort()
    return True


class BehaviourMiddleware:
    """Applies the behaviours of the current snapshot to the operation being called."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        snapshot = scope.get("mockserver.snapshot")
        behaviours: BehaviourSet | None = getattr(snapshot, "behaviours", None)
        if not behaviours:
            await self.app(scope, receive, send)
            return
        operation_id = scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")
        if operation_id is None:
            await self.app(scope, receive, send)
            return
        path = scope["path"]

        if behaviours.expire_tokens and operation_id in behaviours.jwt_operations:
            auth = _header(scope, b"authorization")
            if auth and auth.lower().startswith("jwt "):
                status, body, headers = error_response(path, "unauthorized", EXPIRED_MESSAGE)
                await send_error(send, status, body, headers)
                return

        query = {}
        if behaviours.needs_query(operation_id):
            for key, value in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True):
                query.setdefault(key, []).append(value)
            if scope.get("method") == "POST":
                receive, form = await _read_form(scope, receive)
                for key, value in form:
                    query.setdefault(key, []).append(value)
        path_params = scope.get("path_params") or {}
        chosen = next((b for b in behaviours.candidates(operation_id, _selected(scope))
                       if b.matches(path_params, query)), None)
        if chosen is None:
            await self.app(scope, receive, send)
            return
        runtime = scope.get("mockserver")
        share = getattr(runtime, "share", None)
        action = chosen.next_action() if share is None else await share.next_action(snapshot, chosen)
        if action.latency:
            await asyncio.sleep(behaviours.delay(action.latency))
        await self._respond(action, operation_id, scope, receive, send)

    async def _respond(self, action: Action, operation_id: str, scope, receive, send) -> None:
        path = scope["path"]
        if action.fault == "connection_dropped":
            if _abort_connection():
                # Let the server see the closed transport before we return, so it does not answer 500.
                for _ in range(3):
                    await asyncio.sleep(0)
                return
            # No socket to drop (an in-process client): the nearest thing is the API's 500.
            log.warning("connection_dropped on %s needs a real server; answering 500 in-process", operation_id)
            status, body, headers = error_response(path, "server_error")
            await send_error(send, status, body, headers)
            return
        if action.status is not None:
            status, body, headers = forced_response(path, action)
            await send_error(send, status, body, headers)
            return
        if action.fault is None and action.partial_errors is None:
            await self.app(scope, receive, send)
            return

        captured: dict = {"start": None, "body": bytearray()}

        async def capture(message):
            if message["type"] == "http.response.start":
                captured["start"] = message
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")

        await self.app(scope, receive, capture)
        start, body = captured["start"], bytes(captured["body"])
        if start is None:
            return
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        status = start["status"]

        if action.partial_errors is not None and status == 200:
            try:
                data = orjson.loads(body)
            except orjson.JSONDecodeError:
                data = None
            if isinstance(data, dict):
                data["partial_errors"] = action.partial_errors
                body = orjson.dumps(data)

        if action.fault == "truncated_body":
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
            # Close mid-body; in-process clients simply receive the half body.
            if _abort_connection():
                for _ in range(3):
                    await asyncio.sleep(0)
            return
        if action.fault == "malformed_body":
            body = body[: max(1, len(body) // 2)] + b'\x00<!-- upstream proxy error -->'
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _read_form(scope, receive):
    """The urlencoded form of a POST (for `when.query` on the search route), and a receive that replays it.

    Read only up to Django's body limit: past it (or past its field count) no form is matched, and the
    handler, reading the replayed body, answers Django's 400 as the real server would.
    """
    chunks, size = [], 0
    while True:
        message = await receive()
        chunks.append(message)
        if message["type"] != "http.request" or not message.get("more_body"):
            break
        size += len(message.get("body", b""))
        if size > limits.DATA_UPLOAD_MAX_MEMORY_SIZE:
            break
    form = []
    content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    complete = not chunks[-1].get("more_body")
    if complete and content_type == URLENCODED:
        body = b"".join(m.get("body", b"") for m in chunks if m["type"] == "http.request")
        if len(body) <= limits.DATA_UPLOAD_MAX_MEMORY_SIZE:
            try:
                form = list(parse_urlencoded(body).items())
            except ApiError:
                form = []  # too many fields: the handler answers the 400
    pending = list(chunks)

    async def replay():
        if pending:
            return pending.pop(0)
        return await receive()

    return replay, form
