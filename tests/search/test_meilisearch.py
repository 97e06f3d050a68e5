"""The Meilisearch backend of `POST /search/course_discovery/` over HTTP (`mockserver.search.meilisearch`).

`matchingStrategy: "last"` (the first word's documents, those with every word first), typo tolerance by word
length, the last word as a prefix, phrases and `-word`, no query syntax errors, hits without `score`,
`max_score` the page's best ranking score, `total` = `estimatedTotalHits`, and `facetDistribution` facets
whose counts are the totals of the filtered searches. Expectations are derived from other searches.
"""

from __future__ import annotations

import re

import pytest


def words_of(hit) -> set[str]:
    data = hit["data"]
    text = " ".join([*data["content"].values(), data["id"], data["org"], data["number"], *data["modes"],
                     data.get("language", ""), data.get("catalog_visibility", "")])
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def pair(meili) -> tuple[str, str, set[str]]:
    """Two words of the world where some of the first word's documents have the second and some not."""
    health = meili.hits(search_string="health ")
    for word in sorted(words_of(health[0]) - {"health"}):
        if len(word) >= 5 and not word.isdigit():
            both = meili.ids(search_string=f"health {word} ") & meili.ids(search_string=f"{word} ")
            if both and both != {h["_id"] for h in health}:
                return "health", word, {h["_id"] for h in health}
    raise AssertionError("no second word found")


def test_the_candidates_are_the_first_words_documents_with_all_words_first(meili):
    first, second, firsts = pair(meili)
    hits = meili.hits(search_string=f"{first} {second} ")
    assert {h["_id"] for h in hits} == firsts
    matched = [len({first, second} & words_of(h)) for h in hits]
    assert matched == sorted(matched, reverse=True) and matched[0] == 2 and matched[-1] == 1
    assert meili.body(search_string=f"{first} {second} ")["total"] == len(firsts)


def test_words_are_dropped_from_the_end_not_the_start(meili):
    data = meili.ids(search_string="data ")
    assert meili.ids(search_string="data python ") == data != meili.ids(search_string="python data ")


def test_the_last_word_is_a_prefix_unless_the_text_ends_with_a_separator(meili):
    assert meili.ids(search_string="pyth") == meili.ids(search_string="python") != set()
    assert meili.body(search_string="pyth ")["total"] == 0
    assert meili.ids(search_string="python!") == meili.ids(search_string="python ")


def mutate(word: str, at: int) -> str:
    """`word` with the letter at `at` replaced (never the first: that one counts as two typos)."""
    return word[:at] + ("z" if word[at] != "z" else "y") + word[at + 1:]


def test_typos_are_tolerated_by_word_length(meili, es):
    hits = meili.hits(search_string="introduction ")
    assert hits, "the test world has a course about an introduction"
    target = hits[0]["_id"]
    one = mutate("introduction", 4)
    two = mutate(mutate("introduction", 4), 8)
    assert target in meili.ids(search_string=one + " ") and target in meili.ids(search_string=two + " ")
    assert es.body(search_string=two)["total"] == 0  # Elasticsearch has no typo tolerance
    # 5 to 8 letters: one typo, not two
    assert meili.ids(search_string=mutate("health", 2) + " ") >= meili.ids(search_string="health ")
    assert not meili.ids(search_string=mutate(mutate("health", 2), 4) + " ") & meili.ids(search_string="health ")
    # under 5 letters: no typo
    assert meili.body(search_string=mutate("data", 2) + " ")["total"] < meili.body(search_string="data ")["total"]


def test_exact_matches_rank_before_typos(meili):
    hits = meili.hits(search_string="healht ")
    exact = [("health" in words_of(h)) for h in hits]
    assert exact == sorted(exact, reverse=True)
    page = meili.body(search_string="healht ", page_size=1)
    assert 0 < page["max_score"] < 1


def test_a_phrase_needs_its_words_in_a_row_and_minus_excludes(meili):
    for hit in meili.hits(search_string='"health on cloud"'):
        text = " ".join(re.findall(r"[a-z0-9]+", " ".join(hit["data"]["content"].values()).lower()))
        assert "health on cloud" in text
    assert meili.ids(search_string="python -data") == meili.ids(search_string="python ") - meili.ids(search_string="data ")
    assert meili.ids(search_string="-python") == meili.ids() - meili.ids(search_string="python ")


@pytest.mark.parametrize("text", ['"python', "python AND", "python -", "NOT", "(python)", "python*"])
def test_no_text_is_a_syntax_error(meili, text):
    assert meili(search_string=text).status_code == 200


def test_hits_have_no_score_and_max_score_is_the_pages_best_ranking_score(meili):
    first, second, _ = pair(meili)
    text = f"{first} {second} "
    body = meili.body(search_string=text)
    assert list(body) == ["took", "total", "results", "aggs", "max_score"]
    for hit in body["results"]:
        assert list(hit) == ["_id", "_index", "_type", "data"]
        assert not re.search(r"[+-]\d\d:\d\d$", hit["data"]["start"])  # timestamps come back naive
    assert body["max_score"] == 1.0  # a hit with both words and no typo
    past = meili.body(search_string=text, page_size=100, page_index=5)
    assert past["results"] == [] and past["max_score"] == 0 and past["total"] == body["total"]
    assert meili.body(search_string="zzqxjv")["max_score"] == 0
    assert meili.body()["max_score"] == 1.0  # placeholder search


def test_a_page_of_lower_buckets_has_a_lower_max_score(meili):
    first, second, _ = pair(meili)
    total = meili.body(search_string=f"{first} {second} ")["total"]
    last = meili.body(search_string=f"{first} {second} ", page_size=1, page_index=total - 1)
    assert last["max_score"] == 0.5  # one word of two, no typo: words rank 1/2


def test_facets_list_every_value_alphabetically_with_other_zero(meili):
    body = meili.body(search_string="the")
    for name, facet in body["aggs"].items():
        assert list(facet) == ["terms", "total", "other"]
        assert facet["other"] == 0 and facet["total"] == sum(facet["terms"].values())
        assert list(facet["terms"]) == sorted(facet["terms"])


def test_a_typo_on_the_first_letter_counts_as_two(meili):
    hits = meili.hits(search_string="health ")
    health = {h["_id"] for h in hits}
    no_w_word = {h["_id"] for h in hits if not any(w.startswith("w") for w in words_of(h))}
    assert no_w_word, "some health course has no word starting with w"
    assert meili.ids(search_string="wealth ") & no_w_word == set()  # h -> w on the first letter: two typos
    assert meili.ids(search_string="ehalth ") & no_w_word == set()  # swapped first two letters: two typos
    assert meili.ids(search_string="hhealth ") >= health  # an inserted letter after the first: one
