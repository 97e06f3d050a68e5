"""The edx-search handler: `POST /search/course_discovery/` (edx-search 5 `course_discovery`).

Owns what the real view does with a request: form fields only (urlencoded or multipart; a JSON body counts as
no fields, like Django's `request.POST`), `page_size`/`page_index` (`pagination.edx_search`: 500 `{"error"}`
for a bad value), the `COURSE_DISCOVERY_FILTERS` term filters (`org`, `modes`, `language`), and the view's
500 when the engine raises. What the text matches, the order, the scores and the body's shape belong to the
backend the snapshot emulates (`mockserver.search`: Elasticsearch or Meilisearch).

A search is a pure function of (world, backend, form), so answers are kept in the runtime's response cache
under the form's relevant fields (the URL-keyed `@cached` cannot see a POST body).
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from mockserver import pagination
from mockserver.cache import current
from mockserver.errors import ApiError
from mockserver.params import read_form
from mockserver.render import json_bytes
from mockserver.search import SearchFailed, SearchQuery, engine
from mockserver.search.index import FACET_FIELDS, ready
from mockserver.state import runtime_of, snapshot_of

logger = logging.getLogger(__name__)


async def course_discovery(request):
    """POST /search/course_discovery/."""
    form = await read_form(request)
    size, from_ = pagination.edx_search(form)
    search_string = form.get("search_string")
    query = SearchQuery(search_string, size, from_, tuple((name, form[name]) for name in FACET_FIELDS if name in form))
    snapshot = snapshot_of(request)
    backend = engine(snapshot.search_backend)
    cache = runtime_of(request).cache
    key = ("search.course_discovery", id(snapshot), snapshot.generation, backend.name, query)
    body = cache.get(key)
    if body is None:
        try:
            if ready(snapshot.world):
                result = backend.search(snapshot.world, query)
            else:  # the index is still being built: wait off the event loop
                result = await run_in_threadpool(backend.search, snapshot.world, query)
        except SearchFailed as exc:
            logger.info("search engine rejected %r: %s", search_string, exc)
            raise ApiError("server_error", f'An error occurred when searching for "{search_string}"') from None
        except Exception:  # noqa: BLE001 - the view turns any search failure into this one answer
            # A failure here is a bug of the mock, not of a search engine: keep it visible in the log.
            logger.exception("search failed for %r", search_string)
            raise ApiError("server_error", f'An error occurred when searching for "{search_string}"') from None
        body = json_bytes(result)
        if current(request):
            cache.put(key, body)
    return Response(body, media_type="application/json")
