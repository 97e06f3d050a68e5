"""An ASGI middleware that makes the real mock drift from its specs, in named, independent ways.

`DriftMiddleware(create_app(settings), drifts=ALL)` buffers each response of the mock and rewrites it when
a drift rule matches (method, path, status): the kinds of drift a real deployment shows after an upgrade
(a field's type changes, a required field goes, a status, a link, a content type, an error body, a
search back-end that chokes on a quote). A rule may also rewrite the request first (`before`): that is
how a broken verifier lets a forged or stale JWT through. It knows nothing about the mock beyond its wire
format and, for the auth bypasses, a token the mock accepts.

`EXPECTED` says, for each drift, at which operation, by which check and at which JSON pointer the contract
runner must report it; `COLLATERAL` names the other operations where the same drift may legitimately show
(a detail route that drifts makes its list route's list-detail check fail too).
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

Headers = list[tuple[bytes, bytes]]
Rewrite = Callable[[dict, int, Headers, bytes], tuple[int, Headers, bytes] | None]


Before = Callable[[dict, bytes, str], dict | None]  # (scope, request body, a valid JWT) -> new scope or None


@dataclass(frozen=True)
class Drift:
    name: str
    method: str
    path: str  # regex on the request path
    rewrite: Rewrite
    before: Before | None = None


def _json(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return None


def _set_header(headers: Headers, name: str, value: str | None) -> Headers:
    kept = [(k, v) for k, v in headers if k.decode().lower() != name.lower()]
    return kept if value is None else [*kept, (name.lower().encode(), value.encode())]


def _query(scope: dict) -> dict[str, list[str]]:
    return parse_qs(scope.get("query_string", b"").decode())


def _edit_json(edit: Callable[[dict, dict], object], statuses: tuple[int, ...] = (200,)) -> Rewrite:
    def rewrite(scope: dict, status: int, headers: Headers, body: bytes):
        data = _json(body)
        if status not in statuses or not isinstance(data, dict):
            return None
        result = edit(data, scope)
        if result is False:
            return None
        return status, headers, json.dumps(data).encode()

    return rewrite


def _each_result(name: str, value: Callable[[dict], object]) -> Callable[[dict, dict], object]:
    def edit(data: dict, scope: dict):
        for item in data.get(name) or []:
            item_value = value(item)
            if item_value is not None:
                item.update(item_value)

    return edit


def _xml(node, name: str = "root") -> str:
    if isinstance(node, dict):
        return f"<{name}>{''.join(_xml(v, k) for k, v in node.items())}</{name}>"
    if isinstance(node, list):
        return f"<{name}>{''.join(_xml(v, 'list-item') for v in node)}</{name}>"
    return f"<{name}>{'' if node is None else escape(str(node))}</{name}>"


def _xml_by_default(scope: dict, status: int, headers: Headers, body: bytes):
    accept = dict(scope["headers"]).get(b"accept", b"").decode()
    data = _json(body)
    if status != 200 or "json" in accept or "xml" in accept or data is None:
        return None
    document = '<?xml version="1.0" encoding="utf-8"?>\n' + _xml(data)
    return status, _set_header(headers, "content-type", "application/xml; charset=utf-8"), document.encode()


def _relative_next(data: dict, scope: dict):
    if not data.get("next"):
        return False
    data["next"] = re.sub(r"^https?://[^/]+", "", data["next"])


def _next_loses_page(data: dict, scope: dict):
    # A proxy that rebuilds `next` from the request's own query: the page number is lost, page 2 is page 1 again.
    if not data.get("next"):
        return False
    data["next"] = re.sub(r"([?&])page=\d+&?", r"\1", data["next"]).rstrip("?&")


def _server_error(scope: dict, status: int, headers: Headers, body: bytes):
    size = (_query(scope).get("page_size") or ["0"])[0]
    if not size.isdigit() or int(size) <= 50:
        return None
    return 500, _set_header(headers, "content-type", "application/json"), b'{"detail": "Internal error"}'


def _text_plain(scope: dict, status: int, headers: Headers, body: bytes):
    return (status, _set_header(headers, "content-type", "text/plain"), body) if status == 200 else None


def _gone(scope: dict, status: int, headers: Headers, body: bytes):
    return (410, headers, body) if status == 404 else None


def _no_challenge(scope: dict, status: int, headers: Headers, body: bytes):
    return (status, _set_header(headers, "www-authenticate", None), body) if status == 401 else None


def _drf_body_on_blendx(scope: dict, status: int, headers: Headers, body: bytes):
    if status != 404:
        return None
    # A debug-mode server echoing the request's credentials: the report must still show none of them.
    sent = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
    echoed = {name: sent[name] for name in ("actionsecret", "authorization", "cookie") if name in sent}
    return status, headers, json.dumps({"detail": "Not found.", "request_headers": echoed}).encode()


def _strict_limit(scope: dict, status: int, headers: Headers, body: bytes):
    limit = (_query(scope).get("limit") or ["8"])[0]
    if limit.lstrip("-").isdigit():
        return None
    return 400, _set_header(headers, "content-type", "application/json"), b'{"message": "Bad limit", "status": "failed"}'


def _claims(scope: dict) -> tuple[dict, dict] | None:
    """(header, claims) of the request's JWT, read without any verification, or None."""
    value = dict(scope["headers"]).get(b"authorization", b"").decode()
    parts = value.split()
    if len(parts) != 2 or parts[0].lower() != "jwt" or parts[1].count(".") != 2:
        return None
    try:
        head, claims = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in parts[1].split(".")[:2])
    except ValueError:
        return None
    return head, claims


