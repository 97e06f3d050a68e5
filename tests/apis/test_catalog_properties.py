"""Properties of the Course Catalog routes for any world seed (small worlds, few examples).

- following `next` walks a catalog's whole collection, in either paging mode, with no duplicate and no gap,
  and `count` equals the items walked;
- following `previous` from the last page walks the same items back;
- every catalog of the list answers in its detail route with the same object, and its active `/courses/`
  never outnumber its `courses_count`.
"""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK, token_for

SEEDS = st.integers(min_value=1, max_value=10**6)
PROPERTY = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))


@functools.lru_cache(maxsize=4)
def client_for(seed: int) -> tuple[TestClient, dict]:
    app = create_app(Settings(seed=seed, clock=DEFAULT_TEST_CLOCK, size="small"))
    return TestClient(app, base_url="http://testserver"), {"Authorization": f"JWT {token_for(app)}"}


def walk(client, headers, url: str, link: str = "next") -> tuple[list[dict], int]:
    items, count = [], None
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text)
        body = response.json()
        assert count is None or body["count"] == count, "count changed while walking"
        count = body["count"]
        items += body["results"]
        url = body[link]
    return items, count


@PROPERTY
@given(seed=SEEDS, size=st.integers(min_value=1, max_value=9), mode=st.sampled_from(["limit", "page"]),
       pick=st.integers(min_value=0, max_value=10**6))
def test_next_links_walk_a_catalogs_courses_with_no_duplicate_or_gap(seed, size, mode, pick):
    client, headers = client_for(seed)
    catalogs, _ = walk(client, headers, "/catalog/v1/catalogs/?limit=100")
    catalog = catalogs[pick % len(catalogs)]
    first = f"/catalog/v1/catalogs/{catalog['id']}/courses/" + (f"?limit={size}" if mode == "limit"
                                                                else f"?page=1&page_size={size}")
    items, count = walk(client, headers, first)
    keys = [c["key"] for c in items]
    assert len(keys) == len(set(keys)) == count
    assert count <= catalog["courses_count"]
    whole, _ = walk(client, headers, f"/catalog/v1/catalogs/{catalog['id']}/courses/?limit=1000")
    assert keys == [c["key"] for c in whole]


@PROPERTY
@given(seed=SEEDS, size=st.integers(min_value=1, max_value=4))
def test_previous_links_walk_back_the_same_catalogs(seed, size):
    client, headers = client_for(seed)
    forward, count = walk(client, headers, f"/catalog/v1/catalogs/?limit={size}")
    last_offset = ((count - 1) // size) * size if count else 0
    backward, _ = walk(client, headers, f"/catalog/v1/catalogs/?limit={size}&offset={last_offset}", "previous")
    pages = [forward[i:i + size] for i in range(0, len(forward), size)]
    assert [c["id"] for c in backward] == [c["id"] for page in reversed(pages) for c in page]


@PROPERTY
@given(seed=SEEDS)
def test_every_listed_catalog_answers_in_its_detail_route_with_the_same_object(seed):
    client, headers = client_for(seed)
    catalogs, count = walk(client, headers, "/catalog/v1/catalogs/?limit=7")
    assert len(catalogs) == count
    for catalog in catalogs:
        assert client.get(f"/catalog/v1/catalogs/{catalog['id']}/", headers=headers).json() == catalog
