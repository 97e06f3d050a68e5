"""Domain checks of the contract runner: the rules of these APIs that schema conformance cannot express.

Each check is registered with `@domain_check`, which registers it with schemathesis exactly the way
schemathesis registers its own (`schemathesis.check`), so the engine runs it on every response and
records its failures next to the built-in ones. Each check's docstring names the rule it enforces;
each failure is a typed `ContractDrift` subclass (see `failures.py`) carrying operation, JSON pointer,
expected and actual value.

A check that needs more than the response in hand (following `next`, fetching a detail route, probing
auth or leniency) sends its requests through the run's `RunContext`, under the safety policy and
rate limit, and memoises its findings per input: the same input always yields the same verdict.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlsplit

import defusedxml.ElementTree as SafeET
from schemathesis.core.failures import FailureGroup

from mockserver.contract.context import RunContext, active_run, header, json_body, media_type
from mockserver.contract.failures import (
    AuthChallengeDrift,
    BlendxPagingDrift,
    ContentNegotiationDrift,
    ContractDrift,
    ErrorFamilyDrift,
    FieldSetDrift,
    KeyFormatDrift,
    LeniencyDrift,
    ListDetailMismatch,
    PaginationDrift,
    SearchPagingDrift,
    UrlShapeDrift,
    escape_pointer,
)
from mockserver.specs import resolve_ref

__all__ = ["DOMAIN_CHECKS", "domain_check", "COURSE_KEY", "RUN_KEY", "UUID", "PROBE_VALUES"]

DomainCheck = Callable[[RunContext, Any, Any], list[ContractDrift]]
DOMAIN_CHECKS: dict[str, Callable[..., Any]] = {}

# edX opaque keys (ground truth §5): parts are `[\w\-~.:]`; course `Org+Num`, run `course-v1:Org+Num+Run`,
# and the deprecated slash forms of both.
_PART = r"[\w\-~.:]+"
COURSE_KEY = re.compile(rf"^{_PART}\+{_PART}$|^{_PART}/{_PART}$")
RUN_KEY = re.compile(rf"^course-v1:{_PART}\+{_PART}\+{_PART}$|^{_PART}/{_PART}/{_PART}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_AGGREGATION_VALUE = {"course": COURSE_KEY, "courserun": COURSE_KEY, "program": UUID}

# What the auth probes send on purpose. Not secrets: the report shows them, so its curl reproduces the probe.
PROBE_JWT_HEADER = "JWT not-a-valid-token"
PROBE_ACTION_SECRET = "not-the-action-secret"
PROBE_VALUES = frozenset({PROBE_JWT_HEADER, PROBE_ACTION_SECRET})

_PAGING_PARAMS = frozenset({"page", "page_size", "limit", "offset"})
_IDENTITY_FIELDS = ("key", "uuid", "id", "openedx_course_id", "enrollment_id", "aggregation_key")
_JWT_CHALLENGE = 'JWT realm="api"'


def domain_check(func: DomainCheck) -> Callable[..., Any]:
    """Register `func(run, response, case) -> [ContractDrift]` as a schemathesis check.

    The wrapper finds the active contract run (none: the check is a no-op), runs `func` and raises its
    findings the way schemathesis expects: one `Failure`, or a `FailureGroup` of several.
    """

    @functools.wraps(func)
    def wrapper(ctx: Any, response: Any, case: Any) -> bool | None:
        run = active_run(case)
        if run is None or func.__name__ not in run.enabled_checks:
            return None
        findings = _dedupe(func(run, response, case))
        if len(findings) == 1:
            raise findings[0]
        if findings:
            raise FailureGroup(findings)
        return None

    import schemathesis

    schemathesis.check(wrapper)
    DOMAIN_CHECKS[func.__name__] = wrapper
    return wrapper


def _dedupe(findings: list[ContractDrift]) -> list[ContractDrift]:
    seen: dict[tuple, ContractDrift] = {}
    for finding in findings:
        seen.setdefault((type(finding), finding.operation, finding.pointer, str(finding.expected)), finding)
    return list(seen.values())


# -- helpers -------------------------------------------------------------------------------------------


def _request_url(response: Any) -> str:
    return str(response.request.url)


def _request_query(response: Any) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(_request_url(response)).query, keep_blank_values=True)


def _family(url_path: str) -> str:
    if url_path.startswith("/search/"):
        return "search"
    if url_path.startswith("/blendxapi/"):
        return "blendx"
    if url_path.startswith("/oauth2/"):
        return "oauth"
    return "edx"


def _walk(node: Any, pointer: str = "", parent: dict | None = None, key: str | None = None) -> Iterator[tuple]:
    """Yield `(pointer, object, parent object, key under which it sits)` for every JSON object."""
    if isinstance(node, dict):
        yield pointer, node, parent, key
        for name, value in node.items():
            yield from _walk(value, f"{pointer}/{escape_pointer(name)}", node, name)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{index}", parent, key)


def _identity(item: Any) -> str:
    if isinstance(item, dict):
        for name in _IDENTITY_FIELDS:
            if item.get(name) not in (None, ""):
                return f"{item.get('content_type', '')}:{name}={item[name]}"
    return json.dumps(item, sort_keys=True, default=str)


def _fill_path(template: str, values: dict[str, Any]) -> str:
    def repl(match: re.Match) -> str:
        # schemathesis keeps path parameters percent-encoded; decode first so nothing is encoded twice.
        return quote(unquote(str(values[match.group(1)])), safe=":+@~,")

    return re.sub(r"\{([^}]+)\}", repl, template)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# -- error families (shared by the response check and the probes) ---------------------------------------


def _family_findings(
    label: str, url: str, status: int, headers: Any, content: bytes, body: Any, request: Any = None
) -> list[ContractDrift]:
    """Rules for error bodies per API family (docs/architecture.md, "Error bodies")."""
    family = _family(urlsplit(url).path)
    findings: list[ContractDrift] = []

    def drift(pointer: str, expected: Any, actual: Any, cls: type[ContractDrift] = ErrorFamilyDrift) -> None:
        findings.append(cls(operation=label, pointer=pointer, expected=expected, actual=actual, request=request))

    def get(name: str) -> str | None:
        return header(headers, name)

    keys = sorted(body) if isinstance(body, dict) else body
    if family == "search":
        if status == 405:
            if content:
                drift("", "empty body on 405 (edx-search @require_POST)", content[:80].decode("utf-8", "replace"))
            if "POST" not in (get("Allow") or ""):
                drift("/headers/Allow", "Allow: POST", get("Allow"))
        elif not (isinstance(body, dict) and set(body) == {"error"} and isinstance(body.get("error"), str)):
            drift("/error", 'edx-search error body {"error": <string>} and nothing else', keys)
    elif family == "blendx":
        if not (isinstance(body, dict) and isinstance(body.get("message"), str) and body.get("status") == "failed"):
            drift("/status" if isinstance(body, dict) and "message" in body else "/message",
                  'BlendX error body {"message": <string>, "status": "failed"}', keys)
    elif family == "oauth":
        if not (isinstance(body, dict) and ("error" in body or "message" in body)):
            drift("/error", 'OAuth error body {"error": ..., "error_description": ...}', keys)
    elif status in (400, 405):
        # Rejected by the api.edx.org gateway before reaching the service.
        if not (isinstance(body, dict) and isinstance(body.get("message"), str)):
            drift("/message", 'gateway error body {"message": <string>}', keys)
        if status == 405 and not get("Allow"):
            drift("/headers/Allow", "an Allow header on 405", None)
    elif 400 < status < 500:
        if not (isinstance(body, dict) and isinstance(body.get("detail"), str)):
            drift("/detail", 'DRF error body {"detail": <string>}', keys)
        if status == 401 and get("WWW-Authenticate") != _JWT_CHALLENGE:
            drift("/headers/WWW-Authenticate", _JWT_CHALLENGE, get("WWW-Authenticate"), AuthChallengeDrift)
        if status == 429 and not get("Retry-After"):
            drift("/headers/Retry-After", "a Retry-After header on 429", None)
    return findings


# -- the checks ----------------------------------------------------------------------------------------


@domain_check
def error_family(run: RunContext, response: Any, case: Any) -> list[ContractDrift]:
    """Error bodies belong to their API's family: gateway `{"message"}` (edX 400/405), DRF `{"detail"}` (edX 401,
    403, 404, 406, 429; 401 with `WWW-Authenticate: JWT realm="api"`), BlendX `{"message", "status": "failed"}`,
    edx-search `{"error"}` as the only key (405: empty body, `Allow: POST`)."""
    status = response.status_code
    if status < 400 or status >= 500 and _family(urlsplit(_request_url(response)).path) == "edx":
        return []
    return _family_findings(
        case.operation.label, _request_url(response), status, response.headers, response.content, json_body(response)
    )


@domain_check
def drf_pagination(run: RunContext, response: Any, case: Any) -> list[ContractDrift]:
    """DRF pages (ground truth §1.3): `next`/`previous` are absolute URLs on the same route that keep every other
    query parameter; following `next` from the first page answers 200 with the same `count`, never repeats an item,
    and the pages add up to `count`."""
    body = json_body(response)
    if response.status_code != 200 or not isinstance(body, dict):
        return []
    if not {"count", "next", "previous", "results"} <= set(body) or not isinstance(body["results"], list):
        return []
    label = case.operation.label
    findings: list[ContractDrift] = []
    request_url = _request_url(response)
    kept = [(k, v) for k, v in _request_query(response) if k not in _PAGING_PARAMS]
    count = body["count"]
    if _is_int(count) and len(body["results"]) > count:
        findings.append(PaginationDrift(operation=label, pointer="/results", expected=f"at most count={count} items",
                                        actual=len(body["results"])))
    for link in ("next", "previous"):
        value = body.get(link)
        if value in (None, ""):
            continue
        findings.extend(_link_findings(label, link, value, request_url, kept))
    if findings:
        return findings
    query = dict(_request_query(response))
    first_page = query.get("page") in (None, "", "1") and query.get("offset") in (None, "", "0")
    if not first_page or not _is_int(count) or body.get("next") in (None, ""):
        if first_page and _is_int(count) and body.get("next") in (None, "") and len(body["results"]) < count:
            findings.append(PaginationDrift(operation=label, pointer="/next",
                                            expected=f"a next link: {len(body['results'])} of count={count} items shown",
                                            actual=body.get("next")))
        return findings
    key = ("walk:" + label, urlsplit(request_url).path, tuple(sorted(kept)), json.dumps(body, sort_keys=True)[:4096])
    return run.memo(key, lambda: _walk_pages(run, label, body, kept), limit=3)


def _link_findings(label: str, link: str, value: Any, request_url: str, kept: list) -> list[ContractDrift]:
    pointer = f"/{link}"
    if not isinstance(value, str):
        return [PaginationDrift(operation=label, pointer=pointer, expected="an absolute URL or null", actual=value)]
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [PaginationDrift(operation=label, pointer=pointer, expected="an absolute URL", actual=value)]
    if parts.path.rstrip("/") != urlsplit(request_url).path.rstrip("/"):
        return [PaginationDrift(operation=label, pointer=pointer, expected=f"a link to {urlsplit(request_url).path}",
                                actual=value)]
    link_query = parse_qs(parts.query, keep_blank_values=True)
    missing = [f"{k}={v}" for k, v in kept if v not in link_query.get(k, [])]
    if missing:
        return [PaginationDrift(operation=label, pointer=pointer, expected=f"keeps the query parameters {missing}",
                                actual=value)]
    return []


def _walk_pages(run: RunContext, label: str, first: dict, kept: list) -> list[ContractDrift]:
    count = first["count"]
    seen = {_identity(item) for item in first["results"]}
    total = len(first["results"])
    url = first["next"]
    pages = 1
    while url not in (None, "") and pages < run.max_pages:
        if not isinstance(url, str) or not urlsplit(url).netloc:
            return [PaginationDrift(operation=label, pointer="/next", expected="an absolute URL", actual=url)]
        if not run.policy.same_origin(url):
            return [PaginationDrift(operation=label, pointer="/next", expected=f"a link on {run.policy.base_url}",
                                    actual=url)]
        response = run.send("GET", url)
        request = run.describe(response)
        body = json_body(response)
        if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("results"), list):
            return [PaginationDrift(operation=label, pointer="/next", expected="the next page answers 200 with a page",
                                    actual=f"{response.status_code} {media_type(response.headers.get('content-type'))}",
                                    request=request)]
        pages += 1
        if body.get("count") != count:
            return [PaginationDrift(operation=label, pointer="/count", expected=count, actual=body.get("count"),
                                    message=f"count changed from {count} to {body.get('count')} on page {pages}",
                                    request=request)]
        for index, item in enumerate(body["results"]):
            ident = _identity(item)
            if ident in seen:
                return [PaginationDrift(operation=label, pointer=f"/results/{index}",
                                        expected="no item repeated across pages", actual=ident, request=request)]
            seen.add(ident)
        total += len(body["results"])
        link_findings = [
            f for link in ("next", "previous") if body.get(link) not in (None, "")
            for f in _link_findings(label, link, body[link], url, kept)
        ]
        if link_findings:
            for finding in link_findings:
                finding.request = request
            return link_findings
        url = body.get("next")
    if url in (None, "") and total != count:
        return [PaginationDrift(operation=label, pointer="/count", expected=count, actual=total,
                                message=f"walking next links gave {total} items, count says {count}")]
    return []


# Which list items answer in which detail route, and which of their fields must agree.
_DETAIL_ROUTES: dict[str, list[dict[str, Any]]] = {
    "catalog": [
        {"list": r"/catalogs/?", "items": "results", "detail": r"/catalogs/\{id\}/?",
         "params": lambda item, case: {"id": item.get("id")}, "fields": None},
    ],
    "enterprise": [
        {"list": r"/v2/enterprise-catalogs/\{catalog_id\}/?", "items": "results", "when": ("content_type", "course"),
         "detail": r"/v2/enterprise-catalogs/\{catalog_id\}/courses/\{course_key\}/?",
         "params": lambda item, case: {"catalog_id": case.path_parameters.get("catalog_id"), "course_key": item.get("key")},
         "fields": ("key", "title")},
        {"list": r"/v2/enterprise-catalogs/\{catalog_id\}/?", "items": "results", "when": ("content_type", "courserun"),
         "detail": r"/v2/enterprise-catalogs/\{catalog_id\}/course-runs/\{course_run_id\}/?",
         "params": lambda item, case: {"catalog_id": case.path_parameters.get("catalog_id"),
                                       "course_run_id": item.get("key")},
         "fields": ("key", "title")},
        {"list": r"/v2/enterprise-catalogs/\{catalog_id\}/?", "items": "results", "when": ("content_type", "program"),
         "detail": r"/v2/enterprise-catalogs/\{catalog_id\}/programs/\{program_uuid\}/?",
         "params": lambda item, case: {"catalog_id": case.path_parameters.get("catalog_id"),
                                       "program_uuid": item.get("uuid")},
         "fields": ("uuid", "title")},
    ],
    "blendx": [
        {"list": r"/blendxapi/discovery/courses/?", "items": "courses",
         "detail": r"/blendxapi/discovery/course/\{openedx_course_id\}/?",
         "params": lambda item, case: {"openedx_course_id": item.get("openedx_course_id")},
         "fields": ("id", "openedx_course_id", "display_name", "short_description", "price", "start", "end",
                    "is_invite_only", "is_published", "avg_rating", "course_mode", "overview", "effort",
                    "enrollment_start", "enrollment_end", "certificate_available_date", "language", "self_paced",
                    "course_video_url", "has_any_active_web_certificate", "available_course_modes")},
    ],
}


@domain_check
def list_detail_agreement(run: RunContext, response: Any, case: Any) -> list[ContractDrift]:
    """The world is coherent: an item a list route returns answers 200 in its detail route, with the same values
    for the fields both carry (catalogs; enterprise catalog courses, runs and programs; BlendX courses)."""
    body = json_body(response)
    if response.status_code != 200 or not isinstance(body, dict):
        return []
    findings: list[ContractDrift] = []
    label = case.operation.label
    for route in _DETAIL_ROUTES.get(run.api, []):
        if not re.fullmatch(route["list"], case.operation.path):
            continue
        detail_path = run.find_path(route["detail"])
        items = body.get(route["items"])
        if detail_path is None or not isinstance(items, list):
            continue
        checked = 0
        for index, item in enumerate(items):
            if checked >= run.max_details_per_response:
                break
            if not isinstance(item, dict):
                continue
            when = route.get("when")
            if when and item.get(when[0]) != when[1]:
                continue
            params = route["params"](item, case)
            if any(value in (None, "") for value in params.values()):
                continue
            checked += 1
            url = run.url_for(_fill_path(detail_path, params))
            fields = route["fields"] or tuple(item)
            listed = {name: item[name] for name in fields if name in item}
            key = ("detail:" + label, url, json.dumps(listed, sort_keys=True, default=str))
            pointer = f"/{route['items']}/{index}"
            findings.extend(run.memo(key, functools.partial(_compare_detail, run, label, url, listed, pointer),
                                     limit=40))
    return findings


def _compare_detail(run: RunContext, label: str, url: str, listed: dict, pointer: str) -> list[ContractDrift]:
    response = run.send("GET", url)
    request = run.describe(response)
    detail = json_body(response)
    if response.status_code != 200 or not isinstance(detail, dict):
        return [ListDetailMismatch(operation=label, pointer=pointer,
                                   expected=f"listed item answers 200 JSON at {urlsplit(url).path}",
                                   actual=f"{response.status_code} {media_type(response.headers.get('content-type'))}",
                                   request=request)]
    return [
        ListDetailMismatch(operation=label, pointer=f"{pointer}/{escape_pointer(name)}", expected=value,
                           actual=detail[name], request=request,
                           message=f"list says {name}={value!r}, detail route says {detail[name]!r}")
        for name, value in listed.items()
        if name in detail and detail[name] != value
    ]


@domain_check
def key_formats(run: RunContext, response: Any, case: Any) -> list[ContractDrift]:
    """edX opaque keys (ground truth §5): course keys `Org+Num`, run keys `course-v1:Org+Num+Run`, aggregation keys
    `course:<Org+Num>` / `courserun:<Org+Num>` / `program:<uuid>` matching `content_type`; a run's `course` is its
    parent's key; a detail route answers for the key it was asked for; edx-search `_id` equals `data.id`."""
    body = json_body(response)
    if response.status_code != 200 or body is None:
        return []
    label = case.operation.label
    findings: list[ContractDrift] = []

    def bad(pointer: str, expected: str, actual: Any) -> None:
        findings.append(KeyFormatDrift(operation=label, pointer=pointer, expected=expected, actual=actual))

    def expect(pointer: str, value: Any, pattern: re.Pattern, what: str) -> None:
        if not isinstance(value, str) or not pattern.match(value):
            bad(pointer, what, value)

    for pointer, obj, parent, under in _walk(body):
        content_type = obj.get("content_type")
        if "aggregation_key" in obj and obj["aggregation_key"] is not None:
            value = obj["aggregation_key"]
            prefix, _, rest = str(value).partition(":")
            pattern = _AGGREGATION_VALUE.get(prefix)
            if content_type in _AGGREGATION_VALUE and prefix != content_type:
                bad(f"{pointer}/aggregation_key", f"{content_type}:<...> (content_type is {content_type})", value)
            elif pattern is not None and not pattern.match(rest):
                bad(f"{pointer}/aggregation_key", f"{prefix}:<{'uuid' if prefix == 'program' else 'Org+Num'}>", value)
        if "key" in obj:
            if content_type == "course" or (content_type is None and isinstance(obj.get("course_runs"), list)):
                expect(f"{pointer}/key", obj["key"], COURSE_KEY, "a course key Org+Num")
            elif content_type == "courserun" or under == "course_runs":
                expect(f"{pointer}/key", obj["key"], RUN_KEY, "a run key course-v1:Org+Num+Run")
        if under == "course_runs" and isinstance(parent, dict) and "course" in obj and "key" in parent:
            if obj["course"] != parent["key"]:
                bad(f"{pointer}/course", parent["key"], obj["course"])
        if "openedx_course_id" in obj:
            expect(f"{pointer}/openedx_course_id", obj["openedx_course_id"], RUN_KEY, "a run key course-v1:Org+Num+Run")
        if "courserun_key" in obj:
            expect(f"{pointer}/courserun_key", obj["courserun_key"], RUN_KEY, "a run key course-v1:Org+Num+Run")
            if "course_key" in obj:
                expect(f"{pointer}/course_key", obj["course_key"], COURSE_KEY, "a course key Org+Num")
        if "_id" in obj and isinstance(obj.get("data"), dict):
            if obj["_id"] != obj["data"].get("id"):
                bad(f"{pointer}/_id", obj["data"].get("id"), obj["_id"])
            expect(f"{pointer}/data/id", obj["data"].get("id"), RUN_KEY, "a run key course-v1:Org+Num+Run")
    if isinstance(body, dict):
        for param, field, pattern, what in (
            ("course_key", "key", COURSE_KEY, "a course key Org+Num"),
            ("course_run_id", "key", RUN_KEY, "a run key course-v1:Org+Num+Run"),
            ("program_uuid", "uuid", UUID, "a lowercase hyphenated UUID"),
            ("openedx_course_id", "openedx_course_id", RUN_KEY, "a run key course-v1:Org+Num+Run"),
        ):
            asked = case.path_parameters.get(param) if case.path_parameters else None
            asked = unquote(str(asked)) if asked is not None else None
            if asked is None or field not in body:
                continue
            if not isinstance(body[field], str) or not pattern.match(body[field]):
                bad(f"/{field}", what, body[field])
            elif body[field] != asked:
                bad(f"/{field}", f"{asked} (the key asked for)", body[field])
    return findings


