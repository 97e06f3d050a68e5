"""Properties of the Enterprise API that hold for any world (Hypothesis over seeds, small worlds).

- walking `next` from page 1 visits every item exactly once, and `count` equals the items walked, whatever the
  page size (catalog list, each catalog's content, learner summary);
- walking `previous` back from the last page visits the same pages in reverse;
- every listed content item resolves in its detail route, with the same key, title and enrollment URL.
"""

from __future__ import annotations

from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK, token_for

BASE = "http://testserver"
PROPERTY_SETTINGS = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
seeds = st.integers(min_value=0, max_value=10_000)
page_sizes = st.integers(min_value=1, max_value=12)


@lru_cache(maxsize=8)
def client_for(seed: int) -> tuple[TestClient, dict]:
    app = create_app(Settings(seed=seed, clock=DEFAULT_TEST_CLOCK, size="small"))
    return TestClient(app, base_url=BASE), {"Authorization": f"JWT {token_for(app)}"}


def walk(client, headers, path, page_size):
    """Items and the pages' (count, previous) following `next` from page 1."""
    response = client.get(path, params={"page_size": page_size}, headers=headers)
    items, pages = [], []
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["results"])
        pages.append(body)
        if body["next"] is None:
            return items, pages
        assert body["next"].startswith(BASE)
        response = client.get(body["next"].removeprefix(BASE), headers=headers)


def identity(item) -> str:
    return item.get("key") or item.get("uuid") or str(item.get("enrollment_id"))


def assert_walk_is_complete(client, headers, path, page_size):
    items, pages = walk(client, headers, path, page_size)
    ids = [identity(i) for i in items]
    assert len(ids) == len(set(ids)), f"duplicates walking {path}"
    assert {p["count"] for p in pages} == {len(items)}
    assert all(len(p["results"]) == page_size for p in pages[:-1])
    assert pages[0]["previous"] is None
    # previous from the last page walks the same pages back
    back, link = [], pages[-1]["previous"]
    while link:
        body = client.get(link.removeprefix(BASE), headers=headers).json()
        back.append([identity(i) for i in body["results"]])
        link = body["previous"]
    assert back == [[identity(i) for i in p["results"]] for p in reversed(pages[:-1])]
    return items


@PROPERTY_SETTINGS
@given(seed=seeds, page_size=page_sizes)
def test_next_links_walk_every_collection_once_and_count_matches(seed, page_size):
    client, headers = client_for(seed)
    catalogs = assert_walk_is_complete(client, headers, "/enterprise/v1/enterprise-catalogs", page_size)
    assert catalogs
    customers = []
    for catalog in catalogs:
        assert_walk_is_complete(client, headers, f"/enterprise/v2/enterprise-catalogs/{catalog['uuid']}", page_size)
        if catalog["enterprise_customer"] not in customers:
            customers.append(catalog["enterprise_customer"])
    for customer in customers:
        rows = assert_walk_is_complete(
            client, headers, f"/enterprise/v3/enterprise-customer/{customer}/learner-summary", page_size)
        assert all(r["enterprise_customer_uuid"] == customer for r in rows)


DETAIL_ROUTE = {"course": "courses", "courserun": "course-runs", "program": "programs"}


@PROPERTY_SETTINGS
@given(seed=seeds, data=st.data())
def test_every_listed_item_resolves_in_its_detail_route_with_the_same_values(seed, data):
    client, headers = client_for(seed)
    catalogs = client.get("/enterprise/v1/enterprise-catalogs", params={"page_size": 100}, headers=headers).json()
    catalog = data.draw(st.sampled_from(catalogs["results"]))
    base = f"/enterprise/v2/enterprise-catalogs/{catalog['uuid']}"
    items = client.get(base, params={"page_size": 100}, headers=headers).json()["results"]
    for item in items:
        key = item["uuid"] if item["content_type"] == "program" else item["key"]
        response = client.get(f"{base}/{DETAIL_ROUTE[item['content_type']]}/{key}", headers=headers)
        assert response.status_code == 200, (key, response.text)
        detail = response.json()
        assert detail["title"] == item["title"]
        if item["content_type"] == "program":
            assert (detail["uuid"], detail["type"], detail["status"]) == (item["uuid"], item["type"], item["status"])
            continue
        assert detail["key"] == item["key"]
        assert detail["enrollment_url"] == item["enrollment_url"]
        assert detail["marketing_url"] == item["marketing_url"]
        if item["content_type"] == "courserun":
            assert detail["course"] == item["parent_content_key"]
            assert (detail["pacing_type"], detail["availability"]) == (item["pacing_type"], item["availability"])
        else:
            detail_runs = {r["key"]: r for r in detail["course_runs"]}
            for run in item["course_runs"]:
                assert detail_runs[run["key"]]["enrollment_url"] == run["enrollment_url"]
                assert detail_runs[run["key"]]["availability"] == run["availability"]
