"""The Elasticsearch backend of `POST /search/course_discovery/` over HTTP (`mockserver.search.elasticsearch`).

Query-string semantics after edx-search strips RESERVED_CHARACTERS (OR by default; AND, NOT, -word and
phrases), the engine's 500 for text Lucene rejects, BM25 order with `score`, `max_score`, and facets whose
counts are the totals of the filtered searches. Expectations are derived from single-word searches.
"""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK

URL = "/search/course_discovery/"


def words_of(hit) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", " ".join(hit["data"]["content"].values()).lower()))


def test_several_words_are_ored(es):
    python, data = es.ids(search_string="python"), es.ids(search_string="data")
    assert python and data and python != data
    assert es.ids(search_string="python data") == python | data
    assert es.ids(search_string="python OR data") == python | data
    assert es.body(search_string="python data")["total"] == len(python | data)


def test_and_not_and_minus_combine_as_lucene_does(es):
    python, data, every = es.ids(search_string="python"), es.ids(search_string="data"), es.ids()
    assert es.ids(search_string="python AND data") == python & data
    assert es.ids(search_string="python -data") == python - data
    assert es.ids(search_string="python AND NOT data") == python - data
    assert es.ids(search_string="NOT python") == every - python


def test_a_phrase_needs_its_words_in_a_row(es):
    hits = es.hits(search_string='"health on cloud"')
    assert hits
    for hit in hits:
        text = " ".join(re.findall(r"[a-z0-9]+", " ".join(hit["data"]["content"].values()).lower()))
        assert "health on cloud" in text
    assert {h["_id"] for h in hits} < es.ids(search_string="health on cloud")


@pytest.mark.parametrize("decorated", ["python!", "(python)", "python*", "+python", "python~", "python^2", "python?"])
def test_reserved_characters_are_removed_before_searching(es, decorated):
    expected = "python2" if decorated == "python^2" else "python"
    assert es.body(search_string=decorated)["total"] == es.body(search_string=expected)["total"]
    assert es.ids(search_string=decorated) == es.ids(search_string=expected)


def test_only_reserved_characters_match_nothing(es):
    body = es.body(search_string="*?!")
    assert body["total"] == 0 and body["max_score"] is None


@pytest.mark.parametrize("touching, apart", [('python"data science"', 'python "data science"'),
                                              ('"data science"python', '"data science" python'),
                                              ('-"data science"python', '-"data science" python'),
                                              ('o"a"x"b"y', 'o "a" x "b" y')])
def test_a_phrase_touching_a_word_is_a_phrase_and_a_word_as_in_lucene(es, touching, apart):
    # Lucene never lets `"` into a term, so quotes always delimit phrases, spaced or not.
    response = es(search_string=touching)
    assert response.status_code == 200
    assert es.ids(search_string=touching) == es.ids(search_string=apart)


def test_balanced_text_of_any_characters_is_answered(es):
    # A schemathesis find: control characters, astral code points and words touching phrases, quotes balanced.
    text = '\x14\ro"\U000d9919\xbf"\xf5"J;N"\u3785"\xce\x00n"d\x8d"\xf4\xa0"\x07\tuu"V\x02"\xfa,\x1a""$D'
    assert text.count('"') % 2 == 0
    assert es(search_string=text).status_code == 200


@pytest.mark.parametrize("quoted", ["'python'", "'python", "python'", "-'data python"])
def test_an_apostrophe_may_start_a_term_as_in_lucene(es, quoted):
    # Lucene's classic parser takes `'` as a term's first character (luqum's lexer alone would refuse it).
    expected = es.ids(search_string=quoted.replace("'", ""))
    assert es.ids(search_string=quoted) == expected
    assert es(search_string="'").status_code == 200


@pytest.mark.parametrize("text", ['"python', 'python AND', 'AND python', 'python -', 'python OR OR data'])
def test_text_lucene_cannot_parse_is_the_views_500(es, text):
    response = es(search_string=text)
    assert response.status_code == 500
    assert response.json() == {"error": f'An error occurred when searching for "{text}"'}


def test_words_match_whole_analysed_words_without_typos_or_prefixes(es):
    assert es.body(search_string="pytho")["total"] == 0
    assert es.body(search_string="pyhton")["total"] == 0
    assert es.ids(search_string="PYTHON") == es.ids(search_string="python")


def test_hits_are_in_score_order_with_scores_and_max_score(es):
    hits = es.hits(search_string="python data health")
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) > 1
    first = es.body(search_string="python data health", page_size=1)
    assert first["max_score"] == scores[0] == first["results"][0]["score"]
    # a page further on still reports the best score of all hits
    assert es.body(search_string="python data health", page_size=1, page_index=3)["max_score"] == scores[0]
    both = [h for h in hits if {"python", "data"} <= words_of(h)]
    one = [h for h in hits if len({"python", "data", "health"} & words_of(h)) == 1]
    if both and one:
        assert max(h["score"] for h in both) >= min(h["score"] for h in one)


def test_no_text_scores_every_hit_one(es):
    body = es.body(page_size=5)
    assert body["max_score"] == 1.0 and {h["score"] for h in body["results"]} == {1.0}


def test_facets_are_top_ten_and_total_is_buckets_plus_other(es):
    body = es.body(search_string="the")
    for name, facet in body["aggs"].items():
        assert list(facet) == ["terms", "total", "other"]
        assert isinstance(facet["total"], float)
        assert facet["total"] == sum(facet["terms"].values()) + facet["other"]
        assert len(facet["terms"]) <= 10
        counts = list(facet["terms"].values())
        assert counts == sorted(counts, reverse=True)


def test_the_same_seed_and_clock_give_the_same_bytes_scores_included(es):
    other = TestClient(create_app(Settings(clock=DEFAULT_TEST_CLOCK, search_backend="elasticsearch")))
    form = {"search_string": "python data health", "page_size": "100"}
    assert other.post(URL, data=form).content == es.client.post(URL, data=form).content


@pytest.mark.parametrize("index", [400, 10**12])
def test_a_page_far_past_the_end_is_empty_with_the_full_total(es, index):
    total = es.body(search_string="python data")["total"]
    body = es.body(search_string="python data", page_size=100, page_index=index)
    assert body["results"] == [] and body["total"] == total and body["max_score"] is not None