_ENROLL_PATH = re.compile(
    r"^/enterprise/(?P<customer>[0-9a-f-]{36})/(?P<kind>course|program)/(?P<key>[^/]+)/enroll/?$")
_COURSE_API_PATH = re.compile(r"^/enterprise/v1/enterprise-catalogs/(?P<customer>[0-9a-f-]{36})/courses/(?P<key>.+)$")


@domain_check
def url_shapes(run: RunContext, response: Any, case: Any) -> list[ContractDrift]:
    """`enrollment_url` is the LMS enterprise enroll URL `https://<lms>/enterprise/<customer uuid>/course/<key>/enroll/
    ?catalog=<catalog uuid>...` for the item's own key (programs: `/program/<uuid>/enroll/`; edx-enterprise);
    `course_api_url` is
    `/enterprise/v1/enterprise-catalogs/<enterprise_customer_uuid>/courses/<courserun_key>` (edx-enterprise-data's
    quirk: customer uuid and run key)."""
    body = json_body(response)
    if response.status_code != 200 or body is None:
        return []
    label = case.operation.label
    findings: list[ContractDrift] = []
    catalog_id = (case.path_parameters or {}).get("catalog_id")
    for pointer, obj, _parent, _under in _walk(body):
        url = obj.get("enrollment_url")
        if isinstance(url, str):
            parts = urlsplit(url)
            match = _ENROLL_PATH.match(parts.path)
            query = parse_qs(parts.query)
            where = f"{pointer}/enrollment_url"
            if parts.scheme not in ("http", "https") or not parts.netloc or not match:
                findings.append(UrlShapeDrift(operation=label, pointer=where,
                                              expected="https://<lms>/enterprise/<customer>/{course|program}/<key>/enroll/"
                                                       "?catalog=<uuid>",
                                              actual=url))
            elif (own := obj.get("key") if match.group("kind") == "course" else obj.get("uuid")) and \
                    isinstance(own, str) and unquote(match.group("key")) != own:
                findings.append(UrlShapeDrift(operation=label, pointer=where,
                                              expected=f"…/{match.group('kind')}/{own}/enroll/", actual=url))
            elif catalog_id and query.get("catalog") != [str(catalog_id)]:
                findings.append(UrlShapeDrift(operation=label, pointer=where, expected=f"?catalog={catalog_id}",
                                              actual=url))
        elif url is not None and "enrollment_url" in obj:
            findings.append(UrlShapeDrift(operation=label, pointer=f"{pointer}/enrollment_url",
                                          expected="a URL string or null", actual=url))
        api_url = obj.get("course_api_url")
        if "course_api_url" in obj:
            match = _COURSE_API_PATH.match(api_url) if isinstance(api_url, str) else None
            customer, run_key = obj.get("enterprise_customer_uuid"), obj.get("courserun_key")
            expected = f"/enterprise/v1/enterprise-catalogs/{customer}/courses/{run_key}"
            if not match or (customer and match.group("customer") != customer) or (run_key and match.group("key") != run_key):
                findings.append(UrlShapeDrift(operation=label, pointer=f"{pointer}/course_api_url", expected=expected,
                                              actual=api_url))
    return findings


