"""The edX Enterprise API over HTTP, rule by rule (ground truth §0–§1, E4–E9; specs/enterprise.yaml).

Runs on the session app of `mockserver.testing` (seed 1, clock 2026-01-15, default world with the documents'
landmarks: customer 58152f7f-… `degreed-company`, catalogs 0e871df0-… and 3f56a21c-…).
"""

from __future__ import annotations

import re
import time
from datetime import date
from urllib.parse import parse_qs, quote, urlsplit

import jwt
import pytest
from defusedxml import ElementTree

BASE = "http://testserver"
CATALOGS = "/enterprise/v1/enterprise-catalogs"
CUSTOMER = "58152f7f-6d0e-41cf-862d-0a27c6fad72c"
ALL_CONTENT = "0e871df0-6e43-4cfc-92cc-357ebf1fda75"
DOC_CATALOG = "3f56a21c-76c8-47c0-add8-a99714d40d94"
CONTENT = f"/enterprise/v2/enterprise-catalogs/{ALL_CONTENT}"
DEMO_RUN = "course-v1:edX+DemoX+Demo_Course"
LEARNERS = f"/enterprise/v3/enterprise-customer/{CUSTOMER}/learner-summary"
UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"

DRF_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")
INDEX_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


@pytest.fixture
def auth(mockserver_token):
    return {"Authorization": f"JWT {mockserver_token}"}


@pytest.fixture
def get(mockserver_client, auth):
    def _get(path, headers=None, **params):
        return mockserver_client.get(path, headers={**auth, **(headers or {})}, params=params or None)
    return _get


def walk(get, path, **params):
    """Every item of a paged collection, following `next` links; the pages' counts."""
    items, counts = [], set()
    response = get(path, **params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["results"])
        counts.add(body["count"])
        if not body["next"]:
            return items, counts
        response = get(body["next"].removeprefix(BASE))


