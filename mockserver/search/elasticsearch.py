"""The Elasticsearch backend (edx-search `search/elastic.py` `ElasticSearchEngine`).

What the engine does with course discovery's text, as edx-search 5 sends it:

- `RESERVED_CHARACTERS` (`+=><!(){}[]^~*:\\/&|?`) are removed, then the rest is a `query_string` query over
  `content.*`: Lucene's classic syntax (parsed by `luqum`, which follows Lucene's grammar) with `OR` as the
  default operator. What survives the stripping is words, `"phrases"`, `AND`, `OR`, `NOT` and `-word`; a text
  Lucene cannot parse (an unbalanced `"`, a trailing `AND`, a lone `-`) is an engine exception, which the
  view answers with 500. Clauses combine as Lucene's `QueryParser.addClause` does (no parentheses survive, so
  the query is flat): `AND` makes its neighbours required, `NOT`/`-` prohibits, the rest is optional; a query
  of prohibitions alone matches everything else (Elasticsearch adds `match_all`). An empty text after the
  stripping matches nothing.
- Each word is analysed like the field (lowercase, split on non-alphanumerics); a word that splits in several
  tokens ORs them; per word the best field counts (`best_fields`: a `dis_max` over the content fields).
- Scores are BM25 (k1 1.2, b 0.75) computed by tantivy, divided by (1 + k1) because Lucene 8+ dropped that
  constant factor, rounded to 32 bits as Elasticsearch reports them. edx-search's implicit `enrollment_start`
  range is a `must` query too and adds a constant 1 (so no text scores 1.0), and each term filter its keyword
  BM25. Hits sort by score, ties by index order.
- `total` is `hits.total.value`, which Elasticsearch stops counting at 10,000 (`track_total_hits`). (A real
  cluster also refuses pages past `index.max_result_window`, 10,000 hits, with an error; the mock answers them
  as empty pages, as the spec's paging rule says.)
- Facets are `terms` aggregations (top 10 by count, then value) plus the `sum_bucket` edx-search adds:
  `total` = returned buckets + `sum_other_doc_count`, a float.
"""

from __future__ import annotations

import re
import struct

from luqum.exceptions import ParseError
from luqum.parser import parser as lucene_parser
from luqum.tree import AndOperation, Not, OrOperation, Phrase, Prohibit, UnknownOperation, Word

from mockserver.search.query import DOC_TYPE, INDEX_NAME, SearchFailed, SearchQuery, shape_document
from mockserver.search.index import CONTENT_FIELDS, FACET_FIELDS, Occur, Query, SearchIndex, index_of

RESERVED_CHARACTERS = "+=><!(){}[]^~*:\\/&|?"  # edx-search search/elastic.py
_STRIP = str.maketrans("", "", RESERVED_CHARACTERS)
# Lucene's classic parser starts a term with `'` (it is not in its _TERM_START_CHAR exclusions); luqum's lexer
# does not, so `'python'` would fail here while Elasticsearch answers it. Escaped, luqum takes it as Lucene does.
_TERM_START_QUOTE = re.compile(r"(?:^|(?<=[\s-]))'")
# Lucene never lets `"` into a term: `x"a b"y` is the word x, the phrase "a b" and the word y, phrases pairing
# quotes left to right. luqum's lexer takes `"` as a term character after the first, so a phrase touching a word
# is lexed differently and balanced text can fail. Phrases are set apart from the words they touch first.
_PHRASE = re.compile(r'"[^"]*"')


def lucene_text(text: str) -> str:
    """`text` (already stripped of RESERVED_CHARACTERS) spelled so that luqum lexes it as Lucene's parser does."""
    def apart(match: re.Match) -> str:
        start = match.start()
        touching = start > 0 and not text[start - 1].isspace() and text[start - 1] != "-"  # keep `-"a b"`
        return f"{' ' if touching else ''}{match.group(0)} "

    return _TERM_START_QUOTE.sub(r"\\'", _PHRASE.sub(apart, text))
TRACK_TOTAL_HITS = 10_000  # Elasticsearch's default `track_total_hits`
TERMS_SIZE = 10  # Elasticsearch's default `terms` aggregation size
KEYWORD_IGNORE_ABOVE = 256  # dynamic mapping: longer strings are not indexed as `.keyword` (`_ignored`)
K1 = 1.2


def f32(value: float) -> float:
    """`value` as Elasticsearch prints a 32-bit score: the shortest decimal naming the same float32."""
    packed = struct.pack("<f", value)
    for digits in range(6, 10):
        text = float(f"{value:.{digits}g}")
        if struct.pack("<f", text) == packed:
            return text
    return struct.unpack("<f", packed)[0]