_BLENDX_LIGHT = frozenset({
    "id", "openedx_course_id", "display_name", "display_image", "short_description", "price", "currency", "start",
    "end", "org", "org_logo_url", "org_favicon_url", "course_mode", "tags", "is_invite_only", "is_published",
    "avg_rating",
})
_BLENDX_FULL_ONLY = frozenset({
    "overview", "effort", "enrollment_start", "enrollment_end", "certificate_available_date",
    "has_any_active_web_certificate", "link_to_course", "language", "self_paced", "number", "course_video_url",
    "available_course_modes",
})


@domain_check
def blendx_paging(run: RunContext, response: Any, case: Any) -> list[ContractDrift]:
    """BlendX list arithmetic (document E10): `limit` is the requested limit clamped to 1..100 (default 8, non-numeric
    -> default), `page` >= 1 (default 1), `offset = (page-1)*limit`, `has_more = offset + len(courses) < total_count`,
    at most `limit` courses; `fields=light` items carry exactly the 17 light fields, `fields=full` adds the 12 full ones."""
    body = json_body(response)
    if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("courses"), list):
        return []
    if "total_count" not in body:
        return []
    label = case.operation.label
    findings: list[ContractDrift] = []

    def drift(pointer: str, expected: Any, actual: Any, cls: type[ContractDrift] = BlendxPagingDrift) -> None:
        findings.append(cls(operation=label, pointer=pointer, expected=expected, actual=actual))

    query = dict(_request_query(response))
    limit, page, offset, total = body.get("limit"), body.get("page"), body.get("offset"), body.get("total_count")
    courses = body["courses"]
    asked_limit = _parse_int(query.get("limit"))
    want_limit = 8 if asked_limit is None else min(max(asked_limit, 1), 100)
    if not _is_int(limit) or not 1 <= limit <= 100:
        drift("/limit", "an integer in 1..100", limit)
    elif limit != want_limit:
        drift("/limit", want_limit, limit)
    asked_page = _parse_int(query.get("page"))
    want_page = 1 if asked_page is None or asked_page < 1 else asked_page
    if page != want_page:
        drift("/page", want_page, page)
    if _is_int(limit) and _is_int(page) and offset != (page - 1) * limit:
        drift("/offset", (page - 1) * limit, offset)
    if _is_int(offset) and _is_int(total) and body.get("has_more") != (offset + len(courses) < total):
        drift("/has_more", offset + len(courses) < total, body.get("has_more"))
    if _is_int(limit) and len(courses) > limit:
        drift("/courses", f"at most limit={limit} courses", len(courses))
    full = query.get("fields") == "full"
    required = _BLENDX_LIGHT | _BLENDX_FULL_ONLY if full else _BLENDX_LIGHT
    reported: set[str] = set()
    # One finding per field, at the first item that breaks it: the same gap on every item is one drift.
    for index, item in enumerate(courses):
        if not isinstance(item, dict):
            continue
        for name in sorted((required - set(item)) - reported):
            reported.add(name)
            drift(f"/courses/{index}/{name}", f"present in a {'full' if full else 'light'} item", "missing",
                  FieldSetDrift)
        if not full:
            for name in sorted((_BLENDX_FULL_ONLY & set(item)) - reported):
                reported.add(name)
                drift(f"/courses/{index}/{name}", "absent from a light item", "present", FieldSetDrift)
    return findings


