"""One recorded exchange: a read-only request to the target and the answer it gave.

Exchanges are what both recording modes produce and what anonymisation, conversion and verification
consume. Only what the round trip needs is kept: the method, the path and query (or the search form),
the status, the media type and the parsed JSON body. Request headers are never kept (they carry the
credentials); the answer's headers are not kept either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

__all__ = ["MAX_BODY", "parse_json", "Exchange", "operation_of", "operations", "path_params", "template_of"]


# An answer larger than this is not recorded (it is counted as skipped): every buffer is bounded.
MAX_BODY = 20 * 1024 * 1024


def parse_json(media_type: str, content: bytes) -> Any:
    """The JSON body of an answer, or None when it is not JSON."""
    if not media_type.endswith("json"):
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass
class Exchange:
    """A request (method, path, query pairs, form pairs) and the target's answer (status, JSON body)."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    form: tuple[tuple[str, str], ...] = ()
    status: int = 0
    media_type: str = ""
    body: Any = None
    operation: str = field(default="")

    def __post_init__(self) -> None:
        if not self.operation:
            self.operation = operation_of(self.method, self.path)

    @property
    def target(self) -> str:
        """Path and query, as sent (`/catalog/v1/catalogs/?page=2`)."""
        return self.path + (f"?{urlencode(self.query)}" if self.query else "")

    @classmethod
    def from_url(cls, method: str, url: str, **kwargs) -> Exchange:
        parts = urlsplit(url)
        return cls(method.upper(), parts.path, tuple(parse_qsl(parts.query, keep_blank_values=True)), **kwargs)


@lru_cache(maxsize=1)
def operations() -> tuple[tuple[str, str, str], ...]:
    """(operationId, method, public path template) of every data operation of the specs (OAuth left out)."""
    from mockserver import specs

    return tuple((op.operation_id, op.method.upper(), op.path) for name in specs.available_specs()
                 for op in specs.operations(name, specs.load_spec(name)) if op.api != "oauth")


def _match(pattern: str, path: str) -> dict[str, str] | None:
    want, got = pattern.strip("/").split("/"), path.strip("/").split("/")
    if len(want) != len(got) or pattern.endswith("/") != path.endswith("/"):
        return None
    params = {}
    for w, g in zip(want, got):
        if w.startswith("{"):
            if not g:
                return None
            params[w[1:-1]] = unquote(g)
        elif w != g:
            return None
    return params


def operation_of(method: str, path: str) -> str:
    """The operationId `method path` belongs to, or `""` when the recorder does not understand it."""
    for name, op_method, pattern in operations():
        if op_method == method.upper() and _match(pattern, path) is not None:
            return name
    return ""


def template_of(exchange: Exchange) -> str | None:
    """The public path template of the exchange's operation (`/catalog/v1/catalogs/{id}/`), None if unknown."""
    for name, _, pattern in operations():
        if name == exchange.operation:
            return pattern
    return None


def path_params(exchange: Exchange) -> dict[str, str]:
    pattern = template_of(exchange)
    return (_match(pattern, exchange.path) or {}) if pattern is not None else {}
