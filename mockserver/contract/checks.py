"""Domain checks of the contract runner: the rules of these APIs that schema conformance cannot express.

Each check is registered with `@domain_check(...)`, which registers it with schemathesis exactly the way
schemathesis registers its own (`schemathesis.check`), so the engine runs it on every response and
records its failures next to the built-in ones. The decorator's options are the check's preconditions
(which statuses, which body shape, which APIs and methods it looks at), stated once instead of re-tested
in every check; a check reports through one `Collector` (`found(KeyFormatDrift, pointer, expected,
actual)`), and each failure is a typed `ContractDrift` subclass (see `failures.py`). Each check's
docstring names the rule it enforces; the report prints it.

A check that needs more than the response in hand (following `next`, fetching a detail route) sends its
requests through the run's `RunContext`, under the safety policy and rate limit, and memoises its
findings per input: the same input always yields the same verdict. Probes that a runner sends once per
operation whatever the generated cases did (auth, leniency, missing resources, hostile input, XML) live
in `probes.py`; the error-family rules both use are here (`family_errors`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from schemathesis.core.failures import FailureGroup

from mockserver.contract.context import RunContext, active_run, fill_path, header, json_body, media_type
from mockserver.contract.examples import LINKS
from mockserver.contract.failures import (
    AuthChallengeDrift,
    BlendxPagingDrift,
    Collector,
    ContentNegotiationDrift,
    ErrorFamilyDrift,
    FieldSetDrift,
    KeyFormatDrift,
    ListDetailMismatch,
    PaginationDrift,
    SearchPagingDrift,
    UrlShapeDrift,
    escape_pointer,
)
from mockserver.world.keys import UUID_RE, key_patterns

__all__ = ["DOMAIN_CHECKS", "domain_check", "Exchange", "family_errors", "api_family"]

DOMAIN_CHECKS: dict[str, Callable[..., Any]] = {}

_PAGING_PARAMS = frozenset({"page", "page_size", "limit", "offset"})
_IDENTITY_FIELDS = ("key", "uuid", "id", "openedx_course_id", "enrollment_id", "aggregation_key")
JWT_CHALLENGE = 'JWT realm="api"'


@dataclass(frozen=True)
class Exchange:
    """One response a check looks at: the run, schemathesis' response and case, the parsed JSON body."""

    run: RunContext
    response: Any
    case: Any
    body: Any

    @property
    def label(self) -> str:
        return self.case.operation.label

    @property
    def url(self) -> str:
        return str(self.response.request.url)

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    def keys(self) -> tuple[re.Pattern, re.Pattern]:
        """(course key, run key) patterns this run accepts."""
        return key_patterns(deprecated=self.run.deprecated_keys)