def _sent_form(response: Any) -> dict[str, str]:
    body = getattr(response.request, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str):
        return {}
    content_type = header(response.request.headers, "Content-Type") or ""
    if "multipart/form-data" in content_type:
        return dict(re.findall(r'name="([^"]+)"\r\n\r\n([^\r]*)\r\n', body))
    return dict(parse_qsl(body, keep_blank_values=True))


@domain_check
def search_paging(run: RunContext, response: Any, case: Any) -> list[ContractDrift]:
    """edx-search course discovery (ground truth E12): `total` >= the results shown, at most `page_size` results
    (default 20), `max_score` is null or a number no lower than any result's `score`, and `error` appears only on
    failure, as the sole key."""
    body = json_body(response)
    if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("results"), list):
        return []
    if "total" not in body and "took" not in body:
        return []
    label = case.operation.label
    findings: list[ContractDrift] = []
    results = body["results"]
    total = body.get("total")
    if not _is_int(total) or total < len(results):
        findings.append(SearchPagingDrift(operation=label, pointer="/total",
                                          expected="an integer >= the number of results", actual=total,
                                          message=f"total={total!r} but {len(results)} results on this page"))
    size = _parse_int(_sent_form(response).get("page_size")) or 20
    if len(results) > size:
        findings.append(SearchPagingDrift(operation=label, pointer="/results", expected=f"at most page_size={size}",
                                          actual=len(results)))
    max_score = body.get("max_score")
    scores = [r.get("score") for r in results if isinstance(r, dict) and isinstance(r.get("score"), (int, float))]
    if max_score is not None and not isinstance(max_score, (int, float)) or isinstance(max_score, bool):
        findings.append(SearchPagingDrift(operation=label, pointer="/max_score", expected="a number or null",
                                          actual=max_score))
    elif scores and isinstance(max_score, (int, float)) and max_score < max(scores):
        findings.append(SearchPagingDrift(operation=label, pointer="/max_score", expected=f">= {max(scores)}",
                                          actual=max_score))
    if "error" in body:
        findings.append(SearchPagingDrift(operation=label, pointer="/error", expected="absent on success",
                                          actual=body["error"]))
    return findings


