"""The edx-search handler: `POST /search/course_discovery/` (edx-search 5.0.3 `course_discovery`).

Owns what the real view does with a request: form fields only (urlencoded or multipart; a JSON body
counts as no fields, like Django's `request.POST`), `page_size`/`page_index` (`pagination.edx_search`:
500 `{"error"}` for a bad value), and the Elasticsearch body: `took`, `total`, `max_score`, `results`
(`{_index, _type, _id, [_ignored], data, score}`, `_source` renamed `data`) and `aggs`
(`{facet: {terms, total, other}}`, ES terms buckets: top 10 by count, then by value).

Matching (`search_string` words, the `COURSE_DISCOVERY_FILTERS` term filters `org`/`modes`/`language`, the
enrollment window at the world's clock) is the world's `search_documents`; this module scores, orders,
pages, aggregates and shapes. A search is a pure function of (world, form), so answers are kept in the
runtime's response cache under the form's relevant fields (the URL-keyed `@cached` cannot see a POST body).
"""

from __future__ import annotations

import logging

import re
from datetime import datetime, timezone

from starlette.responses import Response

from mockserver import pagination
from mockserver.errors import ApiError
from mockserver.params import read_form
from mockserver.render import json_bytes
from mockserver.state import runtime_of, snapshot_of
from mockserver.world.entities import SearchDocument

FILTER_FIELDS = ("org", "modes", "language")  # edx-search DEFAULT_FILTER_FIELDS
INDEX_NAME = "course_info"
DOC_TYPE = "_doc"
TERMS_SIZE = 10  # Elasticsearch's default `terms` aggregation size
KEYWORD_IGNORE_ABOVE = 256  # dynamic mapping: longer strings are not indexed as `.keyword` (`_ignored`)
# How much a query term found in each analysed field adds to a hit's score.
FIELD_WEIGHTS = (("display_name", 3.0), ("short_description", 2.0), ("number", 2.0), ("overview", 1.0))

logger = logging.getLogger(__name__)


def search_datetime(value: datetime | None) -> str | None:
    """edx-search's index format: Python `isoformat()` of a UTC datetime (`2030-01-01T00:00:00+00:00`)."""
    return None if value is None else value.astimezone(timezone.utc).isoformat()


def shape_document(doc: SearchDocument) -> dict:
    """The indexed course document (`data`). Empty values are not indexed, so they are left out."""
    content = {"display_name": doc.content.display_name, "overview": doc.content.overview,
               "number": doc.content.number, "short_description": doc.content.short_description}
    data = {
        "id": doc.id,
        "course": doc.course,
        "content": {k: v for k, v in content.items() if v},
        "image_url": doc.image_url,
        "start": search_datetime(doc.start),
        "end": search_datetime(doc.end),
        "enrollment_start": search_datetime(doc.enrollment_start),
        "enrollment_end": search_datetime(doc.enrollment_end),
        "effort": doc.effort,
        "number": doc.number,
        "org": doc.org,
        "modes": list(doc.modes),
        "language": doc.language,
        "invitation_only": doc.invitation_only,
        "catalog_visibility": doc.catalog_visibility,
    }
    return {k: v for k, v in data.items() if v not in (None, "", False, [])}


def shape_hit(doc: SearchDocument, score: float) -> dict:
    """One Elasticsearch hit as `_translate_hits` returns it."""
    hit = {"_index": INDEX_NAME, "_type": DOC_TYPE, "_id": doc.id}
    if len(doc.content.overview or "") > KEYWORD_IGNORE_ABOVE:
        hit["_ignored"] = ["content.overview.keyword"]
    hit["data"] = shape_document(doc)
    hit["score"] = score
    return hit


def score(doc: SearchDocument, terms: tuple[str, ...]) -> float:
    """A relevance score for a hit: the weight of every analysed field each query word appears in."""
    if not terms:
        return 1.0  # match_all
    content = doc.content
    texts = {"display_name": content.display_name, "short_description": content.short_description,
             "number": content.number, "overview": content.overview}
    folded = {name: (text or "").casefold() for name, text in texts.items()}
    # The world matched the document on its whole indexed text (org included): never score a hit 0.
    return max(1.0, sum(weight for term in terms for name, weight in FIELD_WEIGHTS if term in folded[name]))


def _aggregate(docs: list[SearchDocument]) -> dict:
    aggs = {}
    for name in FILTER_FIELDS:
        counts: dict[str, int] = {}
        for doc in docs:
            values = getattr(doc, name)
            for value in values if isinstance(values, tuple) else (values,):
                if value is not None:
                    counts[value] = counts.get(value, 0) + 1
        buckets = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = dict(buckets[:TERMS_SIZE])
        other = sum(n for _, n in buckets[TERMS_SIZE:])
        aggs[name] = {"terms": shown, "total": sum(shown.values()) + other, "other": other}
    return aggs


def course_discovery_search(world, search_string: str | None, size: int, from_: int,
                            filters: dict[str, str]) -> dict:
    """The edx-search answer body for one query (Elasticsearch backend shape)."""
    matched = list(world.search_documents(search_string=search_string, filters=filters))
    terms = tuple(re.findall(r"\w+", (search_string or "").casefold()))
    hits = [(score(doc, terms), n) for n, doc in enumerate(matched)]
    # Relevance first; equal scores keep index order, as Elasticsearch does on one shard.
    hits.sort(key=lambda h: -h[0])
    return {
        # A deterministic stand-in for the backend's milliseconds: same world and query, same bytes.
        "took": 1 + len(matched) // 200 + len(terms),
        "total": len(hits),
        "max_score": hits[0][0] if hits else None,
        "results": [shape_hit(matched[n], s) for s, n in hits[from_:from_ + size]],
        "aggs": _aggregate(matched),
    }


async def course_discovery(request):
    """POST /search/course_discovery/."""
    form = await read_form(request)
    size, from_ = pagination.edx_search(form)
    search_string = form.get("search_string")
    filters = {name: form[name] for name in FILTER_FIELDS if name in form}
    cache = runtime_of(request).cache
    snapshot = snapshot_of(request)
    key = ("search.course_discovery", id(snapshot), snapshot.generation, search_string, size, from_,
           tuple(sorted(filters.items())))
    body = cache.get(key)
    if body is None:
        try:
            result = course_discovery_search(snapshot.world, search_string, size, from_, filters)
        except Exception:  # noqa: BLE001 - the view turns any search failure into this one answer
            # A failure here is a bug of the mock, not of a search engine: keep it visible in the log.
            logger.exception("search failed for %r", search_string)
            raise ApiError("server_error", f'An error occurred when searching for "{search_string}"') from None
        body = json_bytes(result)
        cache.put(key, body)
    return Response(body, media_type="application/json")