def domain_check(*, statuses: tuple[int, ...] | None = (200,), body: type | tuple[type, ...] | None = dict,
                 apis: tuple[str, ...] | None = None, errors: bool = False) -> Callable:
    """Register `func(exchange, found)` as a schemathesis check, run only when its preconditions hold.

    - `statuses`: the response statuses the check reads (`None`: any); `errors=True`: any 4xx/5xx instead;
    - `body`: the JSON body's type the check needs (`None`: any body, JSON or not);
    - `apis`: the APIs it applies to (`None`: all).

    Outside a contract run (someone's own schemathesis tests in the same process) the check is a no-op.
    Its findings are raised the way schemathesis expects: one `Failure`, or a `FailureGroup` of several.
    """

    def register(func: Callable[[Exchange, Collector], None]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(ctx: Any, response: Any, case: Any) -> bool | None:
            run = active_run(case)
            if run is None or func.__name__ not in run.enabled_checks:
                return None
            status = response.status_code
            if errors and status < 400 or statuses is not None and not errors and status not in statuses:
                return None
            if apis is not None and run.api not in apis:
                return None
            data = json_body(response)
            if body is not None and not isinstance(data, body):
                return None
            found = Collector(case.operation.label)
            func(Exchange(run, response, case, data), found)
            drifts = found.drifts
            if len(drifts) == 1:
                raise drifts[0]
            if drifts:
                raise FailureGroup(drifts)
            return None

        import schemathesis

        schemathesis.check(wrapper)
        DOMAIN_CHECKS[func.__name__] = wrapper
        return wrapper

    return register


# -- helpers -------------------------------------------------------------------------------------------


def api_family(url_path: str) -> str:
    """Which error family answers `url_path`: edx (gateway + DRF), blendx, search or oauth."""
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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# -- error families (shared by the response check and the probes) ---------------------------------------


# Statuses at which Django itself, not the view, answers these families' routes with an HTML page.
_DJANGO_PAGES = {"search": (400, 403), "oauth": (400,)}


def family_errors(found: Collector, url: str, status: int, headers: Any, content: bytes, body: Any) -> None:
    """Rules for error bodies per API family (docs/architecture.md, "Error bodies")."""
    family = api_family(urlsplit(url).path)
    keys = sorted(body) if isinstance(body, dict) else body
    allow = header(headers, "Allow")
    if status in _DJANGO_PAGES.get(family, ()) and (header(headers, "Content-Type") or "").startswith("text/html"):
        return  # Django answers before the view runs (ground truth §1.6, the CSRF 403): its HTML page
    if family == "search":
        if status == 405:
            if content:
                found(ErrorFamilyDrift, "", "empty body on 405 (edx-search @require_POST)",
                      content[:80].decode("utf-8", "replace"))
            if "POST" not in (allow or ""):
                found(ErrorFamilyDrift, "/headers/Allow", "Allow: POST", allow)
        elif not (isinstance(body, dict) and set(body) == {"error"} and isinstance(body.get("error"), str)):
            found(ErrorFamilyDrift, "/error", 'edx-search error body {"error": <string>} and nothing else', keys)
    elif family == "blendx":
        if not (isinstance(body, dict) and isinstance(body.get("message"), str) and body.get("status") == "failed"):
            found(ErrorFamilyDrift, "/status" if isinstance(body, dict) and "message" in body else "/message",
                  'BlendX error body {"message": <string>, "status": "failed"}', keys)
    elif family == "oauth":
        if not (isinstance(body, dict) and ("error" in body or "message" in body)):
            found(ErrorFamilyDrift, "/error", 'OAuth error body {"error": ..., "error_description": ...}', keys)
    elif status in (400, 405):
        # Rejected by the api.edx.org gateway before reaching the service.
        if not (isinstance(body, dict) and isinstance(body.get("message"), str)):
            found(ErrorFamilyDrift, "/message", 'gateway error body {"message": <string>}', keys)
        if status == 405 and not allow:
            found(ErrorFamilyDrift, "/headers/Allow", "an Allow header on 405", None)
    elif 400 < status < 500:
        if not (isinstance(body, dict) and isinstance(body.get("detail"), str)):
            found(ErrorFamilyDrift, "/detail", 'DRF error body {"detail": <string>}', keys)
        challenge = header(headers, "WWW-Authenticate")
        if status == 401 and challenge != JWT_CHALLENGE:
            found(AuthChallengeDrift, "/headers/WWW-Authenticate", JWT_CHALLENGE, challenge)
        if status == 429 and not header(headers, "Retry-After"):
            found(ErrorFamilyDrift, "/headers/Retry-After", "a Retry-After header on 429", None)


# -- the checks ----------------------------------------------------------------------------------------


@domain_check(errors=True, body=None)
def error_family(x: Exchange, found: Collector) -> None:
    """Error bodies belong to their API's family: gateway `{"message"}` (edX 400/405), DRF `{"detail"}` (edX 401,
    403, 404, 406, 429; 401 with `WWW-Authenticate: JWT realm="api"`), BlendX `{"message", "status": "failed"}`,
    edx-search `{"error"}` as the only key (405: empty body, `Allow: POST`)."""
    status = x.response.status_code
    if status >= 500 and api_family(urlsplit(x.url).path) == "edx":
        return
    family_errors(found, x.url, status, x.response.headers, x.response.content, x.body)


@domain_check()
def drf_pagination(x: Exchange, found: Collector) -> None:
    """DRF pages (ground truth §1.3): `next`/`previous` are absolute URLs on the same route that keep every other
    query parameter and move the page on (`page` or `offset`); following `next` from the first page answers 200
    with the same `count`, never repeats an item, and the pages add up to `count`."""
    body = x.body
    if not {"count", "next", "previous", "results"} <= set(body) or not isinstance(body["results"], list):
        return
    kept = [(k, v) for k, v in x.query if k not in _PAGING_PARAMS]
    count = body["count"]
    if _is_int(count) and len(body["results"]) > count:
        found(PaginationDrift, "/results", f"at most count={count} items", len(body["results"]))
    for link in ("next", "previous"):
        if body.get(link) not in (None, ""):
            _link_rules(found, link, body[link], x.url, kept)
    if found:
        return
    query = dict(x.query)
    first_page = query.get("page") in (None, "", "1") and query.get("offset") in (None, "", "0")
    if not first_page or not _is_int(count):
        return
    if body.get("next") in (None, ""):
        if len(body["results"]) < count:
            found(PaginationDrift, "/next", f"a next link: {len(body['results'])} of count={count} items shown",
                  body.get("next"))
        return
    key = ("walk:" + x.label, urlsplit(x.url).path, tuple(sorted(kept)), json.dumps(body, sort_keys=True)[:4096])
    found.extend(x.run.memo(key, lambda: _walk_pages(x.run, x.label, x.url, body, kept), limit=3))


def _page_position(url: str) -> tuple[str, int] | None:
    """(`page` or `offset`, its value) a page URL asks for; the first page when neither is there."""
    query = parse_qs(urlsplit(url).query)
    for name, first in (("page", 1), ("offset", 0)):
        if name in query:
            value = _parse_int(query[name][-1])
            return (name, value) if value is not None else None
    return None


def _link_rules(found: Collector, link: str, value: Any, request_url: str, kept: list, request: Any = None) -> None:
    pointer = f"/{link}"
    if not isinstance(value, str):
        found(PaginationDrift, pointer, "an absolute URL or null", value, request=request)
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        found(PaginationDrift, pointer, "an absolute URL", value, request=request)
        return
    if parts.path.rstrip("/") != urlsplit(request_url).path.rstrip("/"):
        found(PaginationDrift, pointer, f"a link to {urlsplit(request_url).path}", value, request=request)
        return
    link_query = parse_qs(parts.query, keep_blank_values=True)
    missing = [f"{k}={v}" for k, v in kept if v not in link_query.get(k, [])]
    if missing:
        names = ", ".join(sorted({m.split("=", 1)[0] for m in missing}))
        found(PaginationDrift, pointer, f"keeps the query parameters {missing}", value, request=request,
              message=f"The {link} link {value} lost the query parameter(s) {names} of {request_url}")
        return
    if link == "next":
        here, there = _page_position(request_url), _page_position(value)
        if there is None or (here is not None and there[0] == here[0] and there[1] <= here[1]):
            name = (here or there or ("page", 1))[0]
            now = here[1] if here else (1 if name == "page" else 0)
            found(PaginationDrift, pointer, f"a link that moves {name}= on from {now}", value, request=request,
                  message=f"The next link {value} does not move the `{name}` parameter on from {now} "
                          f"({'it is missing' if there is None else f'it says {there[1]}'}): following it "
                          "gives the same page again")


def _walk_pages(run: RunContext, label: str, first_url: str, first: dict, kept: list) -> list:
    found = Collector(label)
    count = first["count"]
    seen = {_identity(item) for item in first["results"]}
    total = len(first["results"])
    url = first["next"]
    pages = 1
    while url not in (None, "") and pages < run.max_pages:
        if not run.policy.same_origin(url):
            found(PaginationDrift, "/next", f"a link on {run.policy.base_url}", url)
            return found.drifts
        response = run.send("GET", url)
        request = run.describe(response)
        body = json_body(response)
        if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("results"), list):
            found(PaginationDrift, "/next", "the next page answers 200 with a page",
                  f"{response.status_code} {media_type(response.headers.get('content-type'))}", request=request,
                  message=f"Following the next link {url} answered {response.status_code}")
            return found.drifts
        pages += 1
        if body.get("count") != count:
            found(PaginationDrift, "/count", count, body.get("count"), request=request,
                  message=f"count changed from {count} to {body.get('count')} on page {pages} ({url})")
            return found.drifts
        for index, item in enumerate(body["results"]):
            ident = _identity(item)
            if ident in seen:
                found(PaginationDrift, f"/results/{index}", "no item repeated across pages", ident, request=request,
                      message=f"Page {pages} (the next link {url}) repeats {ident} from an earlier page")
                return found.drifts
            seen.add(ident)
        total += len(body["results"])
        for link in ("next", "previous"):
            if body.get(link) not in (None, ""):
                _link_rules(found, link, body[link], url, kept, request=request)
        if found:
            return found.drifts
        url = body.get("next")
    if url in (None, "") and total != count:
        found(PaginationDrift, "/count", count, total, message=f"walking next links gave {total} items, count says {count}")
    return found.drifts