def _declares_xml(run: RunContext, case: Any) -> bool:
    operation = run.operation(case.method, case.operation.path) or {}
    content = ((operation.get("responses") or {}).get("200") or {}).get("content") or {}
    return any(media_type(name) == "application/xml" for name in content)


@domain_check
def enterprise_content_type(run: RunContext, response: Any, case: Any) -> list[ContractDrift]:
    """Enterprise content negotiation (ground truth E4/E5, gt-4.13): JSON by default (no `Accept`, `*/*` or
    `application/json`), DRF XML (`application/xml`, `<root>` document) on `Accept: application/xml`."""
    if run.api != "enterprise" or response.status_code != 200 or not _declares_xml(run, case):
        return []
    label = case.operation.label
    findings: list[ContractDrift] = []
    accept = (header(response.request.headers, "Accept") or "*/*").lower()
    actual = media_type(header(response.headers, "Content-Type"))
    if "application/xml" not in accept and actual != "application/json":
        findings.append(ContentNegotiationDrift(operation=label, pointer="/headers/Content-Type",
                                                expected=f"application/json for Accept: {accept}", actual=actual))
    url = _request_url(response)
    findings.extend(run.memo(("xml:" + label, label), functools.partial(_probe_xml, run, label, url), limit=1))
    return findings


