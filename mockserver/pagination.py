"""The paging styles of the three APIs, as pure functions over (request URL, query, count).

- DRF `LimitOffsetPagination` and `PageNumberPagination`, with DRF's exact link rules: absolute URLs,
  every other query parameter kept, the query re-encoded in sorted order (DRF's `replace_query_param`),
  `offset` removed from `previous` when it reaches 0 and `page` removed when it reaches 1;
- course-discovery's `ProxiedPagination` (page numbers when `page` is present, otherwise limit/offset);
- edx-drf-extensions `DefaultPagination` (page numbers, `page_size` capped);
- BlendX (`limit` clamped to 1..100, 1-based `page`, `offset`, `has_more`);
- edx-search (`page_size` 1..100 or a 500, `page_index` read only when `page_size` is given).

Each returns a `Window` (which slice of the collection to show) plus the envelope fields; handlers slice
their world sequence with it and shape the items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from mockserver.errors import ApiError
from mockserver.params import clamped_int, positive_int


@dataclass(frozen=True)
class Window:
    """A page of a collection: items [start, stop) and the links or flags that describe it."""

    start: int
    stop: int
    count: int
    next: str | None = None
    previous: str | None = None

    @property
    def slice(self) -> slice:
        return slice(self.start, self.stop)


def replace_query_param(url: str, key: str, value) -> str:
    """DRF's `replace_query_param`: set one parameter, keep the others, re-encode sorted."""
    scheme, netloc, path, query, fragment = urlsplit(url)
    query_dict = parse_qs(query, keep_blank_values=True)
    query_dict[str(key)] = [str(value)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query_dict.items()), doseq=True), fragment))


def remove_query_param(url: str, key: str) -> str:
    """DRF's `remove_query_param`."""
    scheme, netloc, path, query, fragment = urlsplit(url)
    query_dict = parse_qs(query, keep_blank_values=True)
    query_dict.pop(key, None)
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query_dict.items()), doseq=True), fragment))


def limit_offset(url: str, query, count: int, *, default_limit: int, max_limit: int | None = None) -> Window:
    """DRF LimitOffsetPagination."""
    limit = positive_int(query.get("limit"), default_limit, cutoff=max_limit)
    offset = positive_int(query.get("offset"), 0, strict=False)
    start, stop = min(offset, count), min(offset + limit, count)
    next_link = previous_link = None
    if offset + limit < count:
        next_link = replace_query_param(replace_query_param(url, "limit", limit), "offset", offset + limit)
    if offset > 0:
        base = replace_query_param(url, "limit", limit)
        previous_link = remove_query_param(base, "offset") if offset - limit <= 0 else \
            replace_query_param(base, "offset", offset - limit)
    return Window(start, stop, count, next_link, previous_link)


def page_number(url: str, query, count: int, *, default_size: int, max_size: int | None = None,
                size_aliases: tuple[str, ...] = ()) -> Window:
    """DRF PageNumberPagination (Django's Paginator underneath): bad or out-of-range pages are 404.

    The page size is read from `page_size`, else from the first of `size_aliases` that is present."""
    raw = query.get("page_size")
    for alias in size_aliases:
        if raw is None:
            raw = query.get(alias)
    size = positive_int(raw, default_size, cutoff=max_size)
    num_pages = max(1, math.ceil(count / size)) if count else 1
    raw_page = query.get("page") or 1
    if raw_page == "last":
        number = num_pages
    else:
        try:
            number = int(raw_page)
        except (TypeError, ValueError):
            raise ApiError.not_found("Invalid page.") from None
        if number < 1 or number > num_pages:
            raise ApiError.not_found("Invalid page.")
    start = (number - 1) * size
    stop = min(start + size, count)
    next_link = replace_query_param(url, "page", number + 1) if number < num_pages else None
    previous_link = None
    if number > 1:
        previous_link = remove_query_param(url, "page") if number - 1 == 1 else \
            replace_query_param(url, "page", number - 1)
    return Window(start, stop, count, next_link, previous_link)


def proxied(url: str, query, count: int, *, default_size: int = 20) -> Window:
    """course-discovery ProxiedPagination: page numbers when `page` is present and non-empty, else limit/offset."""
    if query.get("page"):
        return page_number(url, query, count, default_size=default_size)
    return limit_offset(url, query, count, default_limit=default_size)


def drf_envelope(window: Window, results: list) -> dict:
    """The `{count, next, previous, results}` body (DRF's, and the gateway's reshaped one)."""
    return {"count": window.count, "next": window.next, "previous": window.previous, "results": results}


@dataclass(frozen=True)
class BlendxPage:
    limit: int
    page: int
    offset: int

    def window(self, total: int) -> Window:
        start = min(self.offset, total)
        return Window(start, min(start + self.limit, total), total)

    def envelope(self, total: int, courses: list) -> dict:
        return {"courses": courses, "total_count": total, "has_more": self.offset + len(courses) < total,
                "limit": self.limit, "page": self.page, "offset": self.offset}


def blendx(query, *, default_limit: int = 8, max_limit: int = 100) -> BlendxPage:
    """BlendX paging: `limit` clamped to 1..max, `page` 1-based (below 1 is 1), offset derived."""
    limit = clamped_int(query.get("limit"), default_limit, 1, max_limit)
    page = clamped_int(query.get("page"), 1, 1, None)
    return BlendxPage(limit, page, (page - 1) * limit)


SEARCH_MAX_PAGE_SIZE = 100


def edx_search(form) -> tuple[int, int]:
    """edx-search `_process_pagination_values`: (size, from). Bad values raise the 500 the view sends."""
    if "page_size" not in form:
        return 20, 0
    raw = form.get("page_size")
    try:
        size = int(raw)
    except (TypeError, ValueError):
        raise ApiError("server_error", f"invalid literal for int() with base 10: '{raw}'") from None
    if not 0 < size <= SEARCH_MAX_PAGE_SIZE:
        raise ApiError("server_error", f"Invalid page size of {size}")
    raw_index = form.get("page_index", 0)
    try:
        index = int(raw_index)
    except (TypeError, ValueError):
        raise ApiError("server_error", f"invalid literal for int() with base 10: '{raw_index}'") from None
    if index < 0:
        # Elasticsearch refuses a negative `from`; edx-search wraps any search failure in this message.
        raise ApiError("server_error", f'An error occurred when searching for "{form.get("search_string", "")}"')
    return size, index * size