def content_page(get, **params):
    response = get(CONTENT, **params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def all_content(mockserver_app, mockserver_token):
    from starlette.testclient import TestClient

    with TestClient(mockserver_app, base_url=BASE) as client:
        def _get(path, **params):
            return client.get(path, headers={"Authorization": f"JWT {mockserver_token}"}, params=params or None)
        items, _ = walk(_get, CONTENT, page_size="100")
    return items


def first_of(items, content_type):
    return next(item for item in items if item["content_type"] == content_type)


# ------------------------------------------------------------------------------------------- envelope, paging

def test_gateway_envelope_is_exactly_count_next_previous_results(get):
    for path in (CATALOGS, CONTENT, LEARNERS):
        body = get(path).json()
        assert list(body) == ["count", "next", "previous", "results"], path


def test_catalog_list_items_carry_the_serializer_fields_in_order(get):
    body = get(CATALOGS).json()
    assert body["count"] >= 2
    item = body["results"][0]
    assert list(item) == ["uuid", "title", "enterprise_customer", "enterprise_catalog_query", "created", "modified"]
    assert DRF_DATETIME.match(item["created"]) and DRF_DATETIME.match(item["modified"])
    uuids = {c["uuid"] for c in walk(get, CATALOGS)[0]}
    assert {ALL_CONTENT, DOC_CATALOG} <= uuids


def test_next_link_is_absolute_with_page_and_other_params_kept(get):
    body = get(CATALOGS, page_size="1").json()
    assert body["previous"] is None
    assert body["next"] == f"{BASE}{CATALOGS}?page=2&page_size=1"


def test_previous_link_of_page_two_drops_page_and_of_page_three_keeps_it(get):
    page2 = get(CONTENT, page="2", page_size="2").json()
    assert page2["previous"] == f"{BASE}{CONTENT}?page_size=2"
    page3 = get(CONTENT, page="3", page_size="2").json()
    assert page3["previous"] == f"{BASE}{CONTENT}?page=2&page_size=2"


def test_last_page_has_no_next_and_page_last_is_accepted(get):
    count = get(CONTENT).json()["count"]
    last = get(CONTENT, page="last", page_size="3").json()
    assert last["next"] is None
    assert len(last["results"]) == count - 3 * ((count - 1) // 3)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999", "1.5"])
def test_invalid_page_is_404_invalid_page(get, page):
    response = get(CONTENT, page=page)
    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


def test_empty_page_param_is_page_one(get):
    assert get(CONTENT, page="").json()["results"] == get(CONTENT).json()["results"]


@pytest.mark.parametrize("size", ["0", "-3", "abc", ""])
def test_bad_page_size_falls_back_to_ten(get, size):
    body = get(CONTENT, page_size=size).json()
    assert len(body["results"]) == min(10, body["count"])


def test_page_size_is_capped_at_100_and_learner_summary_at_1000(get):
    content = get(CONTENT, page_size="5000").json()
    assert len(content["results"]) == min(100, content["count"])
    learners = get(LEARNERS, page_size="5000").json()
    assert len(learners["results"]) == min(1000, learners["count"])
    if learners["count"] > 100:
        assert len(learners["results"]) > 100


def test_limit_is_an_alias_of_page_size_on_the_catalog_content_route(get):
    body = get(CONTENT, limit="2").json()
    assert len(body["results"]) == 2
    assert parse_qs(urlsplit(body["next"]).query) == {"limit": ["2"], "page": ["2"]}
    assert len(get(CONTENT, limit="2", page_size="3").json()["results"]) == 3  # page_size wins


def test_limit_is_not_a_page_size_on_the_catalog_list(get):
    body = get(CATALOGS, limit="1").json()
    assert len(body["results"]) == min(10, body["count"])


def test_walking_next_links_visits_every_item_once(get, all_content):
    items, counts = walk(get, CONTENT, page_size="4")
    keys = [i.get("key") or i["uuid"] for i in items]
    assert len(keys) == len(set(keys)) == counts.pop()
    assert keys == [i.get("key") or i["uuid"] for i in all_content]


# ------------------------------------------------------------------------------------------- catalog content

def test_content_is_a_union_of_courses_runs_and_programs(all_content):
    assert {i["content_type"] for i in all_content} == {"course", "courserun", "program"}


def test_content_items_are_active(all_content):
    for item in all_content:
        if item["content_type"] == "course":
            assert item["active"] is True
            assert any(r["availability"] != "Archived" for r in item["course_runs"])
        elif item["content_type"] == "courserun":
            assert item["availability"] != "Archived"
        else:
            assert item["status"] == "active"


def test_the_documents_demo_run_is_the_first_item_of_all_content(all_content):
    item = all_content[0]
    assert (item["content_type"], item["key"], item["aggregation_key"]) == ("courserun", DEMO_RUN, "courserun:edX+DemoX")
    assert item["org"] == "edX" and item["number"] == "DemoX"
    assert item["level_type"] == "Introductory" and item["language"] == "English"


def test_enterprise_additions_on_a_run_item(all_content):
    item = first_of(all_content, "courserun")
    assert item["enrollment_url"] == (
        f"https://courses.edx.org/enterprise/{CUSTOMER}/course/{item['key']}/enroll/"
        f"?catalog={ALL_CONTENT}&utm_medium=enterprise&utm_source=degreed-company")
    assert item["xapi_activity_id"] == f"https://courses.edx.org/xapi/activities/courserun/{item['key']}"
    assert item["parent_content_key"] == item["aggregation_key"].removeprefix("courserun:")
    assert DRF_DATETIME.match(item["content_last_modified"])
    assert parse_qs(urlsplit(item["marketing_url"]).query) == {"utm_medium": ["enterprise"],
                                                                "utm_source": ["degreed-company"]}


def test_run_items_use_the_search_index_date_format(all_content):
    for item in all_content:
        runs = [item] if item["content_type"] == "courserun" else item.get("course_runs", [])
        for run in runs:
            for name in ("start", "end", "enrollment_start", "enrollment_end"):
                assert run[name] is None or INDEX_DATETIME.match(run[name]), (name, run[name])


def test_course_items_have_nested_runs_with_enrollment_urls(all_content):
    course = first_of(all_content, "course")
    assert course["aggregation_key"] == f"course:{course['key']}"
    assert course["parent_content_key"] is None and course["active"] is True
    assert course["enrollment_url"].startswith(f"https://courses.edx.org/enterprise/{CUSTOMER}/course/{course['key']}/")
    for run in course["course_runs"]:
        assert run["parent_content_key"] == course["key"]
        assert f"/course/{run['key']}/enroll/" in run["enrollment_url"]


def test_program_items_have_a_null_enrollment_url_and_a_language_list(all_content):
    program = first_of(all_content, "program")
    assert program["enrollment_url"] is None
    assert program["aggregation_key"] == f"program:{program['uuid']}"
    assert isinstance(program["language"], list)


def test_unknown_catalog_is_404_naming_the_model(get):
    for catalog in (UNKNOWN_UUID, "not-a-uuid"):
        response = get(f"/enterprise/v2/enterprise-catalogs/{catalog}")
        assert (response.status_code, response.json()) == (404, {"detail": "No EnterpriseCatalog matches the given query."})


# ------------------------------------------------------------------------------------------- detail routes

def test_listed_course_run_and_program_resolve_in_their_detail_routes(get, all_content):
    run = first_of(all_content, "courserun")
    detail = get(f"{CONTENT}/course-runs/{run['key']}").json()
    assert (detail["key"], detail["course"], detail["title"]) == (run["key"], run["parent_content_key"], run["title"])
    assert detail["enrollment_url"] == run["enrollment_url"]
    course = first_of(all_content, "course")
    detail = get(f"{CONTENT}/courses/{course['key']}").json()
    assert (detail["key"], detail["uuid"], detail["title"]) == (course["key"], course["uuid"], course["title"])
    assert detail["enrollment_url"] == course["enrollment_url"]
    assert {r["key"] for r in course["course_runs"]} <= {r["key"] for r in detail["course_runs"]}
    program = first_of(all_content, "program")
    detail = get(f"{CONTENT}/programs/{program['uuid']}").json()
    assert (detail["uuid"], detail["title"], detail["type"]) == (program["uuid"], program["title"], program["type"])


def test_course_detail_has_enrollment_url_on_course_and_every_run(get, all_content):
    course = first_of(all_content, "course")
    detail = get(f"{CONTENT}/courses/{course['key']}").json()
    assert detail["course_runs"]
    for run in detail["course_runs"]:
        assert run["course"] == course["key"]
        assert run["enrollment_url"].endswith(f"/course/{run['key']}/enroll/?catalog={ALL_CONTENT}"
                                              "&utm_medium=enterprise&utm_source=degreed-company")
        for seat in run["seats"]:
            assert re.match(r"^\d+\.\d\d$", seat["price"])
        assert DRF_DATETIME.match(run["modified"])


def test_program_detail_has_enrollment_urls_on_program_courses_and_runs(get, all_content):
    program = first_of(all_content, "program")
    detail = get(f"{CONTENT}/programs/{program['uuid']}").json()
    assert detail["enrollment_url"].startswith(f"https://courses.edx.org/enterprise/{CUSTOMER}/program/{program['uuid']}/enroll/")
    assert detail["courses"]
    for course in detail["courses"]:
        assert f"/course/{course['key']}/enroll/" in course["enrollment_url"]
        for run in course["course_runs"]:
            assert f"/course/{run['key']}/enroll/" in run["enrollment_url"]


def test_run_id_with_colon_and_plus_answers_raw_and_percent_encoded(get):
    raw = get(f"{CONTENT}/course-runs/{DEMO_RUN}")
    encoded = get(f"{CONTENT}/course-runs/{quote(DEMO_RUN, safe='')}")
    assert raw.status_code == encoded.status_code == 200
    assert raw.json() == encoded.json()
    assert raw.json()["key"] == DEMO_RUN


def test_course_key_with_plus_answers_raw_and_percent_encoded(get):
    raw = get(f"{CONTENT}/courses/edX+DemoX")
    encoded = get(f"{CONTENT}/courses/edX%2BDemoX")
    assert raw.status_code == encoded.status_code == 200
    assert raw.json()["key"] == encoded.json()["key"] == "edX+DemoX"


@pytest.mark.parametrize("suffix", [
    "course-runs/course-v1:edX+DemoX",          # 2 segments: no route upstream
    "course-runs/course-v1:edX+NoSuch+Run",     # not in the catalog
    "courses/edX+NoSuchCourse",
    f"courses/{DEMO_RUN}",                      # a run key on the course route
    "courses/edX",                              # 1 segment
    f"programs/{UNKNOWN_UUID}",
    "programs/7b24a21c-98c8-47c0-b9c8-g54714d40d94",
])
def test_content_not_in_the_catalog_is_404_not_found(get, suffix):
    response = get(f"{CONTENT}/{suffix}")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_content_of_another_catalog_is_404(get, all_content):
    doc_keys = {i.get("key") for i in walk(get, f"/enterprise/v2/enterprise-catalogs/{DOC_CATALOG}", page_size="100")[0]}
    other = next(i for i in all_content if i["content_type"] == "courserun" and i["key"] not in doc_keys
                 and i["parent_content_key"] not in doc_keys)
    response = get(f"/enterprise/v2/enterprise-catalogs/{DOC_CATALOG}/course-runs/{other['key']}")
    assert response.status_code == 404


@pytest.mark.parametrize("suffix", ["courses/edX+DemoX", f"course-runs/{DEMO_RUN}", f"programs/{UNKNOWN_UUID}"])
def test_detail_routes_of_an_unknown_catalog_are_403(get, suffix):
    response = get(f"/enterprise/v2/enterprise-catalogs/{UNKNOWN_UUID}/{suffix}")
    assert (response.status_code, response.json()) == (403, {"detail": "You do not have permission to perform this action."})


# ------------------------------------------------------------------------------------------- learner summary

def test_learner_summary_uses_the_real_field_names(get):
    row = get(LEARNERS).json()["results"][0]
    for real in ("course_start_date", "course_end_date", "course_duration_weeks", "user_country_code"):
        assert real in row
    for doc in ("course_start", "course_end", "course_duration", "user_country"):
        assert doc not in row
    assert row["enterprise_customer_uuid"] == CUSTOMER


def test_learner_summary_is_ordered_by_last_activity_date_descending(get):
    rows, _ = walk(get, LEARNERS, page_size="1000")
    dated = [r["last_activity_date"] for r in rows if r["last_activity_date"]]
    assert dated == sorted(dated, reverse=True)
    seen_null = False
    for r in rows:  # rows without activity come last
        seen_null = seen_null or r["last_activity_date"] is None
        assert not (seen_null and r["last_activity_date"])


def test_learner_summary_course_api_url_is_the_customer_uuid_plus_run_key_quirk(get):
    for row in get(LEARNERS).json()["results"]:
        assert row["course_api_url"] == f"/enterprise/v1/enterprise-catalogs/{CUSTOMER}/courses/{row['courserun_key']}"


def test_learner_summary_dates_prices_and_date_times(get):
    for row in get(LEARNERS, page_size="50").json()["results"]:
        for name in ("enrollment_date", "course_start_date", "last_activity_date", "passed_date"):
            assert row[name] is None or ISO_DATE.match(row[name])
        date.fromisoformat(row["enrollment_date"])
        assert row["created"] is None or DRF_DATETIME.match(row["created"])
        assert row["course_list_price"] is None or isinstance(row["course_list_price"], float)


def test_learner_summary_of_an_enterprise_without_a_role_is_403(get):
    response = get(f"/enterprise/v3/enterprise-customer/{UNKNOWN_UUID}/learner-summary")
    assert (response.status_code, response.json()) == (403, {"detail": "You do not have permission to perform this action."})


# ------------------------------------------------------------------------------------------- content types

@pytest.mark.parametrize("path", [CATALOGS, CONTENT, f"{CONTENT}/course-runs/{DEMO_RUN}", LEARNERS])
def test_json_by_default_and_drf_xml_on_accept_application_xml(get, path):
    assert get(path).headers["content-type"] == "application/json"
    response = get(path, headers={"Accept": "application/xml"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<root>')
    ElementTree.fromstring(response.content)


def test_xml_body_mirrors_the_json_body(get):
    as_json = get(CATALOGS, page_size="1").json()
    root = ElementTree.fromstring(get(CATALOGS, page_size="1", headers={"Accept": "application/xml"}).content)
    assert [child.tag for child in root] == ["count", "next", "previous", "results"]
    assert root.find("count").text == str(as_json["count"])
    assert root.find("previous").text is None
    item = root.find("results/list-item")
    assert item.find("uuid").text == as_json["results"][0]["uuid"]


@pytest.mark.parametrize("accept", ["*/*", "application/*", "application/json, text/html", "text/html, application/json;q=0.1"])
def test_accepts_that_json_satisfies_get_json(get, accept):
    response = get(CATALOGS, headers={"Accept": accept})
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")


@pytest.mark.parametrize("path", [CATALOGS, CONTENT, LEARNERS])
def test_accept_neither_json_nor_xml_is_406(get, path):
    response = get(path, headers={"Accept": "text/html"})
    assert response.status_code == 406
    assert response.json() == {"detail": "Could not satisfy the request Accept header."}


def test_xml_default_setting_puts_xml_first(mockserver_settings):
    from starlette.testclient import TestClient

    from mockserver.app import create_app
    from mockserver.testing import token_for

    app = create_app(mockserver_settings.replace(enterprise_default_format="xml"))
    headers = {"Authorization": f"JWT {token_for(app)}"}
    with TestClient(app) as client:
        assert client.get(CATALOGS, headers=headers).headers["content-type"] == "application/xml; charset=utf-8"
        assert client.get(CATALOGS, headers={**headers, "Accept": "*/*"}).headers["content-type"].startswith("application/xml")
        as_json = client.get(CATALOGS, headers={**headers, "Accept": "application/json"})
        assert as_json.headers["content-type"] == "application/json"


# ------------------------------------------------------------------------------------------- auth order, slashes

@pytest.mark.parametrize("path", [CATALOGS, CONTENT, f"{CONTENT}/courses/edX+DemoX", LEARNERS])
def test_missing_authorization_is_the_gateways_400(mockserver_client, path):
    response = mockserver_client.get(path)
    assert (response.status_code, response.json()) == (400, {"message": "Missing required request headers: [Authorization]"})


def test_expired_token_is_401_token_has_expired_with_challenge(mockserver_client):
    token = jwt.encode({"sub": "x", "exp": int(time.time()) - 5}, "k" * 32, algorithm="HS256")
    response = mockserver_client.get(CONTENT, headers={"Authorization": f"JWT {token}"})
    assert (response.status_code, response.json()) == (401, {"detail": "Token has expired."})
    assert response.headers["WWW-Authenticate"] == 'JWT realm="api"'


@pytest.mark.parametrize("path", [CATALOGS, CONTENT, LEARNERS])
def test_post_is_405_before_auth(mockserver_client, path):
    response = mockserver_client.post(path)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "message" in response.json()


def test_unknown_path_is_404_before_auth(mockserver_client):
    assert mockserver_client.get("/enterprise/v2/enterprise-catalogs").status_code == 404
    assert mockserver_client.get(f"/enterprise/v9/enterprise-catalogs/{ALL_CONTENT}").status_code == 404


@pytest.mark.parametrize("path", [CATALOGS, CONTENT, f"{CONTENT}/courses/edX+DemoX", LEARNERS])
def test_trailing_slash_or_none_answers_the_same(get, path):
    plain, slashed = get(path), get(path + "/")
    assert plain.status_code == slashed.status_code == 200
    assert plain.json()["results" if "results" in plain.json() else "key"] == \
        slashed.json()["results" if "results" in slashed.json() else "key"]


# ------------------------------------------------------------------------------------------- the document's curl lines

@pytest.mark.parametrize("path,status", [
    ("/enterprise/v1/enterprise-catalogs", 200),
    (f"/enterprise/v2/enterprise-catalogs/{DOC_CATALOG}/", 200),
    (f"/enterprise/v2/enterprise-catalogs/{DOC_CATALOG}?limit=250", 200),
    (f"/enterprise/v2/enterprise-catalogs/{DOC_CATALOG}/courses/MyUni+Sport101x", 200),
    # gt-4.16: the example run id has 2 segments and the program uuid contains "g"; the real server answers 404.
    (f"/enterprise/v2/enterprise-catalogs/{DOC_CATALOG}/course-runs/course-v1:MyUni+Sport101x", 404),
    (f"/enterprise/v2/enterprise-catalogs/{DOC_CATALOG}/programs/7b24a21c-98c8-47c0-b9c8-g54714d40d94", 404),
    (f"/enterprise/v3/enterprise-customer/{CUSTOMER}/learner-summary", 200),
])
def test_the_documents_curl_examples_answer_as_the_real_server(mockserver_client, auth, path, status):
    response = mockserver_client.get(path, headers={**auth, "Accept": "application/json"})
    assert response.status_code == status, response.text


def test_readme_quickstart_enterprise_lines_answer_200(mockserver_client, auth):
    assert mockserver_client.get(f"/enterprise/v2/enterprise-catalogs/{DOC_CATALOG}", headers=auth).status_code == 200
    xml = mockserver_client.get(CATALOGS, headers={**auth, "Accept": "application/xml"})
    assert (xml.status_code, xml.headers["content-type"]) == (200, "application/xml; charset=utf-8")