@domain_check()
def list_detail_agreement(x: Exchange, found: Collector) -> None:
    """The world is coherent: an item a list route returns answers 200 in its detail route, with the same values
    for the fields both carry (catalogs; enterprise catalog courses, runs and programs; BlendX courses)."""
    run = x.run
    for link in LINKS.get(run.api, ()):
        if link.list != x.case.operation.path or link.fields == ():
            continue
        items = x.body.get(link.items)
        if not isinstance(items, list):
            continue
        checked = 0
        for index, item in enumerate(items):
            if checked >= run.max_details_per_response:
                break
            binding = link.binding(item, dict(x.case.path_parameters or {})) if isinstance(item, dict) else None
            if binding is None:
                continue
            checked += 1
            url = run.url_for(fill_path(link.detail, binding))
            listed = {name: item[name] for name in (link.fields or tuple(item)) if name in item}
            key = ("detail:" + x.label, url, json.dumps(listed, sort_keys=True, default=str))
            pointer = f"/{link.items}/{index}"
            found.extend(run.memo(key, functools.partial(_compare_detail, run, x.label, url, listed, pointer),
                                  limit=40))


def _compare_detail(run: RunContext, label: str, url: str, listed: dict, pointer: str) -> list:
    response = run.send("GET", url)
    found = Collector(label, run.describe(response))
    detail = json_body(response)
    if response.status_code != 200 or not isinstance(detail, dict):
        found(ListDetailMismatch, pointer, f"listed item answers 200 JSON at {urlsplit(url).path}",
              f"{response.status_code} {media_type(response.headers.get('content-type'))}")
        return found.drifts
    for name, value in listed.items():
        if name in detail and detail[name] != value:
            found(ListDetailMismatch, f"{pointer}/{escape_pointer(name)}", value, detail[name],
                  message=f"list says {name}={value!r}, detail route says {detail[name]!r}")
    return found.drifts


