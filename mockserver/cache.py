"""A response cache for the deterministic world: the same request on the same snapshot gets the same bytes.

Every GET of the world is a pure function of (snapshot, URL, Accept) and of what a handler names with
`vary` (the catalog's bodies carry the caller): the world is immutable and a reload installs a new
snapshot. So a handler wrapped with `@cached` renders once per distinct request and then serves bytes,
keeping shaping and serialisation off the hot path. Behaviours (latency, faults) run outside
the handler and are never cached.

A hit costs a dict lookup: the key is read straight off the ASGI scope (building `request.url` costs more
than the rest of the hit), and the stored response is replayed with the very header list it was first sent
with, so nothing is encoded twice.
"""

from __future__ import annotations

import functools
from collections import OrderedDict

from starlette.responses import Response

MAX_ENTRIES = 4096


class ResponseCache:
    """A bounded LRU of rendered responses, keyed per snapshot."""

    def __init__(self, size: int = MAX_ENTRIES):
        self.size = size
        self._entries: OrderedDict = OrderedDict()

    def get(self, key):
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key, entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


def request_key(request) -> tuple:
    """What a world response can depend on besides the handler: snapshot, URL (links are absolute), Accept."""
    scope = request.scope
    snapshot = scope["mockserver.snapshot"]
    host = accept = None
    for name, value in scope["headers"]:
        if name == b"host":
            host = host if host is not None else value
        elif name == b"accept":
            accept = accept if accept is not None else value
    if host is None:  # HTTP/1.0 without Host: the links are built from the server address
        host = request.url.netloc
    # A session's path prefix (sessions.py) is part of every link the response carries.
    return (id(snapshot), snapshot.generation, scope.get("scheme"), host, scope.get("root_path", ""),
            scope.get("mockserver.prefix"), scope["path"], scope.get("query_string", b""), accept or b"")


class CachedResponse(Response):
    """A stored response sent again: the status, body and header list exactly as they were first sent."""

    def __init__(self, status_code: int, body: bytes, raw_headers: list, media_type: str | None):
        self.status_code = status_code
        self.body = body
        self.raw_headers = list(raw_headers)  # a copy: a caller may add headers to its response
        self.media_type = media_type
        self.background = None


def cached(handler=None, *, vary=None):
    """Cache a GET handler's successful responses for the life of the snapshot.

    `@cached(vary=fn)` is for a body that also depends on something besides the URL and `Accept` (the
    caller, say): `fn(request)` joins the key.
    """
    if handler is None:
        return functools.partial(cached, vary=vary)
    key_of = request_key if vary is None else (lambda request: (request_key(request), vary(request)))

    @functools.wraps(handler)
    async def wrapper(request):
        cache: ResponseCache = request.scope["mockserver"].cache
        key = key_of(request)
        hit = cache.get(key)
        if hit is not None:
            return CachedResponse(*hit)
        response = await handler(request)
        if response.status_code == 200:
            cache.put(key, (response.status_code, response.body, list(response.raw_headers), response.media_type))
        return response

    return wrapper
