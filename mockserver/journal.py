"""The request journal: what the mock was asked and what it answered, for verification in tests.

Bounded (oldest entries drop off), in memory, and free of secrets: credential headers are recorded as
`[redacted]`, never as their values.
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


class Journal:
    """A bounded, thread-safe list of requests."""

    def __init__(self, size: int = 1000):
        self._entries: deque[Entry] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, scope: dict, status: int | None, started: float) -> Entry:
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        entry = Entry(next(self._ids), time.time(), scope.get("method", ""), scope.get("path", ""),
                      scope.get("query_string", b"").decode("latin-1"), redact_headers(scope.get("headers", [])),
                      status, routing.get("operation_id"), round((time.perf_counter() - started) * 1000, 3))
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(self, method: str | None = None, path: str | None = None,
                operation_id: str | None = None) -> list[Entry]:
        with self._lock:
            items = list(self._entries)
        return [e for e in items
                if (method is None or e.method == method.upper())
                and (path is None or e.path == path)
                and (operation_id is None or e.operation_id == operation_id)]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