def _probe_xml(run: RunContext, label: str, url: str) -> list[ContractDrift]:
    response = run.send("GET", url, headers={"Accept": "application/xml"})
    request = run.describe(response)
    if response.status_code != 200:
        return []  # e.g. a drawn id that does not exist; the JSON side already covers the status
    actual = media_type(response.headers.get("content-type"))
    if actual != "application/xml":
        return [ContentNegotiationDrift(operation=label, pointer="/headers/Content-Type",
                                        expected="application/xml for Accept: application/xml", actual=actual,
                                        request=request)]
    try:
        root = SafeET.fromstring(response.content)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the finding
        return [ContentNegotiationDrift(operation=label, pointer="", expected="a well-formed XML document",
                                        actual=type(exc).__name__, request=request)]
    if root.tag != "root":
        return [ContentNegotiationDrift(operation=label, pointer="", expected="DRF XML root element <root>",
                                        actual=f"<{root.tag}>", request=request)]
    return []


def _security(run: RunContext, case: Any) -> list:
    operation = run.operation(case.method, case.operation.path) or {}
    return operation.get("security", run.raw_spec.get("security", []))


@domain_check
def auth_rejection(run: RunContext, response: Any, case: Any) -> list[ContractDrift]:
    """Bad credentials are rejected the real way (ground truth §1.1, E10): on edX routes an invalid JWT gets 401
    DRF `{"detail"}` with `WWW-Authenticate: JWT realm="api"` and a missing `Authorization` is refused (gateway 400
    `{"message"}` or 401); on BlendX routes a wrong `actionsecret` gets 401 `{"message", "status": "failed"}`. Every
    such status must be declared by the operation."""
    security = _security(run, case)
    if not security or response.status_code >= 400 or case.method.upper() != "GET":
        return []
    label = case.operation.label
    url = _request_url(response)
    return run.memo(("auth:" + label, label), functools.partial(_probe_auth, run, case, label, url, security), limit=1)