def _let_in(accepts: Callable[[dict, dict], bool]) -> Before:
    """A verifier that lets tokens `accepts` likes through: the app sees a token of its own instead."""

    def before(scope: dict, body: bytes, valid_token: str):
        token = _claims(scope)
        if token is None or not accepts(*token):
            return None
        headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
        return {**scope, "headers": [*headers, (b"authorization", f"JWT {valid_token}".encode())]}

    return before


def _unchanged(scope: dict, status: int, headers: Headers, body: bytes):
    return None


def _search_chokes_on_quotes(scope: dict, status: int, headers: Headers, body: bytes):
    # An Elasticsearch query_string built by hand: a quote makes the query unparsable and the view answers 500.
    text = " ".join(v for values in parse_qs(scope.get("drift.body", b"").decode()).values() for v in values)
    if "'" not in text and '"' not in text:
        return None
    return 500, _set_header(headers, "content-type", "application/json"), \
        b'{"error": "Failed to parse query [O\'Reilly]: lexical error"}'


def _drop(field: str) -> Callable[[dict, dict], object]:
    def edit(data: dict, scope: dict):
        if field not in data:
            return False
        del data[field]

    return edit


def _set(field: str, value: Callable[[object], object]) -> Callable[[dict, dict], object]:
    def edit(data: dict, scope: dict):
        if field not in data:
            return False
        data[field] = value(data[field])

    return edit


_CATALOGS = r"^/catalog/v1/catalogs/$"
_CATALOG = r"^/catalog/v1/catalogs/[^/]+/$"
_CATALOG_COURSES = r"^/catalog/v1/catalogs/[^/]+/courses/$"
_CATALOG_ANY = r"^/catalog/v1/"
_ENT_LIST = r"^/enterprise/v1/enterprise-catalogs/?$"
_ENT_CATALOG = r"^/enterprise/v2/enterprise-catalogs/[^/]+/?$"
_ENT_RUN = r"^/enterprise/v2/enterprise-catalogs/[^/]+/course-runs/[^/]+/?$"
_ENT_COURSE = r"^/enterprise/v2/enterprise-catalogs/[^/]+/courses/[^/]+/?$"
_ENT_PROGRAM = r"^/enterprise/v2/enterprise-catalogs/[^/]+/programs/[^/]+/?$"
_LEARNERS = r"^/enterprise/v3/enterprise-customer/[^/]+/learner-summary/?$"
_BX_LIST = r"^/blendxapi/discovery/courses/$"
_BX_DETAIL = r"^/blendxapi/discovery/course/.+/$"
_SEARCH = r"^/search/course_discovery/$"

