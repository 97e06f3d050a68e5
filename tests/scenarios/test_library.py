"""Every shipped scenario in `scenarios/` loads, is documented, and keeps the promises of its header over HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from defusedxml import ElementTree

from mockserver.scenarios.loader import read_file
from mockserver.settings import PROJECT_ROOT

LIBRARY = PROJECT_ROOT / "scenarios"
SHIPPED = sorted(LIBRARY.glob("*.yaml"))
BLENDX_HEADERS = {"actionsecret": "your_secret"}
DEMO_RUN = "course-v1:edX+DemoX+Demo_Course"
HOC201 = "course-v1:Fundacion-Santa-Fe-de-Bogota+HOC201+2025_T2"
DOC_CUSTOMER = "58152f7f-6d0e-41cf-862d-0a27c6fad72c"


def use(client, name: str) -> None:
    response = client.post("/__admin/scenarios", json={"path": str(LIBRARY / f"{name}.yaml"), "replace": True})
    assert response.status_code == 200, response.text
    assert [s["name"] for s in response.json()["loaded"]] == [name]


def test_the_library_has_the_promised_scenarios():
    names = {p.stem for p in SHIPPED}
    assert {"empty-results", "hostile-strings", "learner-statuses", "expired-token", "flaky-endpoint",
            "slow-endpoint", "partial-errors", "enterprise-xml", "large-catalog", "catalog-x-three-courses"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_is_documented_and_points_editors_at_the_schema(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../schemas/scenario.schema.json"
    header = [line for line in lines if line.startswith("#")]
    assert any("What to expect" in line for line in header), "the header says what to expect"
    scenario = read_file(path)
    assert scenario.data.get("description")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_loads_into_a_running_app(client, path: Path):
    use(client, path.stem)
    assert client.get("/__admin/health").json()["scenarios"] == [path.stem]


def test_catalog_x_has_exactly_three_courses_and_the_second_run_fails_once(client, jwt_headers):
    use(client, "catalog-x-three-courses")
    catalog = "/enterprise/v2/enterprise-catalogs/9a9a9a9a-0000-4000-8000-000000000001"
    listed = client.get(catalog, headers=jwt_headers).json()
    assert [item["key"] for item in listed["results"]] == ["QAX+ALG101", "QAX+GEO102", "QAX+STA103"]
    assert listed["count"] == 3
    discovery = client.get("/catalog/v1/catalogs/9/courses/", headers=jwt_headers).json()
    assert [c["key"] for c in discovery["results"]] == ["QAX+ALG101", "QAX+GEO102", "QAX+STA103"]
    run = f"{catalog}/course-runs/course-v1:QAX+GEO102+2026_T1"
    first, second, third = (client.get(run, headers=jwt_headers) for _ in range(3))
    assert first.status_code == 500
    assert (second.status_code, third.status_code) == (200, 200)
    assert second.json()["key"] == "course-v1:QAX+GEO102+2026_T1"
    assert second.json()["title"] == "Geometry for QA"
    # Only that run is flaky.
    other = client.get(f"{catalog}/course-runs/course-v1:QAX+ALG101+2026_T1", headers=jwt_headers)
    assert other.status_code == 200


def test_empty_results(client, jwt_headers):
    use(client, "empty-results")
    assert client.get("/catalog/v1/catalogs/10/", headers=jwt_headers).json()["courses_count"] == 0
    courses = client.get("/catalog/v1/catalogs/10/courses/", headers=jwt_headers).json()
    assert (courses["count"], courses["results"]) == (0, [])
    ent = client.get("/enterprise/v2/enterprise-catalogs/e0e0e0e0-0000-4000-8000-000000000000",
                     headers=jwt_headers).json()
    assert (ent["count"], ent["results"]) == (0, [])
    summary = client.get("/enterprise/v3/enterprise-customer/e1e1e1e1-0000-4000-8000-000000000000/learner-summary",
                         headers=jwt_headers).json()
    assert (summary["count"], summary["results"]) == (0, [])
    blendx = client.get("/blendxapi/discovery/courses/", headers=BLENDX_HEADERS).json()
    assert (blendx["total_count"], blendx["courses"], blendx["has_more"]) == (0, [], False)
    search = client.post("/search/course_discovery/", data={"search_string": "python"}).json()
    assert (search["total"], search["results"]) == (0, [])


def test_hostile_strings_arrive_intact_in_json_and_escaped_in_xml(client, jwt_headers):
    use(client, "hostile-strings")
    title = 'Data & <Analysis> "101" 🎓📊 — \u200fتحليل البيانات\u200f / ניתוח נתונים'
    course = client.get(f"/enterprise/v2/enterprise-catalogs/0e871df0-6e43-4cfc-92cc-357ebf1fda75/course-runs/{DEMO_RUN}",
                        headers=jwt_headers)
    assert course.json()["title"] == title
    blendx = client.get(f"/blendxapi/discovery/course/{HOC201}/", headers=BLENDX_HEADERS).json()
    assert blendx["display_name"].startswith("الرعاية الصحية")
    assert "<script>" in blendx["overview"]
    xml = client.get(f"/enterprise/v2/enterprise-catalogs/0e871df0-6e43-4cfc-92cc-357ebf1fda75/course-runs/{DEMO_RUN}",
                     headers={**jwt_headers, "Accept": "application/xml"})
    assert b"Data &amp; &lt;Analysis&gt;" in xml.content
    assert ElementTree.fromstring(xml.content).find("title").text == title
    found = client.get("/catalog/v1/catalogs/1/courses/", params={"limit": 100}, headers=jwt_headers).json()
    long_titles = [c["title"] for c in found["results"] if c["key"] == "MyUni+Sport101x"]
    assert not long_titles or len(long_titles[0]) > 250


def test_learner_status_spectrum(client, jwt_headers):
    use(client, "learner-statuses")
    rows = client.get("/enterprise/v3/enterprise-customer/5e5e5e5e-0000-4000-8000-000000000000/learner-summary",
                      params={"page_size": 1000}, headers=jwt_headers).json()["results"]
    by_id = {row["enrollment_id"]: row for row in rows}
    assert {910001, 910002, 910003, 910004, 910005} <= set(by_id)
    assert (by_id[910001]["progress_status"], by_id[910001]["has_passed"]) == ("Passed", True)
    assert (by_id[910002]["progress_status"], by_id[910002]["has_passed"]) == ("Failed", False)
    assert by_id[910003]["progress_status"] == "In Progress"
    assert by_id[910004]["last_activity_date"] is None
    assert by_id[910005]["unenrollment_date"] == "2026-01-05" and by_id[910005]["is_refunded"] is True


def test_expired_token(client, jwt_headers):
    use(client, "expired-token")
    for path in ("/catalog/v1/catalogs/", "/enterprise/v1/enterprise-catalogs"):
        response = client.get(path, headers=jwt_headers)
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]
    token = client.post("/oauth2/v1/access_token", data={"grant_type": "client_credentials", "client_id": "qa"})
    assert token.json()["expires_in"] == 60
    assert client.get("/catalog/v1/catalogs/").status_code == 400
    assert client.get("/blendxapi/discovery/courses/", headers=BLENDX_HEADERS).status_code == 200


def test_flaky_endpoint_fails_twice_then_recovers(client, jwt_headers):
    use(client, "flaky-endpoint")
    statuses = [client.get("/catalog/v1/catalogs/", headers=jwt_headers).status_code for _ in range(4)]
    assert statuses == [500, 500, 200, 200]
    detail = f"/blendxapi/discovery/course/{HOC201}/"
    assert client.get(detail, headers=BLENDX_HEADERS).status_code == 200
    assert client.get(detail, headers={**BLENDX_HEADERS, "X-Mock-Behaviour": "outage"}).status_code == 503


def test_slow_endpoint_takes_three_seconds(client, jwt_headers):
    use(client, "slow-endpoint")
    started = time.monotonic()
    assert client.get("/enterprise/v1/enterprise-catalogs", headers=jwt_headers).status_code == 200
    assert time.monotonic() - started >= 2.95


def test_partial_errors_on_every_blendx_page(client):
    use(client, "partial-errors")
    body = client.get("/blendxapi/discovery/courses/", headers=BLENDX_HEADERS).json()
    assert body["partial_errors"]["count"] == 2
    assert [e["course_id"] for e in body["partial_errors"]["errors"]] == [HOC201, DEMO_RUN]
    assert body["courses"], "the normal page is still there"


def test_enterprise_xml_by_default(client, jwt_headers):
    use(client, "enterprise-xml")
    xml = client.get("/enterprise/v1/enterprise-catalogs", headers=jwt_headers)
    assert xml.headers["content-type"].startswith("application/xml")
    assert ElementTree.fromstring(xml.content).tag == "root"
    as_json = client.get("/enterprise/v1/enterprise-catalogs", headers={**jwt_headers, "Accept": "application/json"})
    assert as_json.headers["content-type"].startswith("application/json")


def test_large_catalog(client, jwt_headers):
    use(client, "large-catalog")
    catalog = client.get("/catalog/v1/catalogs/1/", headers=jwt_headers).json()
    assert catalog["courses_count"] >= 10000
    assert client.get("/catalog/v1/catalogs/1/courses/", headers=jwt_headers).json()["count"] > 1000