_COURSE = "a course key Org+Num"
_RUN = "a run key course-v1:Org+Num+Run"


@domain_check(body=(dict, list))
def key_formats(x: Exchange, found: Collector) -> None:
    """edX opaque keys (ground truth §5, `mockserver/world/keys.py`): course keys `Org+Num`, run keys
    `course-v1:Org+Num+Run`, aggregation keys `course:<Org+Num>` / `courserun:<Org+Num>` / `program:<uuid>` matching
    `content_type`; a run's `course` is its parent's key; a detail route answers for the key it was asked for;
    edx-search `_id` equals `data.id`. The deprecated slash forms pass only with `--accept-deprecated-keys`."""
    course_key, run_key = x.keys()
    aggregation = {"course": course_key, "courserun": course_key, "program": UUID_RE}

    def expect(pointer: str, value: Any, pattern: re.Pattern, what: str) -> None:
        if not isinstance(value, str) or not pattern.match(value):
            found(KeyFormatDrift, pointer, what, value)

    for pointer, obj, parent, under in _walk(x.body):
        content_type = obj.get("content_type")
        if obj.get("aggregation_key") is not None:
            value = obj["aggregation_key"]
            prefix, _, rest = str(value).partition(":")
            pattern = aggregation.get(prefix)
            if content_type in aggregation and prefix != content_type:
                found(KeyFormatDrift, f"{pointer}/aggregation_key", f"{content_type}:<...> (content_type is "
                      f"{content_type})", value)
            elif pattern is not None and not pattern.match(rest):
                found(KeyFormatDrift, f"{pointer}/aggregation_key",
                      f"{prefix}:<{'uuid' if prefix == 'program' else 'Org+Num'}>", value)
        if "key" in obj:
            if content_type == "course" or (content_type is None and isinstance(obj.get("course_runs"), list)):
                expect(f"{pointer}/key", obj["key"], course_key, _COURSE)
            elif content_type == "courserun" or under == "course_runs":
                expect(f"{pointer}/key", obj["key"], run_key, _RUN)
        if under == "course_runs" and isinstance(parent, dict) and "course" in obj and "key" in parent:
            if obj["course"] != parent["key"]:
                found(KeyFormatDrift, f"{pointer}/course", parent["key"], obj["course"])
        if "openedx_course_id" in obj:
            expect(f"{pointer}/openedx_course_id", obj["openedx_course_id"], run_key, _RUN)
        if "courserun_key" in obj:
            expect(f"{pointer}/courserun_key", obj["courserun_key"], run_key, _RUN)
            if "course_key" in obj:
                expect(f"{pointer}/course_key", obj["course_key"], course_key, _COURSE)
        if "_id" in obj and isinstance(obj.get("data"), dict):
            if obj["_id"] != obj["data"].get("id"):
                found(KeyFormatDrift, f"{pointer}/_id", obj["data"].get("id"), obj["_id"])
            expect(f"{pointer}/data/id", obj["data"].get("id"), run_key, _RUN)
    if not isinstance(x.body, dict):
        return
    for param, field, pattern, what in (
        ("course_key", "key", course_key, _COURSE),
        ("course_run_id", "key", run_key, _RUN),
        ("program_uuid", "uuid", UUID_RE, "a lowercase hyphenated UUID"),
        ("openedx_course_id", "openedx_course_id", run_key, _RUN),
    ):
        asked = (x.case.path_parameters or {}).get(param)
        if asked is None or field not in x.body:
            continue
        asked = unquote(str(asked))
        if not isinstance(x.body[field], str) or not pattern.match(x.body[field]):
            found(KeyFormatDrift, f"/{field}", what, x.body[field])
        elif x.body[field] != asked:
            found(KeyFormatDrift, f"/{field}", f"{asked} (the key asked for)", x.body[field])


