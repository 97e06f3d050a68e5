"""Consumer-driven runs: replay the requests a client really made, and say whether each still works on a target.

`mockserver contract --requests FILE` reads requests a client sent to the mock (FILE: the JSON of
`GET /__admin/requests`, or a journal dump written by `mockserver.testing.dump_journal` in a pytest
suite; both are `{"requests": [entry, ...]}` with the journal's entry fields `method`, `path`, `query`,
`status`, and optionally `body` (a form body, as sent) and `reads` (JSON pointers the client reads)). For
each request:

1. it is skipped, with the reason, unless it is an operation of the specs that the safety policy allows
   (read-only; the OAuth token exchange is the runner's own business, never replayed);
2. it is sent to the target, with the run's credentials (the journal holds none), and to the reference
   mock (`--mock-url`, or this mock in-process with default settings);
3. the target's answer is checked against the spec and the domain rules (every check of a normal run),
   and against the mock's answer to the same request: the same status, the same media type, and each
   field the client reads (`reads`, or every field of the mock's answer down to the first item of each
   list) present with the same JSON type.

The per-request verdict is "still works on the target" or the list of what broke. The same safety rules
apply as in any run: safe methods only, the run's rate limit and timeout, redaction of every report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx

from mockserver import limits
from mockserver.contract.context import json_body, media_type
from mockserver.contract.failures import Collector, ReplayDrift, escape_pointer

__all__ = ["Recorded", "ReplayVerdict", "RequestsFileError", "load_requests", "Reference",
           "compare", "fields_of"]


class RequestsFileError(ValueError):
    """The requests file cannot be read as a journal export."""


@dataclass(frozen=True)
class Recorded:
    """One request of the journal."""

    index: int
    method: str
    path: str
    query: str = ""
    status: int | None = None
    body: str | None = None
    reads: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        """Path and query as sent (the journal keeps the path decoded)."""
        path = quote(self.path, safe="/:+@~,!$&'()*;=")
        return path + (f"?{self.query}" if self.query else "")

    @property
    def form(self) -> dict[str, str] | None:
        return dict(parse_qsl(self.body, keep_blank_values=True)) if self.body is not None else None


@dataclass
class ReplayVerdict:
    """What became of one recorded request."""

    recorded: Recorded
    operation: str | None = None
    api: str | None = None
    skipped: str | None = None
    mock_status: int | None = None
    target_status: int | None = None
    broken: list[str] = field(default_factory=list)

    @property
    def works(self) -> bool:
        return self.skipped is None and not self.broken

    @property
    def verdict(self) -> str:
        if self.skipped:
            return f"not replayed: {self.skipped}"
        return "still works on the target" if not self.broken else "BROKEN: " + "; ".join(self.broken)


_MAX_REQUESTS = 10_000
_MAX_FILE = 64 * 1024 * 1024


def load_requests(path: Path) -> list[Recorded]:
    """The requests of a journal export; `RequestsFileError` names what is wrong and where."""
    path = Path(path)
    try:
        # Bounded, and a FIFO or device is refused before it is opened (it could block or never end).
        data = json.loads(limits.read_file(path, _MAX_FILE, "requests file").decode("utf-8"))
    except limits.TooLarge:
        raise RequestsFileError(f"{path}: larger than {_MAX_FILE // 2**20} MiB") from None
    except OSError as exc:
        raise RequestsFileError(f"{path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise RequestsFileError(f"{path}: not JSON ({type(exc).__name__}: {str(exc)[:200]})") from None
    entries = data.get("requests") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise RequestsFileError(f"{path}: expected {{\"requests\": [...]}} (GET /__admin/requests or a journal dump)")
    if len(entries) > _MAX_REQUESTS:
        raise RequestsFileError(f"{path}: {len(entries)} requests, at most {_MAX_REQUESTS} are replayed")
    recorded = []
    # The admin export lists the newest first; replay in the order the client sent them.
    ordered = sorted(enumerate(entries), key=lambda pair: (_id(pair[1]), pair[0]))
    for position, (index, entry) in enumerate(ordered, 1):
        where = f"{path}: requests[{index}]"
        if not isinstance(entry, dict):
            raise RequestsFileError(f"{where}: expected an object")
        method, route = entry.get("method"), entry.get("path")
        if not isinstance(method, str) or not isinstance(route, str) or not route.startswith("/"):
            raise RequestsFileError(f"{where}: needs a string 'method' and a 'path' starting with '/'")
        query, status, body, reads = entry.get("query") or "", entry.get("status"), entry.get("body"), \
            entry.get("reads") or []
        if not isinstance(query, str) or (status is not None and not isinstance(status, int)) or \
                (body is not None and not isinstance(body, str)) or \
                not (isinstance(reads, list) and all(isinstance(r, str) for r in reads)):
            raise RequestsFileError(f"{where}: 'query' and 'body' are strings, 'status' an integer, 'reads' a list of "
                                    "JSON pointers")
        recorded.append(Recorded(position, method.upper(), route, query.lstrip("?"), status, body, tuple(reads)))
    return recorded


def _id(entry: Any) -> int:
    value = entry.get("id") if isinstance(entry, dict) else None
    return value if isinstance(value, int) else 0


# -- the reference: what the mock answers to the same request ---------------------------------------------


class Reference:
    """The mock a replay compares the target with: a running one (`url`), or this mock in-process."""

    def __init__(self, url: str | None, headers_for: Callable[[str], dict[str, str]], timeout: float) -> None:
        self.url = url.rstrip("/") if url else None
        self._headers_for = headers_for
        self._timeout = timeout
        self._client: Any = None
        self._app_headers: dict[str, dict[str, str]] = {}

    @property
    def name(self) -> str:
        return self.url or "the mock in-process (default settings)"

    def _open(self) -> Any:
        if self._client is None:
            if self.url:
                self._client = httpx.Client(base_url=self.url, timeout=self._timeout, follow_redirects=False)
            else:
                from starlette.testclient import TestClient

                from mockserver.app import create_app
                from mockserver.settings import Settings
                from mockserver.testing import token_for

                app = create_app(Settings())
                self._client = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
                self._client.__enter__()
                self._app_headers = {"edx": {"Authorization": f"JWT {token_for(app)}"},
                                     "blendx": {"actionsecret": app.runtime.auth.action_secret}}
        return self._client

    def send(self, request: Recorded, api: str) -> Any:
        client = self._open()
        family = "blendx" if api == "blendx" else "edx"
        headers = self._app_headers.get(family) if not self.url else self._headers_for(api)
        return client.request(request.method, request.target, headers=headers or {}, data=request.form)

    def close(self) -> None:
        if self._client is not None:
            if self.url:
                self._client.close()
            else:
                self._client.__exit__(None, None, None)
            self._client = None


# -- comparing two answers ---------------------------------------------------------------------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def fields_of(body: Any, pointer: str = "", depth: int = 0) -> Iterator[tuple[str, Any]]:
    """`(pointer, value)` of every field of `body` a client may read: object members, and the first item of each
    list, down to four levels."""
    if depth > 4:
        return
    if isinstance(body, dict):
        for name, value in body.items():
            here = f"{pointer}/{escape_pointer(name)}"
            yield here, value
            yield from fields_of(value, here, depth + 1)
    elif isinstance(body, list) and body:
        yield from fields_of(body[0], f"{pointer}/0", depth + 1)


def _resolve(body: Any, pointer: str) -> tuple[bool, Any]:
    node = body
    for part in pointer.split("/")[1:] if pointer else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and re.fullmatch(r"\d+", part) and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def _under_empty_list(body: Any, pointer: str) -> bool:
    parts = pointer.split("/")
    for end in range(1, len(parts)):
        if parts[end] == "0":
            present, node = _resolve(body, "/".join(parts[:end]))
            if present and node == []:
                return True
    return False


def compare(found: Collector, request: Recorded, mock: Any, target: httpx.Response) -> list[str]:
    """What the target answers differently from the mock, in words; each also reported to `found`."""
    broken: list[str] = []

    def drift(pointer: str, expected: Any, actual: Any, words: str) -> None:
        broken.append(words)
        found(ReplayDrift, pointer, expected, actual, message=f"Request #{request.index} {request.method} "
              f"{request.target}: {words}")

    if target.status_code != mock.status_code:
        drift("/status", mock.status_code, target.status_code,
              f"status {target.status_code}, the mock answers {mock.status_code}")
        return broken
    mock_type, target_type = media_type(mock.headers.get("content-type")), media_type(target.headers.get("content-type"))
    if mock_type != target_type:
        drift("/headers/Content-Type", mock_type, target_type, f"Content-Type {target_type}, the mock answers {mock_type}")
        return broken
    mock_body, target_body = json_body(mock), json_body(target)
    if mock_body is None:
        return broken
    if target_body is None:
        drift("", "a JSON body", target.content[:80].decode("utf-8", "replace"), "the body is not JSON")
        return broken
    pointers = [(p, _resolve(mock_body, p)[1]) for p in request.reads] if request.reads else list(fields_of(mock_body))
    for pointer, expected in pointers:
        present, actual = _resolve(target_body, pointer)
        if not present and _under_empty_list(target_body, pointer):
            continue  # the target lists nothing here: a difference of data, not of contract
        if not present:
            drift(pointer, f"present ({_json_type(expected)})", "missing", f"{pointer} is missing")
        elif None not in (expected, actual) and _json_type(expected) != _json_type(actual):
            drift(pointer, _json_type(expected), _json_type(actual),
                  f"{pointer} is a {_json_type(actual)}, the mock's is a {_json_type(expected)}")
    return broken
