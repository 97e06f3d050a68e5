"""Properties of edx-search `POST /search/course_discovery/` for any world seed (small worlds, few examples).

- walking `page_index` at any `page_size` visits `total` hits, each once, in non-increasing score order;
- `max_score` is the best score of all hits, wherever it is;
- the `aggs` count exactly the hits: per org, and as many mode/language values as the hits carry.
"""

from __future__ import annotations

import functools
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK

SEEDS = st.integers(min_value=1, max_value=10**6)
PROPERTY = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
URL = "/search/course_discovery/"
WORDS = st.sampled_from(["", "introduction", "data", "health", "python", "the", "ai"])


@functools.lru_cache(maxsize=4)
def client_for(seed: int) -> TestClient:
    return TestClient(create_app(Settings(seed=seed, clock=DEFAULT_TEST_CLOCK, size="small")),
                      base_url="http://testserver")


def walk(client, size: int, **form) -> tuple[list[dict], dict]:
    hits, index, first = [], 0, None
    while True:
        body = client.post(URL, data={"page_size": str(size), "page_index": str(index), **form}).json()
        first = first or body
        assert body["total"] == first["total"]
        if not body["results"]:
            return hits, first
        hits += body["results"]
        index += 1


@PROPERTY
@given(seed=SEEDS, size=st.integers(min_value=1, max_value=25), words=WORDS)
def test_page_index_walks_every_hit_once_in_score_order(seed, size, words):
    hits, first = walk(client_for(seed), size, search_string=words)
    ids = [h["_id"] for h in hits]
    assert len(ids) == len(set(ids)) == first["total"]
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert first["max_score"] == (scores[0] if scores else None)


@PROPERTY
@given(seed=SEEDS, words=WORDS)
def test_aggs_count_the_hits(seed, words):
    hits, first = walk(client_for(seed), 100, search_string=words)
    aggs = first["aggs"]
    for name in ("org", "modes", "language"):
        values = Counter(v for h in hits for v in (h["data"].get(name) if name == "modes"
                                                     else [h["data"].get(name)]) if v is not None)
        facet = aggs[name]
        assert facet["total"] == sum(values.values())
        assert facet["other"] == facet["total"] - sum(facet["terms"].values())
        for value, n in facet["terms"].items():
            assert values[value] == n