_ENROLL_PATH = re.compile(
    r"^/enterprise/(?P<customer>[0-9a-f-]{36})/(?P<kind>course|program)/(?P<key>[^/]+)/enroll/?$")
_COURSE_API_PATH = re.compile(r"^/enterprise/v1/enterprise-catalogs/(?P<customer>[0-9a-f-]{36})/courses/(?P<key>.+)$")


@domain_check(body=(dict, list))
def url_shapes(x: Exchange, found: Collector) -> None:
    """`enrollment_url` is the LMS enterprise enroll URL `https://<lms>/enterprise/<customer uuid>/course/<key>/enroll/
    ?catalog=<catalog uuid>...` for the item's own key (programs: `/program/<uuid>/enroll/`; edx-enterprise);
    `course_api_url` is
    `/enterprise/v1/enterprise-catalogs/<enterprise_customer_uuid>/courses/<courserun_key>` (edx-enterprise-data's
    quirk: customer uuid and run key)."""
    catalog_id = (x.case.path_parameters or {}).get("catalog_id")
    for pointer, obj, _parent, _under in _walk(x.body):
        url = obj.get("enrollment_url")
        where = f"{pointer}/enrollment_url"
        if isinstance(url, str):
            parts = urlsplit(url)
            match = _ENROLL_PATH.match(parts.path)
            if parts.scheme not in ("http", "https") or not parts.netloc or not match:
                found(UrlShapeDrift, where, "https://<lms>/enterprise/<customer>/{course|program}/<key>/enroll/"
                                            "?catalog=<uuid>", url)
            elif (own := obj.get("key") if match.group("kind") == "course" else obj.get("uuid")) and \
                    isinstance(own, str) and unquote(match.group("key")) != own:
                found(UrlShapeDrift, where, f"…/{match.group('kind')}/{own}/enroll/", url)
            elif catalog_id and parse_qs(parts.query).get("catalog") != [str(catalog_id)]:
                found(UrlShapeDrift, where, f"?catalog={catalog_id}", url)
        elif url is not None and "enrollment_url" in obj:
            found(UrlShapeDrift, where, "a URL string or null", url)
        if "course_api_url" in obj:
            api_url = obj.get("course_api_url")
            match = _COURSE_API_PATH.match(api_url) if isinstance(api_url, str) else None
            customer, run_key = obj.get("enterprise_customer_uuid"), obj.get("courserun_key")
            if not match or (customer and match.group("customer") != customer) or \
                    (run_key and match.group("key") != run_key):
                found(UrlShapeDrift, f"{pointer}/course_api_url",
                      f"/enterprise/v1/enterprise-catalogs/{customer}/courses/{run_key}", api_url)


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


