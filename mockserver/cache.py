"""A response cache for the deterministic world: the same request on the same snapshot gets the same bytes.

Every GET of the world is a pure function of (snapshot, URL, Accept): the world is immutable and a reload
installs a new snapshot. So a handler wrapped with `@cached` renders once per distinct request and then
serves bytes, keeping shaping and serialisation off the hot path. Behaviours (latency, faults) run outside
the handler and are never cached.
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
        self.hits = 0
        self.misses = 0

    def get(self, key):
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key, entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


def _key(request) -> tuple:
    snapshot = request.scope["mockserver.snapshot"]
    headers = request.headers
    return (id(snapshot), snapshot.generation, request.url.netloc, request.url.path, request.url.query,
            headers.get("accept", ""))


def cached(handler):
    """Cache a GET handler's successful responses for the life of the snapshot."""

    @functools.wraps(handler)
    async def wrapper(request):
        cache: ResponseCache = request.scope["mockserver"].cache
        key = _key(request)
        hit = cache.get(key)
        if hit is not None:
            status, body, headers, media_type = hit
            return Response(body, status_code=status, headers=headers, media_type=media_type)
        response = await handler(request)
        if response.status_code == 200:
            headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
            cache.put(key, (response.status_code, response.body, headers, response.media_type))
        return response

    return wrapper
