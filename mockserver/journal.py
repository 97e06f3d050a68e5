"""The request journal: what the mock was asked and what it answered, for verification in tests.

Bounded (oldest entries drop off), in memory, and free of secrets: credential headers are recorded as
`[redacted]`, never as their values.

Recording is on the request path of every request and reading is rare (tests, `/__admin/requests`), so
`record` keeps the raw ASGI values as they are and the decoding and redaction happen when entries are read.
A credential is therefore held in memory as long as its entry (as it is by the server anyway), but it
never leaves this module unredacted.

Bounded in bytes as well as in entries: each header value and the query string are kept up to
`value_max_bytes` (then cut, with a note of how much was cut), and the oldest entries drop off once the
total passes `max_bytes` (`--journal-bytes`, limits.py). 1,000 requests with 1 MB headers cost 2 MB here.
The bytes counted are the bytes held: the values' lengths and the Python objects around them (each
header's pair and its two bytes objects cost 130 bytes besides their length).
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field

from mockserver import limits

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
    number, at, method, path, query, headers, status, operation_id, duration, _cost = raw
    return Entry(number, at, method, path, query.decode("latin-1"), redact_headers(headers), status,
                 operation_id, round(duration * 1000, 3))


def select(entries: list[Entry], method: str | None = None, path: str | None = None,
           operation_id: str | None = None) -> list[Entry]:
    """The entries matching every filter given (the admin API's `method`, `path`, `operation_id`)."""
    return [e for e in entries
            if (method is None or e.method == method.upper())
            and (path is None or e.path == path)
            and (operation_id is None or e.operation_id == operation_id)]


def _cut(value: bytes, limit: int) -> bytes:
    return value[:limit] + b"...[truncated %d bytes]" % (len(value) - limit)


_ENTRY_OVERHEAD = 256  # an entry's tuple, numbers, path and query objects, headers tuple and deque slot
_HEADER_OVERHEAD = sys.getsizeof((b"", b"")) + 2 * sys.getsizeof(b"") + 8 - 4  # pair, 2 bytes, slot; not ': '+CRLF


class Journal:
    """A thread-safe list of requests, bounded in entries and in bytes."""

    def __init__(self, size: int = 1000, max_bytes: int = limits.JOURNAL_MAX_BYTES,
                 value_max_bytes: int = limits.JOURNAL_VALUE_MAX_BYTES):
        self.size = size
        self.max_bytes = max_bytes
        self.value_max_bytes = value_max_bytes
        self.bytes = 0
        self._entries: deque[tuple] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, scope: dict, status: int | None, started: float) -> None:
        """Journal one finished request (raw values only, cut to size: see the module docstring)."""
        extensions = scope.get("extensions")
        routing = extensions.get("connexion_routing") if extensions else None
        cap = self.value_max_bytes
        headers = tuple(scope.get("headers", ()))
        # The pipeline's RequestLimits step has weighed the headers already (once per request).
        weight = scope.get(limits.HEADER_BYTES_KEY)
        if weight is None:
            weight = limits.header_bytes(headers)
        cost = _ENTRY_OVERHEAD + weight + _HEADER_OVERHEAD * len(headers)
        if weight > cap:  # only then can one of them be longer than the cap
            headers = tuple((_cut(name, cap) if len(name) > cap else name, _cut(value, cap) if len(value) > cap else value)
                            for name, value in headers)
            cost = _ENTRY_OVERHEAD + limits.header_bytes(headers) + _HEADER_OVERHEAD * len(headers)
        query = scope.get("query_string", b"")
        if len(query) > cap:
            query = _cut(query, cap)
        path = scope.get("path", "")
        if len(path) > cap:
            path = path[:cap] + f"...[truncated {len(path) - cap} characters]"
        cost += len(query) + len(path)
        raw = (next(self._ids), time.time(), scope.get("method", ""), path, query, headers, status,
               routing.get("operation_id") if routing else None, time.perf_counter() - started, cost)
        with self._lock:
            self._entries.append(raw)
            self.bytes += cost
            while len(self._entries) > self.size or (self.bytes > self.max_bytes and len(self._entries) > 1):
                self.bytes -= self._entries.popleft()[-1]

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
            self.bytes = 0
        return [_entry(raw) for raw in raws]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def stats(self) -> dict:
        """What `/__admin/health` shows: entries and bytes held, and the limits."""
        return {"entries": len(self._entries), "bytes": self.bytes, "max_bytes": self.max_bytes,
                "max_entries": self.size, "value_max_bytes": self.value_max_bytes}
