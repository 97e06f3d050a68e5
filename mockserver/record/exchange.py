"""One recorded exchange: a read-only request to the target and the answer it gave.

Exchanges are what both recording modes produce and what anonymisation, conversion and verification
consume. Only what the round trip needs is kept: the method, the path and query (or the search form),
the status, the media type and the parsed JSON body. Request headers are never kept (they carry the
credentials); the answer's headers are not kept either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

__all__ = ["Exchange", "operation_of", "OPERATIONS"]


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

    @property
    def label(self) -> str:
        form = f" {urlencode(self.form)}" if self.form else ""
        return f"{self.method} {self.target}{form}"

    @classmethod
    def from_url(cls, method: str, url: str, **kwargs) -> Exchange:
        parts = urlsplit(url)
        return cls(method.upper(), parts.path, tuple(parse_qsl(parts.query, keep_blank_values=True)), **kwargs)


# (operation, method, path pattern) of every read-only operation the recorder understands. The patterns are
# the specs' paths; `{x}` is one path segment. Per-API differences are data here, not branches elsewhere.
OPERATIONS: tuple[tuple[str, str, str], ...] = (
    ("catalog.list_catalogs", "GET", "/catalog/v1/catalogs/"),
    ("catalog.get_catalog", "GET", "/catalog/v1/catalogs/{id}/"),
    ("catalog.list_catalog_courses", "GET", "/catalog/v1/catalogs/{id}/courses/"),
    ("enterprise.list_enterprise_catalogs", "GET", "/enterprise/v1/enterprise-catalogs"),
    ("enterprise.get_enterprise_catalog", "GET", "/enterprise/v2/enterprise-catalogs/{catalog_id}"),
    ("enterprise.get_catalog_course", "GET", "/enterprise/v2/enterprise-catalogs/{catalog_id}/courses/{course_key}"),
    ("enterprise.get_catalog_course_run", "GET",
     "/enterprise/v2/enterprise-catalogs/{catalog_id}/course-runs/{course_run_id}"),
    ("enterprise.get_catalog_program", "GET",
     "/enterprise/v2/enterprise-catalogs/{catalog_id}/programs/{program_uuid}"),
    ("enterprise.get_learner_summary", "GET", "/enterprise/v3/enterprise-customer/{enterprise_uuid}/learner-summary"),
    ("blendx.list_courses", "GET", "/blendxapi/discovery/courses/"),
    ("blendx.get_course", "GET", "/blendxapi/discovery/course/{openedx_course_id}/"),
    ("search.course_discovery", "POST", "/search/course_discovery/"),
)


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
    for name, op_method, pattern in OPERATIONS:
        if op_method == method.upper() and _match(pattern, path) is not None:
            return name
    return ""


def path_params(exchange: Exchange) -> dict[str, str]:
    for name, _, pattern in OPERATIONS:
        if name == exchange.operation:
            return _match(pattern, exchange.path) or {}
    return {}
