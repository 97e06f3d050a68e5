"""edX Course Catalog routes over HTTP (`catalog.list_catalogs`, `catalog.get_catalog`,
`catalog.list_catalog_courses`), on the default test world.

Each rule of course-discovery as `specs/catalog.yaml` reads it: ProxiedPagination with DRF's exact link
rules, leniency of `limit`/`offset`/`page_size` and the `Invalid page.` 404, the two catalog 404 bodies,
`courses_count` vs the active `/courses/`, runs ordered by start then key, affiliate marketing URLs, the
current serializer shape and its value formats, JSON-only negotiation (406), the staff-only `username`,
the gateway's order of checks, trailing slash or none, and the document's and README's curl lines.
"""

from __future__ import annotations

import re
import time

import jwt
import pytest

from mockserver.auth import issue_token

BASE = "http://testserver"
CATALOGS = "/catalog/v1/catalogs/"
DRF_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$")
PRICE = re.compile(r"^\d+\.\d{2}$")
COURSE_FIELDS_OF_THE_DOCUMENT = ["key", "title", "short_description", "full_description", "level_type", "subjects",
                                 "prerequisites", "expected_learning_items", "image", "video", "owners", "sponsors",
                                 "modified", "course_runs", "marketing_url"]
RUN_FIELDS_OF_THE_DOCUMENT = ["course", "key", "title", "short_description", "full_description", "start", "end",
                              "enrollment_start", "enrollment_end", "announcement", "image", "video", "seats",
                              "content_language", "transcript_languages", "instructors", "staff", "pacing_type",
                              "min_effort", "max_effort", "modified", "marketing_url"]


def token(app, **claims) -> str:
    config = app.runtime.auth
    body = {"preferred_username": "pytest", "sub": "pytest", "exp": int(time.time()) + 3600, **claims}
    return jwt.encode(body, config.jwt_secret, algorithm="HS256")


@pytest.fixture
def auth(mockserver_token):
    return {"Authorization": f"JWT {mockserver_token}"}


@pytest.fixture
def get(mockserver_client, auth):
    def _get(path, params=None, headers=None):
        return mockserver_client.get(path, params=params, headers={**auth, **(headers or {})})
    return _get


def courses_path(catalog_id=1) -> str:
    return f"{CATALOGS}{catalog_id}/courses/"


# --- the order of checks ------------------------------------------------------------------------------------

def test_unknown_path_404_comes_before_405_and_405_before_auth(mockserver_client):
    assert mockserver_client.get("/catalog/v1/nothing-here/").status_code == 404
    response = mockserver_client.post(CATALOGS)
    assert response.status_code == 405
    assert response.json() == {"message": "Method Not Allowed"}


def test_missing_authorization_is_the_gateways_400(mockserver_client):
    response = mockserver_client.get(courses_path())
    assert response.status_code == 400
    assert response.json() == {"message": "Missing required request headers: [Authorization]"}


def test_an_expired_token_is_401_token_has_expired_with_www_authenticate(mockserver_client, mockserver_app):
    expired = issue_token(mockserver_app.runtime.auth, "pytest", "", BASE, now=time.time() - 7200)["access_token"]
    response = mockserver_client.get(CATALOGS, headers={"Authorization": f"JWT {expired}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Token has expired."}
    assert response.headers["www-authenticate"] == 'JWT realm="api"'


# --- catalogs -----------------------------------------------------------------------------------------------

def test_catalog_list_is_in_id_order_and_each_item_is_the_detail(get):
    body = get(CATALOGS, {"limit": 100}).json()
    ids = [c["id"] for c in body["results"]]
    assert ids == sorted(ids) and len(ids) == body["count"]
    for item in body["results"][:5]:
        assert list(item) == ["id", "name", "query", "courses_count", "viewers"]
        assert get(f"{CATALOGS}{item['id']}/").json() == item


def test_the_documents_catalog_1_is_all_courses(get):
    body = get(f"{CATALOGS}1/").json()
    assert (body["name"], body["query"], body["viewers"]) == ("All Courses", "*:*", ["username1", "username2"])


@pytest.mark.parametrize("raw", ["abc", "1.5", "1e3"])
def test_a_non_integer_id_is_404_not_found(get, raw):
    for path in (f"{CATALOGS}{raw}/", f"{CATALOGS}{raw}/courses/"):
        response = get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_an_unknown_catalog_is_404_no_catalog_matches(get):
    for path in (f"{CATALOGS}99999/", courses_path(99999)):
        response = get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "No Catalog matches the given query."}