DRIFTS: tuple[Drift, ...] = (
    Drift("type-changed", "GET", _CATALOGS,
          _edit_json(_each_result("results", lambda item: {"courses_count": str(item.get("courses_count"))}))),
    Drift("required-field-gone", "GET", _ENT_PROGRAM, _edit_json(_drop("title"))),
    Drift("wrong-status", "GET", _CATALOG, _gone),
    Drift("broken-next-link", "GET", _CATALOG_COURSES, _edit_json(_relative_next)),
    Drift("wrong-content-type", "GET", _CATALOG, _text_plain),
    Drift("xml-by-default", "GET", _ENT_LIST, _xml_by_default),
    Drift("server-error", "GET", _LEARNERS, _server_error),
    Drift("list-detail-mismatch", "GET", _BX_DETAIL, _edit_json(_set("display_name", lambda v: f"{v} (renamed)"))),
    Drift("bad-key-format", "GET", _ENT_RUN, _edit_json(_set("key", lambda v: str(v).removeprefix("course-v1:")))),
    Drift("wrong-has-more", "GET", _BX_LIST, _edit_json(_set("has_more", lambda v: not v))),
    Drift("missing-www-authenticate", "GET", _CATALOG_ANY, _no_challenge),
    Drift("wrong-error-family", "GET", _BX_DETAIL, _drf_body_on_blendx),
    Drift("search-total", "POST", _SEARCH, _edit_json(_set("total", lambda v: 0))),
    Drift("relative-enrollment-url", "GET", _ENT_COURSE,
          _edit_json(_set("enrollment_url", lambda v: re.sub(r"^https?://[^/]+", "", v or "")))),
    Drift("course-api-url", "GET", _LEARNERS,
          _edit_json(_each_result("results", lambda row: {"course_api_url": str(row.get("course_api_url")).replace(
              "/enterprise/v1/enterprise-catalogs/", "/enterprise/v2/enterprise-catalogs/")}))),
    Drift("strict-limit", "GET", _BX_LIST, _strict_limit),
    Drift("accepts-alg-none", "GET", _ENT_PROGRAM, _unchanged,
          before=_let_in(lambda head, claims: str(head.get("alg", "")).lower() == "none")),
    Drift("accepts-expired-jwt", "GET", _ENT_RUN, _unchanged,
          before=_let_in(lambda head, claims: isinstance(claims.get("exp"), int) and claims["exp"] < time.time())),
    Drift("search-quote-500", "POST", _SEARCH, _search_chokes_on_quotes),
    Drift("next-loses-page", "GET", _ENT_CATALOG, _edit_json(_next_loses_page)),
)
ALL = frozenset(d.name for d in DRIFTS)

