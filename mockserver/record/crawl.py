"""The read-only crawl: lists, every `next` link, and the details the lists name, across the three APIs.

Where a crawl starts and what it follows is data (`ROOTS`, `FOLLOW`), one row per operation. Every request
goes through the contract's `SafetyPolicy` (same origin as `--base-url`, safe methods only; the edx-search
POST is the one read-only POST), with a timeout, and a rate limit unless the target is on loopback. The
credentials (JWT, BlendX action secret) come from flags or the environment and are sent only as headers:
they never enter an exchange, a progress line or the file.

Bounds: `max_requests` (requests sent), `max_records` (distinct items the lists and details named); what a
bound cut off is counted as skipped, with the reason, in the summary.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from mockserver.contract.context import media_type
from mockserver.contract.credentials import Credentials
from mockserver.contract.safety import DEFAULT_TIMEOUT, SafetyPolicy, UnsafeRequestRefused
from mockserver.record.exchange import MAX_BODY, Exchange, parse_json
from mockserver.record.summary import Summary

__all__ = ["CrawlOptions", "crawl", "parse_only", "parse_rate", "APIS"]

APIS = ("catalog", "enterprise", "blendx")
SEARCH_PAGE_SIZE = 100
BLENDX_PAGE_SIZE = 100

# The list requests a full crawl of each API starts from.
ROOTS: dict[str, tuple[tuple[str, str, tuple], ...]] = {
    "catalog": (("GET", "/catalog/v1/catalogs/", ()),),
    "enterprise": (("GET", "/enterprise/v1/enterprise-catalogs", ()),),
    "blendx": (("GET", "/blendxapi/discovery/courses/", (("fields", "full"), ("limit", str(BLENDX_PAGE_SIZE)))),
               ("POST", "/search/course_discovery/", (("page_size", str(SEARCH_PAGE_SIZE)), ("page_index", "0")))),
}
API_OF_PREFIX = (("/catalog/", "catalog"), ("/enterprise/", "enterprise"), ("/blendxapi/", "blendx"),
                 ("/search/", "blendx"))

_q = lambda key: quote(str(key), safe=":+@")  # noqa: E731 - keys go into one path segment


def _catalog_children(body: dict) -> list[tuple[str, str]]:
    return [("GET", f"/catalog/v1/catalogs/{item['id']}/") for item in body.get("results") or []
            if isinstance(item, dict) and "id" in item] + \
           [("GET", f"/catalog/v1/catalogs/{item['id']}/courses/") for item in body.get("results") or []
            if isinstance(item, dict) and "id" in item]


def _enterprise_catalog_children(body: dict) -> list[tuple[str, str]]:
    out = []
    for item in body.get("results") or []:
        if isinstance(item, dict) and item.get("uuid"):
            out.append(("GET", f"/enterprise/v2/enterprise-catalogs/{item['uuid']}"))
            if item.get("enterprise_customer"):
                out.append(("GET", f"/enterprise/v3/enterprise-customer/{item['enterprise_customer']}/learner-summary"))
    return out


_ITEM_ROUTE = {"course": "courses", "courserun": "course-runs", "program": "programs"}


def _content_children(exchange: Exchange, body: dict) -> list[tuple[str, str]]:
    catalog = exchange.path.rstrip("/").rsplit("/", 1)[-1]
    out = []
    for item in body.get("results") or []:
        if not isinstance(item, dict):
            continue
        route = _ITEM_ROUTE.get(item.get("content_type"))
        key = item.get("uuid") if item.get("content_type") == "program" else item.get("key")
        if route and key:
            out.append(("GET", f"/enterprise/v2/enterprise-catalogs/{catalog}/{route}/{_q(key)}"))
    return out


def _blendx_children(body: dict) -> list[tuple[str, str]]:
    return [("GET", f"/blendxapi/discovery/course/{_q(c['openedx_course_id'])}/") for c in body.get("courses") or []
            if isinstance(c, dict) and c.get("openedx_course_id")]


def _run_blendx_children(body: dict) -> list[tuple[str, str]]:
    """The BlendX course of each run a course or run detail names (the same run, seen by the other API)."""
    runs = [body.get("key")] if "course_uuid" in body else [r.get("key") for r in body.get("course_runs") or []
                                                            if isinstance(r, dict)]
    return [("GET", f"/blendxapi/discovery/course/{_q(key)}/") for key in runs if isinstance(key, str) and key]


# What each operation's answer leads to (beyond its `next` page).
FOLLOW: dict[str, Callable[[Exchange, dict], list[tuple[str, str]]]] = {
    "catalog.list_catalogs": lambda x, body: _catalog_children(body),
    "enterprise.list_enterprise_catalogs": lambda x, body: _enterprise_catalog_children(body),
    "enterprise.get_enterprise_catalog": _content_children,
    "enterprise.get_catalog_course": lambda x, body: _run_blendx_children(body),
    "enterprise.get_catalog_course_run": lambda x, body: _run_blendx_children(body),
    "blendx.list_courses": lambda x, body: _blendx_children(body),
}

# `--only KIND:VALUE`: where a bounded crawl starts.
ONLY_KINDS: dict[str, Callable[[str], list[tuple[str, str, tuple]]]] = {
    "catalog": lambda v: [("GET", f"/catalog/v1/catalogs/{v}/", ()), ("GET", f"/catalog/v1/catalogs/{v}/courses/", ())],
    "enterprise-catalog": lambda v: [("GET", f"/enterprise/v2/enterprise-catalogs/{v}", ())],
    "enterprise-customer": lambda v: [("GET", f"/enterprise/v3/enterprise-customer/{v}/learner-summary", ())],
    "blendx-course": lambda v: [("GET", f"/blendxapi/discovery/course/{_q(v)}/", ())],
    "search": lambda v: [("POST", "/search/course_discovery/",
                          (("search_string", v), ("page_size", str(SEARCH_PAGE_SIZE)), ("page_index", "0")))],
}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class CrawlError(ValueError):
    """A crawl that cannot start (bad `--only`, bad rate, refused credentials)."""


def parse_only(value: str) -> list[tuple[str, str, tuple]]:
    """`KIND:VALUE` (or a bare catalog id, enterprise catalog uuid or run key) to its start requests."""
    kind, sep, rest = value.partition(":")
    if sep and kind in ONLY_KINDS and rest:
        return ONLY_KINDS[kind](rest)
    if value.isdigit():
        return ONLY_KINDS["catalog"](value)
    if _UUID.match(value):
        return ONLY_KINDS["enterprise-catalog"](value)
    if value.startswith("course-v1:"):
        return ONLY_KINDS["blendx-course"](value)
    raise CrawlError(f"--only {value!r}: expected KIND:VALUE with KIND one of {', '.join(ONLY_KINDS)} "
                     "(or a bare catalog id, enterprise catalog uuid or course run key)")


def parse_rate(text: str | None) -> float:
    """`5/s`, `30/m`, `100/h` -> minimum seconds between requests (0: no limit)."""
    if not text:
        return 0.0
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*([smh])\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise CrawlError(f"--rate-limit {text!r}: expected N/s, N/m or N/h")
    return {"s": 1, "m": 60, "h": 3600}[match.group(2)] / float(match.group(1))


@dataclass
class CrawlOptions:
    base_url: str
    apis: tuple[str, ...] = APIS
    credentials: Credentials = field(default_factory=Credentials)
    only: tuple[str, ...] = ()
    max_requests: int = 2000
    max_records: int = 5000
    rate_limit: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    progress: Callable[[str], None] = lambda line: None
    progress_every: int = 50
    transport: Any = None  # an httpx transport (tests drive an ASGI app in-process)


def _send(client: httpx.Client, method: str, url: str, headers: dict, form: tuple):
    """(response, body bytes), the body None when it is larger than `MAX_BODY` (reading stops there)."""
    with client.stream(method, url, headers=headers, data=dict(form) if form else None) as response:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BODY:
                return response, None
            chunks.append(chunk)
    return response, b"".join(chunks)


def _api_of(path: str) -> str:
    return next((api for prefix, api in API_OF_PREFIX if path.startswith(prefix)), "")


def crawl(options: CrawlOptions, summary: Summary) -> tuple[list[Exchange], str | None]:
    """Crawl the target: the exchanges in the order they were made (200s and errors alike), and the target's
    `Date` header (the recording's day)."""
    policy = SafetyPolicy(options.base_url)
    interval = parse_rate(options.rate_limit or policy.default_rate_limit())
    base = options.base_url.rstrip("/")
    queue: deque[tuple[str, str, tuple]] = deque()
    seen: set[tuple[str, str, tuple]] = set()
    items: set[str] = set()

    def push(method: str, target: str, form: tuple = ()) -> None:
        url = target if target.startswith(("http://", "https://")) else base + target
        key = (method, url, form)
        if key in seen:
            return
        seen.add(key)
        queue.append(key)

    if options.only:
        for value in options.only:
            for method, path, form in parse_only(value):
                push(method, path, form)
    else:
        for api in options.apis:
            for method, path, pairs in ROOTS[api]:
                if method == "GET":
                    push(method, path + ("?" + urlencode(pairs) if pairs else ""))
                else:
                    push(method, path, pairs)

    exchanges: list[Exchange] = []
    server_date: str | None = None
    last = 0.0
    with httpx.Client(timeout=options.timeout, transport=options.transport, follow_redirects=False) as client:
        while queue:
            method, url, form = queue.popleft()
            if len(exchanges) >= options.max_requests:
                summary.skip("request", f"--max-requests {options.max_requests} reached", len(queue) + 1)
                break
            try:
                policy.guard(method, url)
            except UnsafeRequestRefused as exc:
                summary.skip("request", str(exc))
                continue
            path = httpx.URL(url).path
            api = _api_of(path)
            headers = {"Accept": "application/json"}
            headers.update(options.credentials.blendx_headers() if api == "blendx" and not path.startswith("/search/")
                           else options.credentials.edx_headers() if api in ("catalog", "enterprise") else {})
            if interval:
                time.sleep(max(0.0, last + interval - time.monotonic()))
            last = time.monotonic()
            try:
                response, content = _send(client, method, url, headers, form)
            except httpx.HTTPError as exc:
                summary.skip("request", f"transport error: {type(exc).__name__}")
                continue
            if content is None:
                summary.skip("answer", f"larger than {MAX_BODY // (1024 * 1024)} MiB: not recorded")
                continue
            server_date = server_date or response.headers.get("date")
            kind = media_type(response.headers.get("content-type"))
            exchange = Exchange.from_url(method, url, form=form, status=response.status_code, media_type=kind,
                                         body=parse_json(kind, content))
            exchanges.append(exchange)
            if len(exchanges) % options.progress_every == 0:
                options.progress(f"record: {len(exchanges)} requests, {len(queue)} queued, {len(items)} items")
            if response.status_code != 200 or not isinstance(exchange.body, dict):
                continue
            body = exchange.body
            for child_method, child in FOLLOW.get(exchange.operation, lambda x, b: [])(exchange, body):
                if _api_of(child) not in options.apis:
                    continue
                if child not in items and len(items) >= options.max_records:
                    summary.skip("item", f"--max-records {options.max_records} reached")
                    continue
                items.add(child)
                push(child_method, child)
            if isinstance(body.get("next"), str) and body["next"]:
                push("GET", body["next"])
            elif exchange.operation == "blendx.list_courses" and body.get("has_more"):
                page = int(dict(exchange.query).get("page", "1")) + 1
                pairs = [(k, v) for k, v in exchange.query if k != "page"] + [("page", str(page))]
                push("GET", exchange.path + "?" + urlencode(pairs))
            elif exchange.operation == "search.course_discovery":
                fields = dict(form)
                size = int(fields.get("page_size", 20))
                index = int(fields.get("page_index", 0))
                if (index + 1) * size < int(body.get("total") or 0):
                    push("POST", url, tuple((k, v) for k, v in form if k != "page_index") + (("page_index", str(index + 1)),))
    return exchanges, server_date