def _probe_auth(run: RunContext, case: Any, label: str, url: str, security: list) -> list[ContractDrift]:
    schemes = {name for requirement in security for name in requirement}
    declared = set((run.operation(case.method, case.operation.path) or {}).get("responses", {}))
    findings: list[ContractDrift] = []
    probes: list[tuple[str, dict[str, str], set[int]]] = []
    if "jwt" in schemes:
        probes.append(("invalid JWT", {"Authorization": PROBE_JWT_HEADER}, {401}))
        probes.append(("no Authorization header", {}, {400, 401}))
    elif "actionsecret" in schemes:
        probes.append(("wrong actionsecret", {"actionsecret": PROBE_ACTION_SECRET}, {401}))
    for what, headers, statuses in probes:
        response = run.send("GET", url, headers=headers, auth=False)
        request = run.describe(response)
        status = response.status_code
        if status not in statuses:
            findings.append(AuthChallengeDrift(operation=label, pointer="/status",
                                               expected=f"{' or '.join(map(str, sorted(statuses)))} for {what}",
                                               actual=status, request=request))
            continue
        if str(status) not in declared and "4XX" not in declared and "default" not in declared:
            findings.append(AuthChallengeDrift(operation=label, pointer="/status",
                                               expected=f"{status} declared in the spec", actual=sorted(declared),
                                               request=request))
        for finding in _family_findings(label, url, status, response.headers, response.content,
                                        json_body(response), request):
            finding.message = f"Probe with {what}, answered {status}. {finding.message}"
            findings.append(finding)
    return findings


_LENIENT_STATUS = {"default": "2xx", "clamp": "2xx", "first-page": "2xx", "ignored": "2xx", "404": 404, "500": 500}


def _invalid_values(schema: dict) -> list[str]:
    values: list[str] = []
    kind = schema.get("type")
    if kind in ("integer", "number"):
        values.append("abc")
        if schema.get("minimum") is not None:
            values.append(str(int(schema["minimum"]) - 1))
        if schema.get("maximum") is not None:
            values.append(str(int(schema["maximum"]) + 1))
    elif schema.get("enum"):
        values.append("not-a-listed-value")
    elif kind == "boolean":
        values.append("maybe")
    return values


def _parameters(run: RunContext, case: Any) -> list[dict]:
    """The operation's parameters (path-level ones first), `$ref`s resolved."""
    path_item = (run.raw_spec.get("paths") or {}).get(case.operation.path) or {}
    operation = run.operation(case.method, case.operation.path) or {}
    return [resolve_ref(run.raw_spec, p) for p in [*path_item.get("parameters", []), *operation.get("parameters", [])]]