# drift -> (operation label, check, JSON pointer) the runner must report.
EXPECTED: dict[str, tuple[str, str, str]] = {
    "type-changed": ("GET /catalogs/", "response_schema_conformance", "/results/0/courses_count"),
    "required-field-gone": ("GET /v2/enterprise-catalogs/{catalog_id}/programs/{program_uuid}",
                            "response_schema_conformance", "/title"),
    "wrong-status": ("GET /catalogs/{id}/", "missing_resource", "/status"),
    "broken-next-link": ("GET /catalogs/{id}/courses/", "drf_pagination", "/next"),
    "wrong-content-type": ("GET /catalogs/{id}/", "content_type_conformance", "/headers/Content-Type"),
    "xml-by-default": ("GET /v1/enterprise-catalogs", "enterprise_content_type", "/headers/Content-Type"),
    "server-error": ("GET /v3/enterprise-customer/{enterprise_uuid}/learner-summary", "not_a_server_error", "/status"),
    "list-detail-mismatch": ("GET /blendxapi/discovery/courses/", "list_detail_agreement", "/courses/0/display_name"),
    "bad-key-format": ("GET /v2/enterprise-catalogs/{catalog_id}/course-runs/{course_run_id}", "key_formats", "/key"),
    "wrong-has-more": ("GET /blendxapi/discovery/courses/", "blendx_paging", "/has_more"),
    "missing-www-authenticate": ("GET /catalogs/", "auth_rejection", "/headers/WWW-Authenticate"),
    "wrong-error-family": ("GET /blendxapi/discovery/course/{openedx_course_id}/", "missing_resource", "/message"),
    "search-total": ("POST /search/course_discovery/", "search_paging", "/total"),
    "relative-enrollment-url": ("GET /v2/enterprise-catalogs/{catalog_id}/courses/{course_key}", "url_shapes",
                                "/enrollment_url"),
    "course-api-url": ("GET /v3/enterprise-customer/{enterprise_uuid}/learner-summary", "url_shapes",
                       "/results/0/course_api_url"),
    "strict-limit": ("GET /blendxapi/discovery/courses/", "declared_leniency", "/query/limit"),
    "accepts-alg-none": ("GET /v2/enterprise-catalogs/{catalog_id}/programs/{program_uuid}", "auth_rejection",
                         "/status"),
    "accepts-expired-jwt": ("GET /v2/enterprise-catalogs/{catalog_id}/course-runs/{course_run_id}", "auth_rejection",
                            "/status"),
    "search-quote-500": ("POST /search/course_discovery/", "hostile_input", "/body/search_string"),
    "next-loses-page": ("GET /v2/enterprise-catalogs/{catalog_id}", "drf_pagination", "/next"),
}

_ENT_CATALOG_LIST = "GET /v2/enterprise-catalogs/{catalog_id}"
COLLATERAL: dict[str, frozenset[str]] = {
    # The catalog list's list-detail check fetches the detail, which now answers text/plain.
    "wrong-content-type": frozenset({"GET /catalogs/"}),
    # Every catalog route loses the challenge on its 401.
    "missing-www-authenticate": frozenset({"GET /catalogs/{id}/", "GET /catalogs/{id}/courses/"}),
    # The enterprise catalog lists the run under its real key; the run's detail now says otherwise.
    "bad-key-format": frozenset({_ENT_CATALOG_LIST}),
}


class DriftMiddleware:
    """Wrap an ASGI app and rewrite its responses according to the enabled drifts."""

    def __init__(self, app, drifts: Iterable[str] = ALL) -> None:
        unknown = set(drifts) - ALL
        if unknown:
            raise ValueError(f"unknown drifts: {sorted(unknown)}")
        self.app = app
        self.drifts = [d for d in DRIFTS if d.name in set(drifts)]
        self._token: str | None = None

    def valid_token(self) -> str:
        if self._token is None:
            from mockserver.testing import token_for

            self._token = token_for(self.app)
        return self._token

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rules = [d for d in self.drifts if d.method == scope["method"] and re.match(d.path, scope["path"])]
        if not rules:
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False) and message["type"] == "http.request"
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        scope = {**scope, "drift.body": body}
        for rule in rules:
            if rule.before is not None:
                scope = rule.before(scope, body, self.valid_token()) or scope
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, replay, capture)
        status, headers, body = start["status"], list(start.get("headers", [])), b"".join(chunks)
        for rule in rules:
            changed = rule.rewrite(scope, status, headers, body)
            if changed is not None:
                status, headers, body = changed
        headers = _set_header(headers, "content-length", str(len(body)))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
