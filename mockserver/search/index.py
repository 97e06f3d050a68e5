"""The full-text index of one world's edx-search documents (tantivy), shared by both engines.

One tantivy index per world, built once (`index_of`). A world of `WARM_FROM` documents or more has its index
built by `warm` where the world itself is built (start-up, a scenario reload's thread), before it serves, so
no request ever waits for an index; a smaller world's is built by its first search. It holds every course-run document, enrollable
or not, as the engines' shards do, so relevance statistics (document frequencies, average field lengths) are
those of the whole index:

- `display_name`, `overview`, `number`, `short_description`: the analysed `content.*` fields (tantivy's
  `default` tokenizer: split on non-alphanumerics, lowercase, like Elasticsearch's `standard` analyzer);
- `all`: every searchable text of the document, for Meilisearch (whose `searchableAttributes` default is
  every attribute, and whose attribute ranking is not modelled): the content fields and the other text (id,
  org, number, modes, language, visibility), as values of one multi-valued field (a phrase never spans two),
  so a Meilisearch word is one automaton over one field, not one per field;
- `org`, `modes`, `language`: exact keywords (term filters and facets, `raw` tokenizer, fast fields);
- `live`: 1 when the enrollment window contains the world's clock (edx-search's implicit filters);
- `doc`: the document's position in the world's run order.

Determinism: documents go in in world order through one single-threaded writer and one commit into one
segment, so equal scores tie by document position, and every score is a pure function of the world.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Sequence

import orjson
import tantivy

CONTENT_FIELDS = ("display_name", "overview", "number", "short_description")
ALL_FIELD = "all"
FACET_FIELDS = ("org", "modes", "language")  # edx-search DEFAULT_FILTER_FIELDS
WARM_FROM = 5_000  # documents: from here the index is built with the world, before it serves
BUILD_HEAP = 400_000_000  # bytes the writer may buffer; above it tantivy would cut a second segment

logger = logging.getLogger(__name__)
Occur = tantivy.Occur
Query = tantivy.Query


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in (*CONTENT_FIELDS, ALL_FIELD):
        builder.add_text_field(name, stored=False, tokenizer_name="default")
    for name in FACET_FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    builder.add_unsigned_field("live", stored=False, indexed=True)
    builder.add_unsigned_field("doc", stored=False, fast=True)
    return builder.build()


class SearchIndex:
    """A built index and the queries both engines compose from it."""

    def __init__(self, world):
        self.schema = _schema()
        self.index = tantivy.Index(self.schema)
        table = world._search_index
        live = set(table.live(world.clock))
        columns = {name: table.column(name) for name in (*FACET_FIELDS, "number", "catalog_visibility")}
        writer = self.index.writer(heap_size=BUILD_HEAP, num_threads=1)
        runs = world._run_cores
        for i in range(len(runs)):
            display_name, overview, number, short_description = table.content(i)
            modes = columns["modes"][i] or ()
            org, language = columns["org"][i], columns["language"][i]
            meta = " ".join(filter(None, (runs[i].key, org, columns["number"][i], *modes, language,
                                          columns["catalog_visibility"][i])))
            doc = {"display_name": display_name, "overview": overview, "number": number,
                   "short_description": short_description,
                   ALL_FIELD: [display_name, short_description, number, overview, meta],
                   "modes": list(modes), "live": int(i in live), "doc": i}
            if org:
                doc["org"] = org
            if language:
                doc["language"] = language
            writer.add_json(orjson.dumps(doc).decode())
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        if self.searcher.num_segments != 1:  # ties would then depend on segment order
            logger.warning("search index has %d segments; equal scores may tie differently",
                           self.searcher.num_segments)
        self._analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                          .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase()).build())
        self.live = Query.term_query(self.schema, "live", 1)

    # ------------------------------------------------------------------ building blocks
    def tokens(self, text: str) -> list[str]:
        """`text` analysed as the content fields are (the `default` tokenizer)."""
        return self._analyzer.analyze(text)

    def term(self, field: str, token: str) -> tantivy.Query:
        return Query.term_query(self.schema, field, token)

    def phrase(self, field: str, tokens: Sequence[str]) -> tantivy.Query:
        if len(tokens) == 1:
            return self.term(field, tokens[0])
        return Query.phrase_query(self.schema, field, list(tokens))

    def fuzzy(self, field: str, token: str, distance: int, prefix: bool) -> tantivy.Query:
        if distance == 0 and not prefix:
            return self.term(field, token)
        return Query.fuzzy_term_query(self.schema, field, token, distance, True, prefix)

    def filters(self, filters: dict[str, str], live_score: float = 0.0,
                scored: bool = False) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """Enrollable documents (scoring `live_score`) matching every term filter (BM25-scored on the keyword
        when `scored`, else not scoring), as required clauses."""
        clauses = [(Occur.Must, Query.const_score_query(self.live, live_score))]
        for name, value in filters.items():
            term = self.term(name, value)
            clauses.append((Occur.Must, term if scored else Query.const_score_query(term, 0.0)))
        return clauses

    # ------------------------------------------------------------------ running
    def count(self, query: tantivy.Query) -> int:
        return self.searcher.search(query, limit=1, count=True).count  # tantivy panics on limit 0

    def page(self, query: tantivy.Query, offset: int, limit: int,
             in_doc_order: bool = False) -> tuple[int, list[tuple[float, int]]]:
        """(hit count, [(score, document position)] of the hits `offset`..`offset + limit`) in one pass, by
        score with ties by position, or by position alone (`in_doc_order`: every hit scores the same).
        tantivy sizes its heap by offset + limit and aborts the process on a huge one: an offset past the
        index never reaches it."""
        if offset >= self.searcher.num_docs or limit <= 0:
            return self.count(query), []
        if in_doc_order:
            found = self.searcher.search(query, limit=limit, offset=offset, count=True, order_by_field="doc",
                                         order=tantivy.Order.Asc)
        else:
            found = self.searcher.search(query, limit=limit, offset=offset, count=True)
        positions = self.searcher.fast_field_values("doc", [address for _, address in found.hits])
        return found.count, [(score, position) for (score, _), position in zip(found.hits, positions)]

    def facets(self, query: tantivy.Query) -> dict[str, dict[str, int]]:
        """Per facet field, the document count of each value among the hits of `query`."""
        spec = {name: {"terms": {"field": name, "size": 65_000}} for name in FACET_FIELDS}
        answer = self.searcher.aggregate(query, spec)
        return {name: {b["key"]: b["doc_count"] for b in answer.get(name, {}).get("buckets", ())}
                for name in FACET_FIELDS}


_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_BUILDING: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _builder(world) -> threading.Event:
    """The event set when `world`'s index is built, starting the build (on a thread) if nobody has."""
    with _LOCK:
        done = _BUILDING.get(world)
        if done is not None:
            return done
        done = _BUILDING[world] = threading.Event()

    def build():
        try:
            index = SearchIndex(world)
            with _LOCK:
                _INDEXES[world] = index
        except Exception:  # noqa: BLE001 - a failed build is retried by the search that needs it
            logger.exception("building the search index failed")
            with _LOCK:
                _BUILDING.pop(world, None)
        finally:
            done.set()

    threading.Thread(target=build, name="search-index", daemon=True).start()
    return done


def warm(world) -> None:
    """Build `world`'s index now (idempotent) if the world is large enough that a search would notice the build:
    the index is then ready when the world is. Callers run this where the world is built, never on the event loop
    (start-up, and `Runtime.swap` from the admin API's, the watcher's or the shared state's threads), and the
    previous world serves meanwhile. A smaller world's index is built by its first search (tens of
    milliseconds), so the many short-lived worlds of tests and scenario checks never pay for one they do not
    search."""
    if len(world._run_cores) >= WARM_FROM:
        index_of(world)


def ready(world) -> bool:
    return world in _INDEXES


def index_of(world) -> SearchIndex:
    """`world`'s index, waiting for (or running) its build."""
    index = _INDEXES.get(world)
    if index is None:
        _builder(world).wait()
        index = _INDEXES.get(world)
        if index is None:  # the background build failed: build here, so the error surfaces
            index = SearchIndex(world)
            with _LOCK:
                _INDEXES[world] = index
    return index
