"""Lenient parameter parsing shared by the handlers, and Django's form reader with Django's limits.

The real servers never answer 400 for a bad query or form parameter: DRF falls back to its default, BlendX
clamps, a page number out of range is a 404. These helpers say which, once, so handlers stay thin.
The spec records the same choice on each parameter as `x-on-invalid`.

What the real servers do refuse is a form body Django cannot or will not read (ground-truth §1.6): a
malformed multipart body, more than `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes of fields, more than
`DATA_UPLOAD_MAX_NUMBER_FIELDS` fields. `read_form` raises `ApiError("django_bad_request")` for each, which
the API's error policy renders as Django's plain "Bad Request (400)" page.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser

from mockserver import limits
from mockserver.errors import ApiError

log = logging.getLogger("mockserver.requests")


def positive_int(raw: str | None, default: int, *, strict: bool = True, cutoff: int | None = None) -> int:
    """DRF's `_positive_int`: a non-negative (strict: positive) int, capped at `cutoff`; else `default`."""
    if raw is None:
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    if value < 0 or (strict and value == 0):
        return default
    if cutoff:
        return min(value, cutoff)
    return value


def clamped_int(raw: str | None, default: int, low: int, high: int | None) -> int:
    """An int clamped into [low, high] (no upper bound when `high` is None); not an int gives `default`."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return max(low, value if high is None else min(high, value))


URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
FORM_TYPES = (URLENCODED, MULTIPART)
# File parts do not count toward Django's limit (they go to disk); these routes take no files, so the
# mock reads a multipart body only up to the field limit plus this much room for part headers and files.
MULTIPART_SLACK_BYTES = 1 * limits.MIB
MAX_FILES = 100  # Django's DATA_UPLOAD_MAX_NUMBER_FILES


def _bad_request(reason: str) -> ApiError:
    # Django's page says only "Bad Request (400)"; the reason goes to the log, as Django's does.
    log.info("answering Django's 400: %s", reason)
    return ApiError("django_bad_request")


def parse_urlencoded(body: bytes) -> dict[str, str]:
    """Django's `QueryDict` of a urlencoded body: UTF-8 (Latin-1 if it is not), blanks kept, last value wins."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=limits.DATA_UPLOAD_MAX_NUMBER_FIELDS)
    except ValueError:
        raise _bad_request("TooManyFieldsSent: more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields") from None
    return dict(pairs)


async def read_form(request) -> dict[str, str]:
    """Django's `request.POST`: form fields of a urlencoded or multipart body (last value wins), else nothing.

    The edx-search view and the LMS token view both read `request.POST`, so a JSON body counts as no fields
    (and is not read). Past Django's limits, or for a multipart body it cannot parse: Django's 400.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == URLENCODED:
        try:
            body = await limits.read_body(request.receive, request.scope["headers"],
                                          limits.DATA_UPLOAD_MAX_MEMORY_SIZE)
        except limits.TooLarge:
            raise _bad_request("RequestDataTooBig: more than DATA_UPLOAD_MAX_MEMORY_SIZE bytes") from None
        return parse_urlencoded(body)
    if content_type == MULTIPART:
        return await _read_multipart(request)
    return {}


async def _read_multipart(request) -> dict[str, str]:
    cap = limits.DATA_UPLOAD_MAX_MEMORY_SIZE + MULTIPART_SLACK_BYTES
    declared = limits.content_length(request.scope["headers"])
    if declared is not None and declared > cap:
        raise _bad_request("RequestDataTooBig: more than DATA_UPLOAD_MAX_MEMORY_SIZE bytes")

    async def bounded():
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > cap:
                raise limits.TooLarge("the multipart body", cap)
            yield chunk

    parser = MultiPartParser(Headers(scope=request.scope), bounded(), max_files=MAX_FILES,
                             max_fields=limits.DATA_UPLOAD_MAX_NUMBER_FIELDS,
                             max_part_size=limits.DATA_UPLOAD_MAX_MEMORY_SIZE)
    try:
        form = await parser.parse()
    except limits.TooLarge:
        raise _bad_request("RequestDataTooBig: more than DATA_UPLOAD_MAX_MEMORY_SIZE bytes") from None
    except (MultiPartException, ValueError) as exc:  # python-multipart's parse errors are ValueErrors
        raise _bad_request(f"MultiPartParserError: {exc}") from None
    try:
        fields = [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
        if sum(len(key) + 2 + len(value) for key, value in fields) > limits.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise _bad_request("RequestDataTooBig: more than DATA_UPLOAD_MAX_MEMORY_SIZE bytes")
        return dict(fields)
    finally:
        await form.close()


def csv_values(raw: str | None) -> tuple[str, ...]:
    """Comma-separated values, stripped, empties dropped, order kept."""
    if not raw:
        return ()
    return tuple(v.strip() for v in raw.split(",") if v.strip())
