"""The acceptance walk of the mock, as an integrator's client would do it against `make serve`:
get a token, walk every catalog, follow every `next` link to the end, open every course, run and
program it saw in all three APIs, and find each answering consistently. And: two processes with the same
seed and clock serve identical bytes."""

from __future__ import annotations

import os
import subprocess
from urllib.parse import quote

import httpx
import jwt
import pytest

from _serve import serve_process

from mockserver.testing import free_port

pytestmark = pytest.mark.slow


def walk(client: httpx.Client, url: str, **kwargs) -> tuple[list, int]:
    """Follow `next` links from `url`; return every result and the `count` the pages reported."""
    results, counts, seen_urls = [], set(), set()
    while url:
        assert url not in seen_urls, f"next link loops back to {url}"
        seen_urls.add(url)
        response = client.get(url, **kwargs)
        assert response.status_code == 200, f"{url}: {response.status_code} {response.text[:200]}"
        page = response.json()
        results += page["results"]
        counts.add(page["count"])
        url = page["next"]
    assert len(counts) == 1, f"count changed while walking: {counts}"
    return results, counts.pop()


@pytest.fixture(scope="module")
def client(mockserver_server):
    with httpx.Client(base_url=mockserver_server.url, timeout=30) as http:
        reply = http.post("/oauth2/v1/access_token", data={"grant_type": "client_credentials",
                                                            "client_id": "walker", "token_type": "jwt"})
        assert reply.status_code == 200
        http.headers["Authorization"] = f"JWT {reply.json()['access_token']}"
        yield http


def test_catalog_api_walks_completely_and_every_run_resolves_in_blendx(client, mockserver_server):
    base = mockserver_server.url
    catalogs, count = walk(client, f"{base}/catalog/v1/catalogs/")
    assert count == len(catalogs) == len({c["id"] for c in catalogs}) > 20
    for catalog in catalogs:
        detail = client.get(f"/catalog/v1/catalogs/{catalog['id']}/")
        assert detail.json() == catalog, "list item and detail disagree"
    courses, count = walk(client, f"{base}/catalog/v1/catalogs/1/courses/")
    assert count == len(courses) == len({c["key"] for c in courses})
    blendx = {"actionsecret": "your_secret", "Authorization": ""}
    for course in courses:
        for run in course["course_runs"]:
            assert run["course"] == course["key"]
            found = client.get(f"/blendxapi/discovery/course/{quote(run['key'], safe='')}/", headers=blendx)
            assert found.status_code == 200, run["key"]
            assert found.json()["openedx_course_id"] == run["key"]


def test_enterprise_api_walks_completely_and_every_item_opens(client, mockserver_server):
    base = mockserver_server.url
    catalogs, count = walk(client, f"{base}/enterprise/v1/enterprise-catalogs")
    assert count == len(catalogs) > 10
    route = {"course": ("courses", "key"), "courserun": ("course-runs", "key"), "program": ("programs", "uuid")}
    for catalog in catalogs:
        items, count = walk(client, f"{base}/enterprise/v2/enterprise-catalogs/{catalog['uuid']}")
        assert count == len(items)
        assert len({(i["content_type"], i.get("key") or i.get("uuid")) for i in items}) == len(items)
        for item in items:
            segment, id_field = route[item["content_type"]]
            detail = client.get(f"/enterprise/v2/enterprise-catalogs/{catalog['uuid']}/{segment}/{item[id_field]}")
            assert detail.status_code == 200, (catalog["uuid"], item[id_field], detail.text[:200])
            assert detail.json()[id_field] == item[id_field]
            assert detail.json()["title"] == item["title"]
    customers = {c["enterprise_customer"] for c in catalogs}
    for customer in customers:
        rows, count = walk(client, f"{base}/enterprise/v3/enterprise-customer/{customer}/learner-summary")
        assert count == len(rows)
        assert {r["enterprise_customer_uuid"] for r in rows} <= {customer}
        dates = [r["last_activity_date"] or "" for r in rows]
        assert dates == sorted(dates, reverse=True), "ordered by -last_activity_date"


def test_blendx_and_search_walk_and_agree(client):
    secret = {"actionsecret": "your_secret"}
    seen, page = [], 1
    while True:
        body = client.get(f"/blendxapi/discovery/courses/?limit=50&page={page}", headers=secret).json()
        seen += body["courses"]
        if not body["has_more"]:
            break
        page += 1
    assert len(seen) == body["total_count"] == len({c["openedx_course_id"] for c in seen})
    for course in seen[:100]:
        detail = client.get(f"/blendxapi/discovery/course/{course['openedx_course_id']}/", headers=secret).json()
        assert (detail["id"], detail["display_name"]) == (course["id"], course["display_name"])
    search = client.post("/search/course_discovery/", data={"page_size": "100", "page_index": "0"}).json()
    assert search["total"] >= len(search["results"]) > 0
    for hit in search["results"]:
        run_key = hit["data"]["id"]
        detail = client.get(f"/blendxapi/discovery/course/{run_key}/", headers=secret)
        assert detail.status_code == 200 and detail.json()["display_name"] == hit["data"]["content"]["display_name"]


def _serve(port: int, hashseed: str) -> subprocess.Popen:
    return serve_process(port, "--seed", "7", "--clock", "2026-03-01T00:00:00Z", "--size", "small",
                         env={**os.environ, "PYTHONHASHSEED": hashseed}, ready="/openapi.json")


def test_two_processes_with_the_same_seed_and_clock_serve_identical_bytes():
    token = jwt.encode({"sub": "same", "exp": 4102444800}, "any-key-will-do-in-permissive-mode-123", algorithm="HS256")
    jwt_headers = {"Authorization": f"JWT {token}"}
    paths = ["/catalog/v1/catalogs/", "/catalog/v1/catalogs/1/courses/?limit=5&offset=5",
             "/enterprise/v1/enterprise-catalogs", "/enterprise/v2/enterprise-catalogs/3f56a21c-76c8-47c0-add8-a99714d40d94",
             "/enterprise/v3/enterprise-customer/58152f7f-6d0e-41cf-862d-0a27c6fad72c/learner-summary"]
    ports = [free_port(), free_port()]
    servers = [_serve(ports[0], "1"), _serve(ports[1], "2")]
    try:
        bodies = []
        for port in ports:
            base = f"http://127.0.0.1:{port}"
            got = [httpx.get(base + p, headers=jwt_headers).content for p in paths]
            got.append(httpx.get(f"{base}/blendxapi/discovery/courses/?fields=full&limit=30",
                                 headers={"actionsecret": "your_secret"}).content)
            search = httpx.post(f"{base}/search/course_discovery/", data={"page_size": "30"}).json()
            search.pop("took", None)
            got.append(repr(search).encode())
            bodies.append(got)
        assert all(len(b) > 50 for b in bodies[0])
        for path, one, two in zip(paths + ["blendx", "search"], *bodies):
            assert one.replace(str(ports[0]).encode(), b"PORT") == two.replace(str(ports[1]).encode(), b"PORT"), path
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
