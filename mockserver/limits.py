"""Byte limits: every buffer the mock fills from outside has a cap, and this module owns the caps and the
bounded readers that enforce them.

A dev and CI tool is often reachable by more than its owner (docs/security.md), so nothing a client or a
file sends is buffered without a limit: request headers (431), request bodies (the API's own 400 where a
real server has a limit, 413 on the admin API), scenario files and admin bodies. The defaults are here;
`Settings` makes the configurable ones configurable and documents them.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
import sys
from pathlib import Path

from starlette.requests import ClientDisconnect

KIB = 1024
MIB = 1024 * KIB

SCENARIO_MAX_BYTES = 1 * MIB
"""A scenario file or an admin body (`--max-scenario-bytes`)."""
HEADER_MAX_BYTES = 64 * KIB
"""All request header names and values together (`--max-header-bytes`); more is a 431."""
CACHE_MAX_BYTES = 64 * MIB
"""The response cache's total body bytes (`--cache-bytes`)."""
CACHE_ENTRY_MAX_BYTES = 512 * KIB
"""A response body larger than this is rendered every time instead of cached (1/128 of the budget)."""
JOURNAL_MAX_BYTES = 16 * MIB
"""The request journal's total bytes (`--journal-bytes`); the oldest entries drop off first."""
JOURNAL_VALUE_MAX_BYTES = 2 * KIB
"""Each header value (and the query string) is journaled up to this many bytes, then marked truncated."""
JWT_CACHE_TOKEN_MAX_BYTES = 8 * KIB
"""Tokens longer than this are verified on every request instead of having their claims cached."""

# Django's own limits (django/conf/global_settings.py), which the LMS and course-discovery run with: the
# search and token routes answer like them past these.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2621440  # 2.5 MiB of form body
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000


class TooLarge(ValueError):
    """More bytes than the limit allows; `limit` says how many were allowed."""

    def __init__(self, what: str, limit: int):
        self.limit = limit
        super().__init__(f"{what} is larger than the limit of {limit} bytes")


def content_length(headers) -> int | None:
    """The declared `Content-Length` of an ASGI header list (None when absent or not a number)."""
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def read_body(receive, headers, limit: int, what: str = "the request body") -> bytes:
    """The whole request body from an ASGI `receive`, refusing (`TooLarge`) past `limit` bytes.

    A declared `Content-Length` over the limit is refused before anything is read; a chunked body is
    refused as soon as it passes the limit, so at most `limit` + one chunk is ever held. A client that goes
    away before the end raises `ClientDisconnect` (as Starlette's own reader): what arrived is not the body,
    and acting on it would, say, load half a scenario.
    """
    declared = content_length(headers)
    if declared is not None and declared > limit:
        raise TooLarge(what, limit)
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge(what, limit)
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


HEADER_BYTES_KEY = "mockserver.header_bytes"
"""Where the pipeline leaves `header_bytes` of a request in its scope, for the journal to reuse."""


def header_bytes(headers) -> int:
    """What an ASGI header list weighs: names, values and the `: ` and CRLF of each line."""
    return sum(map(len, itertools.chain.from_iterable(headers))) + 4 * len(headers)


class NotAFile(OSError):
    """The path is a directory, a FIFO, a device or a socket: reading it could block or never end."""


def read_file(path: Path | str, limit: int, what: str = "the file") -> bytes:
    """The bytes of a regular file of at most `limit` bytes.

    The type is checked before opening (opening a FIFO blocks until a writer comes), the file is opened
    non-blocking anyway (it could be swapped in between), and at most `limit` + 1 bytes are read, so
    neither an endless source (`/dev/zero`) nor a huge file is buffered.
    """
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise NotAFile(f"not a regular file (a directory, FIFO, device or socket cannot be a {what})")
    if info.st_size > limit:
        raise TooLarge(what, limit)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotAFile(f"not a regular file (a directory, FIFO, device or socket cannot be a {what})")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(64 * KIB, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise TooLarge(what, limit)
    return b"".join(chunks)


# A path segment of more digits than `int()` takes (4,300 on Python 3.11+): an int route cannot match it.
_INT_DIGITS = sys.get_int_max_str_digits() or None
_TOO_LONG_FOR_INT = re.compile(r"/[+-]?[0-9]{%d,}(?=/|$)" % (_INT_DIGITS + 1)) if _INT_DIGITS else None


def too_long_for_int(path: str) -> bool:
    """Whether `path` has a segment that is an integer too long to convert.

    Django's `int` path converter raises ValueError for it, which means "no match": the URL is a 404.
    The router's converters would raise instead (a 500), so the app answers the API's 404 before routing.
    """
    # Paths are short: only one longer than the digits themselves can hold such a segment.
    return _INT_DIGITS is not None and len(path) > _INT_DIGITS and _TOO_LONG_FOR_INT.search(path) is not None