def _clauses(tree) -> list[tuple[str | None, str | None, object]]:
    """The flat query as (conjunction before, modifier, atom) triples, in text order."""
    out: list[tuple[str | None, str | None, object]] = []

    def walk(node, conj):
        if isinstance(node, (AndOperation, OrOperation, UnknownOperation)):
            op = "AND" if isinstance(node, AndOperation) else "OR" if isinstance(node, OrOperation) else None
            for n, child in enumerate(node.children):
                walk(child, conj if n == 0 else op)
        elif isinstance(node, (Not, Prohibit)):
            if not isinstance(node.a, (Word, Phrase)):
                raise ParseError(f"cannot negate {node.a!r}")  # Lucene allows one modifier per clause
            out.append((conj, "NOT", node.a))
        elif isinstance(node, (Word, Phrase)):
            out.append((conj, None, node))
        else:
            raise ParseError(f"unsupported query element {node!r}")

    walk(tree, None)
    return out


def _occurs(clauses) -> list[tuple[str, object]]:
    """Lucene `QueryParser.addClause` with the OR default operator: MUST, SHOULD or MUST_NOT per atom."""
    occurs: list[list] = []
    for conj, mod, atom in clauses:
        if conj == "AND" and occurs and occurs[-1][0] != "MUST_NOT":
            occurs[-1][0] = "MUST"
        if mod == "NOT":
            occur = "MUST_NOT"
        elif conj == "AND":
            occur = "MUST"
        else:
            occur = "SHOULD"
        occurs.append([occur, atom])
    return [(occur, atom) for occur, atom in occurs]


def _atom_query(index: SearchIndex, atom) -> object | None:
    """The `dis_max` over the content fields for one word or phrase, None when it analyses to nothing."""
    if isinstance(atom, Phrase):
        tokens = index.tokens(atom.value[1:-1])
        if not tokens:
            return None
        per_field = [index.phrase(field, tokens) for field in CONTENT_FIELDS]
    else:
        tokens = index.tokens(atom.value)
        if not tokens:
            return None
        per_field = [index.term(field, tokens[0]) if len(tokens) == 1 else
                     Query.boolean_query([(Occur.Should, index.term(field, t)) for t in tokens])
                     for field in CONTENT_FIELDS]
    return Query.disjunction_max_query(per_field)


def text_query(index: SearchIndex, text: str):
    """The `query_string` query for edx-search's (already stripped) text; `SearchFailed` if Lucene rejects it."""
    if not text.strip():
        return Query.empty_query()
    try:
        clauses = _clauses(lucene_parser.parse(lucene_text(text)))
    except (ParseError, RecursionError) as exc:
        raise SearchFailed(str(exc)) from None
    parts = []
    for occur, atom in _occurs(clauses):
        query = _atom_query(index, atom)
        if query is not None:
            parts.append(({"MUST": Occur.Must, "SHOULD": Occur.Should, "MUST_NOT": Occur.MustNot}[occur], query))
    if not parts:
        return Query.empty_query()
    if all(occur == Occur.MustNot for occur, _ in parts):
        parts.append((Occur.Must, Query.const_score_query(Query.all_query(), 1 + K1)))  # match_all: 1
    return Query.boolean_query(parts)


def shape_hit(doc, score: float) -> dict:
    """One Elasticsearch hit as `_translate_hits` returns it (`_source` renamed `data`, `_score` `score`)."""
    hit = {"_index": INDEX_NAME, "_type": DOC_TYPE, "_id": doc.id}
    if len(doc.content.overview or "") > KEYWORD_IGNORE_ABOVE:
        hit["_ignored"] = ["content.overview.keyword"]
    hit["data"] = shape_document(doc)
    hit["score"] = score
    return hit


def facet(counts: dict[str, int]) -> dict:
    """A `terms` aggregation (top `TERMS_SIZE` by count, then value) as `translate_agg_bucket` reports it."""
    buckets = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = dict(buckets[:TERMS_SIZE])
    other = sum(n for _, n in buckets[TERMS_SIZE:])
    return {"terms": shown, "total": float(sum(shown.values()) + other), "other": other}


class Elasticsearch:
    name = "elasticsearch"

    def search(self, world, query: SearchQuery) -> dict:
        index = index_of(world)
        # edx-search sends the enrollment_start range and the term filters as `must` queries too: the range
        # scores a constant 1 and each term its keyword BM25 (scores are divided by 1 + k1 below).
        clauses = index.filters(dict(query.filters), live_score=1 + K1, scored=True)
        if query.text:  # edx-search: `if query_string:` before stripping
            clauses.append((Occur.Must, text_query(index, query.text.translate(_STRIP))))
        full = Query.boolean_query(clauses)
        total, hits = index.page(full, query.from_, query.size)
        scores = [f32(score / (1 + K1)) for score, _ in hits]
        best = hits[:1] if query.from_ == 0 else index.page(full, 0, 1)[1]
        counts = index.facets(full)
        return {
            # A deterministic stand-in for the engine's milliseconds: same world and query, same bytes.
            "took": 1 + total // 2000 + len(query.text or "") // 8,
            "total": min(total, TRACK_TOTAL_HITS),
            "max_score": f32(best[0][0] / (1 + K1)) if best else None,
            "results": [shape_hit(world.search_document(world._run_cores[position].key), score)
                        for (_, position), score in zip(hits, scores)],
            "aggs": {name: facet(counts[name]) for name in FACET_FIELDS},
        }


ENGINE = Elasticsearch()
