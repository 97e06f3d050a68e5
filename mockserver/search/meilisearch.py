"""The Meilisearch backend (edx-search `search/meilisearch.py` `MeilisearchEngine`).

edx-search sends the raw text (`q`) with `showRankingScore`, the filters and `facets`; Meilisearch answers with
its defaults, which this module follows:

- words are matched in every attribute (`searchableAttributes: ["*"]`), case-insensitively;
- `matchingStrategy: "last"`: the candidates are the documents with the first word; those with all words come
  first, then those missing the last word, then the last two, and so on (the `words` ranking rule);
- typo tolerance: a word of 5 to 8 letters matches with 1 typo, of 9 or more with 2 (Damerau-Levenshtein,
  a transposition is one typo; a typo on the first letter counts as two); fewer typos rank first (the `typo`
  rule);
- the last word matches as a prefix unless the text ends with a separator;
- `"a phrase"` matches those words in a row, without typos (an unclosed quote runs to the end of the text);
  `-word` and `-"a phrase"` exclude; at most 10 terms count;
- no text (or only exclusions) is a placeholder search: every document, ranking score 1;
- hits tie by document order; `estimatedTotalHits` stops at `pagination.maxTotalHits` (1000) and no hit past
  it is returned; `facetDistribution` counts every candidate, values in alphabetical order (at most 100).

edx-search's `process_results` then gives `total` = `estimatedTotalHits`, `max_score` = the best
`_rankingScore` of the page (0 without hits), results `{_id, _index, _type, data}` without `score`, dates
back from timestamps as naive datetimes (no offset), and facets `{terms, total: sum, other: 0}`.

The ranking score is Meilisearch's lexicographic combination (`Rank::global_score`) of the `words` and
`typo` rules; the `proximity`, `attribute` and `exactness` rules are not modelled (they only break ties
inside a typo bucket here, by document order), so scores are those of a perfect match on those rules; and a
first-letter typo plus one more edit still matches a 9+ letter word (Meilisearch counts that as three).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from mockserver.search.query import DOC_TYPE, INDEX_NAME, SearchQuery, shape_document
from mockserver.search.index import ALL_FIELD, FACET_FIELDS, Occur, Query, SearchIndex, index_of

MAX_TOTAL_HITS = 1000  # `pagination.maxTotalHits`
MAX_VALUES_PER_FACET = 100  # `faceting.maxValuesPerFacet`
MAX_TERMS = 10  # Meilisearch keeps the first 10 terms of a query
ONE_TYPO, TWO_TYPOS = 5, 9  # `typoTolerance.minWordSizeForTypos`
BUCKET = 100.0  # score step of one more matched word; a word's typo credit (0..3) stays below it

_CHUNK = re.compile(r'(?:^|(?<=\s))(-?)"([^"]*)(?:"|$)|(?:^|(?<=\s))(-?)([^\s"]+)|"')


def allowed_typos(token: str) -> int:
    return 0 if len(token) < ONE_TYPO else 1 if len(token) < TWO_TYPOS else 2


def one_typo_regex(token: str, prefix: bool) -> str:
    """The terms one typo away from `token` that keep its first letter (Meilisearch counts a typo on the first
    letter as two): the rest with one letter deleted, replaced, inserted or two neighbours swapped."""
    first, rest = token[0], token[1:]
    alts = {re.escape(rest)}
    for i in range(len(rest)):
        alts.add(re.escape(rest[:i]) + re.escape(rest[i + 1:]))
        alts.add(re.escape(rest[:i]) + "." + re.escape(rest[i + 1:]))
    for i in range(len(rest) + 1):
        alts.add(re.escape(rest[:i]) + "." + re.escape(rest[i:]))
    for i in range(len(rest) - 1):
        alts.add(re.escape(rest[:i] + rest[i + 1] + rest[i] + rest[i + 2:]))
    return re.escape(first) + "(" + "|".join(sorted(alts)) + ")" + (".*" if prefix else "")


def derivations(index: SearchIndex, token: str, typos: int, prefix: bool):
    """The query of the terms at most `typos` typos from `token` in any text field (`ALL_FIELD`; a prefix of
    them when `prefix`): 0 exact, 1 the first letter kept (`one_typo_regex`), 2 any two edits (Levenshtein,
    transposition = 1; a first-letter typo plus another edit is let through here, where Meilisearch would
    count three)."""
    if typos == 1:
        return Query.regex_query(index.schema, ALL_FIELD, one_typo_regex(token, prefix))
    return index.fuzzy(ALL_FIELD, token, typos, prefix)


def phrase_query(index: SearchIndex, tokens) -> object:
    """The documents with these tokens in a row in one of their text fields."""
    if len(tokens) == 1:
        return index.term(ALL_FIELD, tokens[0])
    return index.any_field(lambda field: index.phrase(field, tokens))


def parse(index: SearchIndex, text: str) -> tuple[list[tuple[str, object]], list[object]]:
    """(terms, exclusions): terms are ("word", token) or ("phrase", tokens), in order; exclusions are the
    queries of `-word`/`-"phrase"`."""
    terms: list[tuple[str, object]] = []
    excluded = []
    for match in _CHUNK.finditer(text):
        neg_phrase, phrase, neg_word, word = match.groups()
        if phrase is not None:
            tokens = index.tokens(phrase)
            if not tokens:
                continue
            if neg_phrase:
                excluded.append(phrase_query(index, tokens))
            else:
                terms.append(("phrase", tokens))
        elif word is not None:
            tokens = index.tokens(word)
            if neg_word and tokens:
                excluded.append(phrase_query(index, tokens))
            else:
                terms.extend(("word", token) for token in tokens)
    return terms[:MAX_TERMS], excluded


class _Plan:
    """The tantivy queries of one Meilisearch text: the candidates and the bucket-encoding score."""

    def __init__(self, index: SearchIndex, text: str | None, filters: dict[str, str]):
        terms, excluded = parse(index, text or "")
        prefix_last = bool(terms) and terms[-1][0] == "word" and not re.search(r'[\W_]$', text or "")
        self.allowed: list[int] = []
        matches, credits = [], []
        for n, (kind, value) in enumerate(terms):
            if kind == "phrase":
                self.allowed.append(0)
                levels = [phrase_query(index, value)]
            else:
                prefix = prefix_last and n == len(terms) - 1
                typos = allowed_typos(value)
                self.allowed.append(typos)
                levels = [derivations(index, value, d, prefix) for d in range(typos + 1)]
            matches.append(levels[-1])
            # 3 for an exact match, 2 with one typo, 1 with two.
            credits.append(Query.disjunction_max_query(
                [Query.const_score_query(q, float(3 - d)) for d, q in enumerate(levels)]))
        clauses = index.filters(filters)
        clauses += [(Occur.MustNot, q) for q in excluded]
        self.n = len(terms)
        if not terms:
            clauses.append((Occur.Must, Query.const_score_query(Query.all_query(), 1.0)))
            self.candidates = self.ranked = Query.boolean_query(clauses)
            return
        self.candidates = Query.boolean_query(clauses + [(Occur.Must, matches[0])])
        ranked = clauses + [(Occur.Must, Query.const_score_query(matches[0], 0.0))]
        for j in range(self.n):
            prefix_j = Query.boolean_query([(Occur.Must, m) for m in matches[:j + 1]])
            ranked.append((Occur.Should, Query.const_score_query(prefix_j, BUCKET)))
            before = [(Occur.Must, Query.const_score_query(m, 0.0)) for m in matches[:j]]
            ranked.append((Occur.Should, Query.boolean_query(before + [(Occur.Must, credits[j])])))
        self.ranked = Query.boolean_query(ranked)

    def ranking_score(self, score: float) -> float:
        """Meilisearch's `_rankingScore` of a hit from its encoded score (words, then typo)."""
        if not self.n:
            return 1.0
        k = int(score // BUCKET)
        typos = 3 * k - round(score - k * BUCKET)
        max_typos = sum(self.allowed[:k])
        ranks = [(k, self.n), (max_typos + 1 - typos, max_typos + 1)]
        rank, max_rank = 1, 1
        for inner, inner_max in ranks:  # `Rank::global_score`
            rank = (rank - 1) * inner_max + inner
            max_rank *= inner_max
        return rank / max_rank


def meili_datetime(value: datetime | None) -> str | None:
    """A date as edx-search gives it back from Meilisearch: `fromtimestamp(ts, tz=None)` of a UTC offset of 0
    is a naive datetime, which Django's JSON encoder writes without an offset (milliseconds at most)."""
    if value is None:
        return None
    text = value.astimezone(timezone.utc).replace(tzinfo=None).isoformat()
    return text[:23] if value.microsecond else text


def shape_hit(doc) -> dict:
    return {"_id": doc.id, "_index": INDEX_NAME, "_type": DOC_TYPE, "data": shape_document(doc, meili_datetime)}


class Meilisearch:
    name = "meilisearch"

    def search(self, world, query: SearchQuery) -> dict:
        index = index_of(world)
        plan = _Plan(index, query.text, dict(query.filters))
        end = min(query.from_ + query.size, MAX_TOTAL_HITS)
        # The ranked query matches the candidates (it requires the first word), so it counts them too.
        found, hits = index.page(plan.ranked, query.from_, end - query.from_, in_doc_order=not plan.n)
        counts = index.facets(plan.candidates)
        scores = [plan.ranking_score(score) for score, _ in hits]
        aggs = {}
        for name in FACET_FIELDS:
            terms = dict(sorted(counts[name].items())[:MAX_VALUES_PER_FACET])
            aggs[name] = {"terms": terms, "total": sum(terms.values()), "other": 0}
        return {
            # A deterministic stand-in for `processingTimeMs`: same world and query, same bytes.
            "took": found // 5000 + len(query.text or "") // 16,
            "total": min(found, MAX_TOTAL_HITS),
            "results": [shape_hit(world.search_document(world._run_cores[position].key)) for _, position in hits],
            "aggs": aggs,
            "max_score": max(scores, default=0),
        }


ENGINE = Meilisearch()