def test_courses_count_counts_every_matching_course_and_courses_lists_the_active_ones(get):
    for catalog in get(CATALOGS, {"limit": 5}).json()["results"]:
        active = get(courses_path(catalog["id"]), {"limit": 1}).json()["count"]
        assert active <= catalog["courses_count"]
    everything = get(f"{CATALOGS}1/").json()
    assert get(courses_path(1), {"limit": 1}).json()["count"] < everything["courses_count"]


# --- paging: DRF's exact link rules -------------------------------------------------------------------------

def test_limit_offset_links_keep_parameters_sorted_and_drop_offset_at_zero(get):
    count = get(courses_path(), {"limit": 1}).json()["count"]
    assert count > 6
    first = get(courses_path(), {"limit": 3}).json()
    assert first["previous"] is None
    assert first["next"] == f"{BASE}{courses_path()}?limit=3&offset=3"
    second = get(courses_path(), {"offset": 2, "limit": 3, "zz": "kept"}).json()
    assert second["previous"] == f"{BASE}{courses_path()}?limit=3&zz=kept"
    assert second["next"] == f"{BASE}{courses_path()}?limit=3&offset=5&zz=kept"
    third = get(courses_path(), {"limit": 3, "offset": 6}).json()
    assert third["previous"] == f"{BASE}{courses_path()}?limit=3&offset=3"


def test_default_page_is_20_and_the_links_carry_limit(get):
    body = get(courses_path()).json()
    assert len(body["results"]) == min(20, body["count"])
    assert body["next"] == f"{BASE}{courses_path()}?limit=20&offset=20"


def test_last_limit_offset_page_has_no_next_and_offset_past_the_end_is_empty(get):
    count = get(courses_path(), {"limit": 1}).json()["count"]
    last = get(courses_path(), {"limit": 5, "offset": count - 2}).json()
    assert last["next"] is None and len(last["results"]) == 2
    past = get(courses_path(), {"offset": count + 10})
    assert past.status_code == 200 and past.json()["results"] == []


@pytest.mark.parametrize("limit", ["0", "-3", "abc", ""])
def test_a_limit_that_is_not_a_positive_integer_is_the_default_20(get, limit):
    body = get(CATALOGS, {"limit": limit}).json()
    assert len(body["results"]) == min(20, body["count"])


@pytest.mark.parametrize("offset", ["-4", "abc"])
def test_an_offset_that_is_negative_or_not_an_integer_is_0(get, offset):
    assert get(CATALOGS, {"offset": offset}).json()["results"] == get(CATALOGS).json()["results"]


