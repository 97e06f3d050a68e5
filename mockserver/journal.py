"""The request journal: what the mock was asked and what it answered, for verification in tests.

Bounded (oldest entries drop off), in memory, and free of secrets: credential headers are recorded as
`[redacted]`, never as their values.

Recording is on the request path of every request and reading is rare (tests, `/__admin/requests`), so
`record` keeps the raw ASGI values as they are and the decoding and redaction happen when entries are read.
A credential is therefore held in memory as long as its entry (as it is by the server anyway), but it
never leaves this module unredacted.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field

REDACTED_HEADERS = frozenset({"authorization", "actionsecret", "cookie", "set-cookie", "x-csrftoken"})
REDACTED = "[redacted]"


@dataclass(frozen=True)
class Entry:
    id: int
    at: float
    method: str
    path: str
    query: str
    headers: dict = field(default_factory=dict)
    status: int | None = None
    operation_id: str | None = None
    duration_ms: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def redact_headers(raw_headers) -> dict[str, str]:
    """Headers as a dict, with every credential replaced by `[redacted]`."""
    out = {}
    for name, value in raw_headers:
        key = name.decode("latin-1").lower() if isinstance(name, bytes) else name.lower()
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        out[key] = REDACTED if key in REDACTED_HEADERS else text
    return out


def _entry(raw: tuple) -> Entry:
    number, at, method, path, query, headers, status, operation_id, duration = raw
    return Entry(number, at, method, path, query.decode("latin-1"), redact_headers(headers), status,
                 operation_id, round(duration * 1000, 3))


def select(entries: list[Entry], method: str | None = None, path: str | None = None,
           operation_id: str | None = None) -> list[Entry]:
    """The entries matching every filter given (the admin API's `method`, `path`, `operation_id`)."""
    return [e for e in entries
            if (method is None or e.method == method.upper())
            and (path is None or e.path == path)
            and (operation_id is None or e.operation_id == operation_id)]


class Journal:
    """A bounded, thread-safe list of requests."""

    def __init__(self, size: int = 1000):
        self._entries: deque[tuple] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, scope: dict, status: int | None, started: float) -> None:
        """Journal one finished request (raw values only: see the module docstring)."""
        extensions = scope.get("extensions")
        routing = extensions.get("connexion_routing") if extensions else None
        raw = (next(self._ids), time.time(), scope.get("method", ""), scope.get("path", ""),
               scope.get("query_string", b""), tuple(scope.get("headers", ())), status,
               routing.get("operation_id") if routing else None, time.perf_counter() - started)
        with self._lock:
            self._entries.append(raw)

    def entries(self, method: str | None = None, path: str | None = None,
                operation_id: str | None = None) -> list[Entry]:
        with self._lock:
            items = [_entry(raw) for raw in self._entries]
        return select(items, method, path, operation_id)

    def drain(self) -> list[Entry]:
        """Take every entry out, redacted (a shared journal ships them to its store: `mockserver.shared_state`)."""
        with self._lock:
            raws = list(self._entries)
            self._entries.clear()
        return [_entry(raw) for raw in raws]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