def _lenient_parameters(run: RunContext, case: Any) -> Iterator[tuple[str, str, str, dict]]:
    """`(location, name, x-on-invalid, schema)` of every lenient parameter of the operation."""
    raw = run.raw_spec
    for parameter in _parameters(run, case):
        mode = parameter.get("x-on-invalid")
        if mode in _LENIENT_STATUS:
            yield parameter.get("in"), parameter.get("name"), mode, resolve_ref(raw, parameter.get("schema") or {})
    operation = run.operation(case.method, case.operation.path) or {}
    content = resolve_ref(raw, operation.get("requestBody") or {}).get("content") or {}
    for media, spec in content.items():
        if media_type(media) != "application/x-www-form-urlencoded":
            continue
        for name, schema in (resolve_ref(raw, spec.get("schema") or {}).get("properties") or {}).items():
            schema = resolve_ref(raw, schema)
            if schema.get("x-on-invalid") in _LENIENT_STATUS:
                yield "body", name, schema["x-on-invalid"], schema


@domain_check
def declared_leniency(run: RunContext, response: Any, case: Any) -> list[ContractDrift]:
    """Parameters marked `x-on-invalid` are lenient, not rejected (docs/architecture.md): an out-of-schema value
    falls back (`default`, `clamp`, `first-page`, `ignored`: 2xx), or answers the declared status (`404`, `500`) with
    its family's error body. This replaces schemathesis' `negative_data_rejection`, which real servers fail."""
    if response.status_code >= 300:
        return []
    lenient = list(_lenient_parameters(run, case))
    if not lenient:
        return []
    label = case.operation.label
    return run.memo(("lenient:" + label, label), functools.partial(_probe_leniency, run, case, label, lenient),
                    limit=1)


def _probe_leniency(run: RunContext, case: Any, label: str, lenient: list) -> list[ContractDrift]:
    findings: list[ContractDrift] = []
    for location, name, mode, schema in lenient:
        for value in _invalid_values(schema):
            path_params = dict(case.path_parameters or {})
            query = {k: v for k, v in (case.query or {}).items()}
            form = dict(case.body) if isinstance(case.body, dict) else None
            if location == "path":
                path_params[name] = value
            elif location == "query":
                query[name] = value
            elif location == "body":
                # Sibling lenient fields at their defaults: some are read only together (edx-search reads
                # `page_index` only when `page_size` is sent), and a probe must reach the code it means to test.
                siblings = {n: str(sch["default"]) for loc, n, _m, sch in lenient
                            if loc == "body" and n != name and "default" in sch}
                form = {**siblings, **(form or {}), name: value}
            else:
                continue
            url = run.url_for(_fill_path(case.operation.path, path_params))
            if case.method.upper() == "POST":
                response = run.send("POST", url, params=query or None, data=form or {})
            else:
                response = run.send(case.method.upper(), url, params=query or None)
            request = run.describe(response)
            expected = _LENIENT_STATUS[mode]
            status = response.status_code
            ok = 200 <= status < 300 if expected == "2xx" else status == expected
            if not ok:
                findings.append(LeniencyDrift(operation=label, pointer=f"/{location}/{name}",
                                              expected=f"{expected} for {name}={value!r} (x-on-invalid: {mode})",
                                              actual=status, request=request))
            elif status >= 400:
                findings.extend(_family_findings(label, str(response.request.url), status, response.headers,
                                                 response.content, json_body(response), request))
    return findings


def _absent_value(name: str, schema: dict) -> str | None:
    """A value of the parameter's own format that names nothing in any world."""
    if schema.get("type") == "integer":
        candidate = "987654321"
    elif schema.get("format") == "uuid" or "uuid" in name:
        candidate = "00000000-0000-4000-8000-000000000000"
    elif "run" in name or name == "openedx_course_id":
        candidate = "course-v1:NoSuchOrg+NoSuch404+2099_T9"
    elif "course_key" in name:
        candidate = "NoSuchOrg+NoSuch404"
    else:
        candidate = "no-such-item-404"
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, candidate):
        return None
    return candidate


@domain_check
def missing_resource(run: RunContext, response: Any, case: Any) -> list[ContractDrift]:
    """A detail route answers an id that does not exist with a declared 404 (or 403 where the real service denies
    first, ground truth E6) in its family's error body: DRF `{"detail"}`, BlendX `{"message", "status": "failed"}`."""
    if response.status_code >= 300 or case.method.upper() != "GET" or "{" not in case.operation.path:
        return []
    label = case.operation.label
    return run.memo(("absent:" + label, label), functools.partial(_probe_absent, run, case, label), limit=1)


def _probe_absent(run: RunContext, case: Any, label: str) -> list[ContractDrift]:
    operation = run.operation("GET", case.operation.path) or {}
    path_names = re.findall(r"\{([^}]+)\}", case.operation.path)
    if not path_names:
        return []
    last = path_names[-1]
    schema = next((resolve_ref(run.raw_spec, p.get("schema") or {}) for p in _parameters(run, case)
                   if p.get("in") == "path" and p.get("name") == last), {})
    value = _absent_value(last, schema)
    if value is None:
        return []
    url = run.url_for(_fill_path(case.operation.path, {**(case.path_parameters or {}), last: value}))
    response = run.send("GET", url, params=dict(case.query or {}) or None)
    request = run.describe(response)
    declared = set((operation.get("responses") or {}))
    status = response.status_code
    if status not in (403, 404) or str(status) not in declared:
        return [LeniencyDrift(operation=label, pointer="/status", expected=f"a declared 404 for {last}={value}",
                              actual=status, request=request)]
    return _family_findings(label, url, status, response.headers, response.content, json_body(response), request)
