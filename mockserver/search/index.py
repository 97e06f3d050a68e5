"""The full-text index of one world's edx-search documents (tantivy), shared by both engines.

One tantivy index per world, built once (`index_of`). A world of `WARM_FROM` documents or more has its index
built by `warm` where the world itself is built (start-up, a scenario reload's thread), before it serves, so
no request ever waits for an index; a smaller world's is built by its first search. It holds every course-run document, enrollable
or not, as the engines' shards do, so relevance statistics (document frequencies, average field lengths) are
those of the whole index:

- `display_name`, `overview`, `number`, `short_description`: the analysed `content.*` fields (tantivy's
  `default` tokenizer: split on non-alphanumerics, lowercase, like Elasticsearch's `standard` analyzer);
- `meta`: the document's other text (id, org, number, modes, language, visibility), which Meilisearch also
  searches (its `searchableAttributes` default is every attribute): a Meilisearch phrase is looked for in
  each of `TEXT_FIELDS` (`any_field`: the content fields and `meta`);
- `all`: every term of those fields, indexed without positions or frequencies (`basic`: a list of documents
  per term, about a fifth of the size of the positions it would otherwise carry), so a Meilisearch word (a
  term, or every term one or two typos away) is one automaton over one term dictionary, not one per field;
- `org`, `modes`, `language`: exact keywords (term filters and facets, `raw` tokenizer, fast fields);
- `live`: 1 when the enrollment window contains the world's clock (edx-search's implicit filters);
- `doc`: the document's position in the world's run order.

Determinism: documents go in in world order through one single-threaded writer, and the index ends with one
segment sorted by `doc` (see `SearchIndex`), so equal scores tie by document position, and every score is a
pure function of the world.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence

import orjson
import tantivy

from mockserver.memory import release_free_memory

CONTENT_FIELDS = ("display_name", "overview", "number", "short_description")
META_FIELD = "meta"
TEXT_FIELDS = (*CONTENT_FIELDS, META_FIELD)  # every searchable text of a document (Meilisearch's)
ALL_FIELD = "all"  # every term of TEXT_FIELDS, without positions or frequencies
FACET_FIELDS = ("org", "modes", "language")  # edx-search DEFAULT_FILTER_FIELDS
WARM_FROM = 5_000  # documents: from here the index is built with the world, before it serves
# A large world's index is written in this many equal batches, one segment each; tantivy's merge policy
# (LogMergePolicy: 8 segments of one size level) merges them into one. A batch's buffer stays far below
# `BATCH_HEAP` (~22,500 documents, ~20 MB, at 100k courses), so tantivy never cuts a batch in two.
BATCHES = 8
BATCH_HEAP = 200_000_000
SMALL_HEAP = 50_000_000  # a small world's index is written in one batch (~1 MB at the default size)
ONE_BATCH_HEAP = 400_000_000  # the whole of a 100k-course world's documents in one batch

logger = logging.getLogger(__name__)
Occur = tantivy.Occur
Query = tantivy.Query


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="default")
    builder.add_text_field(ALL_FIELD, stored=False, tokenizer_name="default", index_option="basic")
    for name in FACET_FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    builder.add_unsigned_field("live", stored=False, indexed=True)
    builder.add_unsigned_field("doc", stored=False, fast=True)
    return builder.build()


def _documents(world) -> Iterator[str]:
    """The JSON of each document, in world order, made one at a time (nothing of the world is cached)."""
    table, runs, clock = world._search_index, world._run_cores, world.clock
    value, starts, ends = table.value, table.es, table.ee
    for i in range(len(runs)):
        display_name, overview, number, short_description = table.content(i)
        modes = value(i, "modes") or ()
        org, language = value(i, "org"), value(i, "language")
        meta = " ".join(filter(None, (runs[i].key, org, value(i, "number"), *modes, language,
                                      value(i, "catalog_visibility"))))
        live = starts[i] is not None and starts[i] <= clock and (ends[i] is None or ends[i] >= clock)
        doc = {"display_name": display_name, "overview": overview, "number": number,
               "short_description": short_description, META_FIELD: meta,
               ALL_FIELD: [display_name, short_description, number, overview, meta], "modes": list(modes),
               "live": int(live), "doc": i}
        if org:
            doc["org"] = org
        if language:
            doc["language"] = language
        yield orjson.dumps(doc).decode()


class SearchIndex:
    """A built index and the queries both engines compose from it.

    A small world's index lives in memory, written in one commit. A large world's (`WARM_FROM` documents or
    more) is written to a private temporary directory in `BATCHES` commits, merged into one segment and
    memory-mapped; the directory is removed as soon as the searcher has its files open (they live on, unnamed,
    until the index is dropped), so nothing is left on disk whatever happens to the process. Its writer never
    buffers more than one batch, and the index's pages count in the process's memory only once read.
    Either way the index has one segment, documents in world order (`doc`, also the index's sort field), so
    both hold the same terms, statistics and document numbers, and answer the same.
    """

    def __init__(self, world):
        self.schema = _schema()
        large = len(world._run_cores) >= WARM_FROM
        if large:
            release_free_memory()
            try:
                self.index = self._build_on_disk(world)
            except (OSError, ValueError) as error:  # no temporary directory, or no room in it
                logger.warning("search index kept in memory: writing it to a temporary directory failed (%s)",
                               error)
                self.index = self._build(world, None, 1, ONE_BATCH_HEAP)
            release_free_memory()
        else:
            self.index = self._build(world, None, 1, SMALL_HEAP)
        if self.searcher.num_segments > 1:  # ties would then depend on segment order
            logger.warning("search index has %d segments; equal scores may tie differently",
                           self.searcher.num_segments)
        self._analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                          .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase()).build())
        self.live = Query.term_query(self.schema, "live", 1)

    def _build_on_disk(self, world) -> tantivy.Index:
        with tempfile.TemporaryDirectory(prefix="mockserver-search-", ignore_cleanup_errors=True) as path:
            index = self._build(world, path, BATCHES, BATCH_HEAP)
            if self.searcher.num_segments > 1:  # the merge policy did not merge them: one batch then
                logger.warning("search index: %d segments after the merge; writing it in one batch",
                               self.searcher.num_segments)
                index = self._build(world, tempfile.mkdtemp(dir=path), 1, ONE_BATCH_HEAP)
        return index

    def _build(self, world, path: str | None, batches: int, heap: int) -> tantivy.Index:
        """The index of `world`'s documents (in `path`, or in memory), searchable (`self.searcher`)."""
        index = tantivy.Index(self.schema, path=path, sort_by_field="doc")
        index.config_reader(reload_policy="manual")  # no watcher thread on the directory's meta.json
        writer = index.writer(heap_size=heap, num_threads=1)
        per_batch = -(-len(world._run_cores) // batches)
        for n, doc in enumerate(_documents(world), 1):
            writer.add_json(doc)
            if n % per_batch == 0:
                writer.commit()
                release_free_memory()  # the batch's buffer: freed by the writer, kept by the allocator
        writer.commit()
        release_free_memory()
        writer.wait_merging_threads()
        index.reload()
        self.searcher = index.searcher()
        return index

    # ------------------------------------------------------------------ building blocks
    def tokens(self, text: str) -> list[str]:
        """`text` analysed as the content fields are (the `default` tokenizer)."""
        return self._analyzer.analyze(text)

    def term(self, field: str, token: str) -> tantivy.Query:
        return Query.term_query(self.schema, field, token)

    def any_field(self, query_of: Callable[[str], tantivy.Query]) -> tantivy.Query:
        """The documents matching `query_of(field)` in one of `TEXT_FIELDS` at least, for a query that needs
        positions (a phrase; a word is `query_of(ALL_FIELD)`). Scored as a sum: wrap it in a constant score
        where the score matters."""
        return Query.boolean_query([(Occur.Should, query_of(field)) for field in TEXT_FIELDS])

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