def test_page_number_mode_when_page_is_present(get):
    count = get(courses_path(), {"limit": 1}).json()["count"]
    one = get(courses_path(), {"page": 1, "page_size": 2}).json()
    assert one["previous"] is None
    assert one["next"] == f"{BASE}{courses_path()}?page=2&page_size=2"
    two = get(courses_path(), {"page": 2, "page_size": 2, "limit": 7}).json()
    assert len(two["results"]) == 2  # limit is ignored in page-number mode
    assert two["previous"] == f"{BASE}{courses_path()}?limit=7&page_size=2"
    three = get(courses_path(), {"page": 3, "page_size": 2}).json()
    assert three["previous"] == f"{BASE}{courses_path()}?page=2&page_size=2"
    last = get(courses_path(), {"page": "last", "page_size": 2}).json()
    assert last["next"] is None and len(last["results"]) == count - 2 * ((count - 1) // 2)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "9999"])
def test_an_invalid_page_is_404_invalid_page(get, page):
    response = get(courses_path(), {"page": page})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_an_empty_page_parameter_means_limit_offset_mode(get):
    body = get(CATALOGS, {"page": ""}).json()
    assert body["results"] == get(CATALOGS).json()["results"]


# --- the course shape ---------------------------------------------------------------------------------------

def test_courses_carry_the_documents_fields_in_the_current_shape(get):
    for course in get(courses_path(), {"limit": 10}).json()["results"]:
        assert list(course)[:3] == ["key", "uuid", "title"]
        assert set(COURSE_FIELDS_OF_THE_DOCUMENT) <= set(course)
        assert course["image"] is None or list(course["image"]) == ["src", "description", "height", "width"]
        assert DRF_DATE.match(course["modified"])
        for run in course["course_runs"]:
            assert set(RUN_FIELDS_OF_THE_DOCUMENT) <= set(run)
            assert run["course"] == course["key"]
            assert run["key"].startswith(f"course-v1:{course['key']}+")
            assert run["instructors"] == []
            for seat in run["seats"]:
                assert PRICE.match(seat["price"]) and seat["currency"] == "USD"
            for name in ("start", "end", "enrollment_start", "enrollment_end", "announcement", "modified"):
                assert run[name] is None or DRF_DATE.match(run[name]), (name, run[name])
            for person in run["staff"]:
                assert set(person["profile_image"]) <= {"medium"}


def test_runs_inside_a_course_are_the_active_ones_ordered_by_start_then_key(get):
    for course in get(courses_path(), {"limit": 50}).json()["results"]:
        runs = course["course_runs"]
        assert runs, course["key"]
        order = [(r["start"] or "", r["key"]) for r in runs]
        assert order == sorted(order)
        assert all(r["availability"] != "Archived" and r["is_marketable"] for r in runs)


def test_marketing_urls_carry_the_callers_affiliate_parameters(get, mockserver_client, mockserver_app):
    course = get(courses_path(), {"limit": 1}).json()["results"][0]
    assert course["marketing_url"].endswith("?utm_source=pytest&utm_medium=affiliate_partner")
    other = {"Authorization": f"JWT {token(mockserver_app, preferred_username='Partner Acme')}"}
    theirs = mockserver_client.get(courses_path(), params={"limit": 1}, headers=other).json()["results"][0]
    assert theirs["marketing_url"].endswith("?utm_source=partner-acme&utm_medium=affiliate_partner")
    for run in theirs["course_runs"]:
        assert run["marketing_url"] is None or "utm_source=partner-acme" in run["marketing_url"]


# --- negotiation, username, slashes -------------------------------------------------------------------------

@pytest.mark.parametrize("accept", ["application/xml", "text/csv", "text/html"])
def test_an_accept_json_cannot_satisfy_is_406(get, accept):
    for path in (CATALOGS, f"{CATALOGS}1/", courses_path()):
        response = get(path, headers={"Accept": accept})
        assert response.status_code == 406
        assert response.json() == {"detail": "Could not satisfy the request Accept header."}


@pytest.mark.parametrize("accept", ["application/json", "*/*", "application/*", "text/html, application/json;q=0.5"])
def test_json_is_served_to_any_accept_that_takes_it(get, accept):
    response = get(CATALOGS, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


def test_username_filter_is_staff_only(get, mockserver_client, mockserver_app):
    response = get(CATALOGS, {"username": "username1"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Only staff users are permitted to filter by username. "
                                         "Remove the username parameter."}
    staff = {"Authorization": f"JWT {token(mockserver_app, preferred_username='admin', administrator=True)}"}
    mine = mockserver_client.get(CATALOGS, params={"username": "username1"}, headers=staff).json()
    assert mine["count"] >= 1 and all("username1" in c["viewers"] for c in mine["results"])
    unknown = mockserver_client.get(CATALOGS, params={"username": "nobody-at-all"}, headers=staff)
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "No user with the username [nobody-at-all] exists."}


@pytest.mark.parametrize("path", ["/catalog/v1/catalogs", "/catalog/v1/catalogs/1", "/catalog/v1/catalogs/1/courses"])
def test_routes_answer_without_the_trailing_slash(get, path):
    assert get(path).status_code == 200
    assert get(path).json() == get(path + "/").json()


# --- the document's and the README's curl lines -------------------------------------------------------------

@pytest.mark.parametrize("path", ["/catalog/v1/catalogs/", "/catalog/v1/catalogs/1/", "/catalog/v1/catalogs/1/courses/"])
def test_the_documents_and_readmes_examples_answer_200(get, path):
    response = get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