@domain_check()
def blendx_paging(x: Exchange, found: Collector) -> None:
    """BlendX list arithmetic (document E10): `limit` is the requested limit clamped to 1..100 (default 8, non-numeric
    -> default), `page` >= 1 (default 1), `offset = (page-1)*limit`, `has_more = offset + len(courses) < total_count`,
    at most `limit` courses; `fields=light` items carry exactly the 17 light fields, `fields=full` adds the 12 full ones."""
    body = x.body
    if not isinstance(body.get("courses"), list) or "total_count" not in body:
        return
    query = dict(x.query)
    limit, page, offset, total = body.get("limit"), body.get("page"), body.get("offset"), body.get("total_count")
    courses = body["courses"]
    asked_limit = _parse_int(query.get("limit"))
    want_limit = 8 if asked_limit is None else min(max(asked_limit, 1), 100)
    if not _is_int(limit) or not 1 <= limit <= 100:
        found(BlendxPagingDrift, "/limit", "an integer in 1..100", limit)
    elif limit != want_limit:
        found(BlendxPagingDrift, "/limit", want_limit, limit)
    asked_page = _parse_int(query.get("page"))
    want_page = 1 if asked_page is None or asked_page < 1 else asked_page
    if page != want_page:
        found(BlendxPagingDrift, "/page", want_page, page)
    if _is_int(limit) and _is_int(page) and offset != (page - 1) * limit:
        found(BlendxPagingDrift, "/offset", (page - 1) * limit, offset)
    if _is_int(offset) and _is_int(total) and body.get("has_more") != (offset + len(courses) < total):
        found(BlendxPagingDrift, "/has_more", offset + len(courses) < total, body.get("has_more"))
    if _is_int(limit) and len(courses) > limit:
        found(BlendxPagingDrift, "/courses", f"at most limit={limit} courses", len(courses))
    full = query.get("fields") == "full"
    required = _BLENDX_LIGHT | _BLENDX_FULL_ONLY if full else _BLENDX_LIGHT
    reported: set[str] = set()
    # One finding per field, at the first item that breaks it: the same gap on every item is one drift.
    for index, item in enumerate(courses):
        if not isinstance(item, dict):
            continue
        for name in sorted((required - set(item)) - reported):
            reported.add(name)
            found(FieldSetDrift, f"/courses/{index}/{name}", f"present in a {'full' if full else 'light'} item",
                  "missing")
        if not full:
            for name in sorted((_BLENDX_FULL_ONLY & set(item)) - reported):
                reported.add(name)
                found(FieldSetDrift, f"/courses/{index}/{name}", "absent from a light item", "present")


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


@domain_check()
def search_paging(x: Exchange, found: Collector) -> None:
    """edx-search course discovery (ground truth E12): `total` >= the results shown, at most `page_size` results
    (default 20), `max_score` is null or a number no lower than any result's `score`, and `error` appears only on
    failure, as the sole key."""
    body = x.body
    if not isinstance(body.get("results"), list) or ("total" not in body and "took" not in body):
        return
    results = body["results"]
    total = body.get("total")
    if not _is_int(total) or total < len(results):
        found(SearchPagingDrift, "/total", "an integer >= the number of results", total,
              message=f"total={total!r} but {len(results)} results on this page")
    size = _parse_int(_sent_form(x.response).get("page_size")) or 20
    if len(results) > size:
        found(SearchPagingDrift, "/results", f"at most page_size={size}", len(results))
    max_score = body.get("max_score")
    scores = [r.get("score") for r in results if isinstance(r, dict) and isinstance(r.get("score"), (int, float))]
    if max_score is not None and not isinstance(max_score, (int, float)) or isinstance(max_score, bool):
        found(SearchPagingDrift, "/max_score", "a number or null", max_score)
    elif scores and isinstance(max_score, (int, float)) and max_score < max(scores):
        found(SearchPagingDrift, "/max_score", f">= {max(scores)}", max_score)
    if "error" in body:
        found(SearchPagingDrift, "/error", "absent on success", body["error"])


def declares_xml(run: RunContext, method: str, path: str) -> bool:
    """Whether the operation's 200 answer declares `application/xml` (the enterprise routes)."""
    content = (((run.operation(method, path) or {}).get("responses") or {}).get("200") or {}).get("content") or {}
    return any(media_type(name) == "application/xml" for name in content)


@domain_check(body=None, apis=("enterprise",))
def enterprise_content_type(x: Exchange, found: Collector) -> None:
    """Enterprise content negotiation (ground truth E4/E5, gt-4.13): JSON by default (no `Accept`, `*/*` or
    `application/json`), DRF XML (`application/xml`, `<root>` document) on `Accept: application/xml` (the
    `xml_negotiation` probe asks for it)."""
    if not declares_xml(x.run, x.case.method, x.case.operation.path):
        return
    accept = (header(x.response.request.headers, "Accept") or "*/*").lower()
    actual = media_type(header(x.response.headers, "Content-Type"))
    if "application/xml" not in accept and actual != "application/json":
        found(ContentNegotiationDrift, "/headers/Content-Type", f"application/json for Accept: {accept}", actual)
