"""BlendX Discovery routes over HTTP (`blendx.list_courses`, `blendx.get_course`), on the default test world.

Each rule of the document as `specs/blendx.yaml` reads it: paging (`limit` clamped, 1-based `page`, `offset`,
`has_more`), leniency, `search`/`org`/`tags` filters, `order_by`, the light/full/detail field sets and their
order, the 404 body, the path id raw and percent-encoded, trailing slash or none, auth, and the document's
curl examples.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

LIST = "/blendxapi/discovery/courses/"
DETAIL = "/blendxapi/discovery/course/{}/"
SECRET = {"actionsecret": "your_secret"}
DOC_COURSE = "course-v1:Fundacion-Santa-Fe-de-Bogota+HOC201+2025_T2"
BLENDX_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

LIGHT = ["id", "openedx_course_id", "display_name", "display_image", "short_description", "price", "currency",
         "start", "end", "org", "org_logo_url", "org_favicon_url", "course_mode", "tags", "is_invite_only",
         "is_published", "avg_rating"]
FULL_EXTRA = {"overview", "effort", "enrollment_start", "enrollment_end", "certificate_available_date",
              "has_any_active_web_certificate", "link_to_course", "language", "self_paced", "number",
              "course_video_url", "available_course_modes"}
DETAIL_KEYS = ["id", "openedx_course_id", "display_name", "short_description", "overview", "course_image_url",
               "course_video_url", "start", "start_display", "end", "effort", "enrollment_start", "enrollment_end",
               "certificate_available_date", "has_any_active_web_certificate", "language", "self_paced",
               "is_invite_only", "is_published", "price", "course_mode", "available_course_modes", "organisation",
               "organisation_id", "organisation_logo_url", "organisation_favicon_url", "course_structure",
               "avg_rating", "reviews"]


@pytest.fixture
def get(mockserver_client):
    def _get(path, params=None, **kwargs):
        headers = {**SECRET, **kwargs.pop("headers", {})}
        return mockserver_client.get(path, params=params, headers=headers, **kwargs)
    return _get


def everything(get, **params) -> list[dict]:
    body = get(LIST, {"limit": 100, **params}).json()
    courses = list(body["courses"])
    page = 1
    while body["has_more"]:
        page += 1
        body = get(LIST, {"limit": 100, "page": page, **params}).json()
        courses += body["courses"]
    return courses


# --- auth -------------------------------------------------------------------------------------------------

def test_missing_or_wrong_action_secret_is_401_unauthorized_failed(mockserver_client):
    for headers in ({}, {"actionsecret": "wrong"}):
        response = mockserver_client.get(LIST, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthorized", "status": "failed"}


def test_a_session_cookie_needs_no_action_secret(mockserver_client):
    response = mockserver_client.get(LIST, cookies={"sessionid": "abc123"})
    assert response.status_code == 200


def test_other_methods_are_405_with_the_blendx_body_before_auth(mockserver_client):
    response = mockserver_client.post(LIST)
    assert response.status_code == 405
    assert response.json() == {"message": "Method not allowed", "status": "failed"}
    assert "GET" in response.headers["allow"].split(", ")


# --- paging -----------------------------------------------------------------------------------------------

def test_default_page_is_8_courses_of_page_1_at_offset_0(get):
    body = get(LIST).json()
    assert list(body) == ["courses", "total_count", "has_more", "limit", "page", "offset"]
    assert (body["limit"], body["page"], body["offset"]) == (8, 1, 0)
    assert len(body["courses"]) == min(8, body["total_count"])
    assert body["has_more"] == (8 < body["total_count"])


@pytest.mark.parametrize("raw, used", [("0", 1), ("-5", 1), ("1", 1), ("100", 100), ("500", 100), ("abc", 8),
                                       ("", 8), ("2.5", 8)])
def test_limit_is_clamped_into_1_to_100_and_a_non_integer_is_the_default(get, raw, used):
    body = get(LIST, {"limit": raw}).json()
    assert body["limit"] == used
    assert len(body["courses"]) == min(used, body["total_count"])


@pytest.mark.parametrize("raw, used", [("0", 1), ("-3", 1), ("abc", 1), ("", 1), ("2", 2)])
def test_page_below_1_or_not_an_integer_is_page_1(get, raw, used):
    body = get(LIST, {"page": raw, "limit": 3}).json()
    assert body["page"] == used
    assert body["offset"] == (used - 1) * 3


def test_pages_tile_the_collection_and_has_more_says_whether_a_later_page_exists(get):
    total = get(LIST).json()["total_count"]
    limit = 7
    seen = []
    page = 1
    while True:
        body = get(LIST, {"limit": limit, "page": page}).json()
        assert body["offset"] == (page - 1) * limit
        assert body["has_more"] == (page * limit < total)
        seen += [c["id"] for c in body["courses"]]
        if not body["has_more"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == total


def test_a_page_past_the_end_is_200_with_no_courses(get):
    total = get(LIST).json()["total_count"]
    body = get(LIST, {"limit": 100, "page": total // 100 + 5}).json()
    assert body["courses"] == [] and body["has_more"] is False and body["total_count"] == total


# --- field sets ---------------------------------------------------------------------------------------------

def test_light_is_the_default_with_exactly_17_fields_in_the_document_order(get):
    for params in ({}, {"fields": "light"}, {"fields": "bogus"}):
        for course in get(LIST, params).json()["courses"]:
            assert list(course) == LIGHT


def test_full_adds_the_12_full_fields(get):
    for course in get(LIST, {"fields": "full"}).json()["courses"]:
        assert set(course) == set(LIGHT) | FULL_EXTRA
        assert len(course) == 29
        for mode in course["available_course_modes"]:
            assert list(mode) == ["modeSlug", "minPrice", "modeDisplayName", "currency", "visible"]


def test_dates_are_utc_seconds_with_z(get):
    for course in get(LIST, {"fields": "full", "limit": 100}).json()["courses"]:
        for name in ("start", "end", "enrollment_start", "enrollment_end", "certificate_available_date"):
            assert course[name] is None or BLENDX_DATE.match(course[name]), (name, course[name])


# --- filters and order --------------------------------------------------------------------------------------

def test_search_matches_name_description_or_overview_case_insensitively(get):
    courses = everything(get, search="PYTHON", fields="full")
    assert courses
    for c in courses:
        assert "python" in f"{c['display_name']} {c['short_description']} {c['overview']}".lower()
    assert len(courses) == get(LIST, {"search": "python"}).json()["total_count"]


def test_org_filter_takes_a_list_of_short_names_or_organisation_names(get):
    assert {c["org"] for c in everything(get, org="TestOrg")} == {"TestOrg"}
    both = everything(get, org="TestOrg,Fundacion-Santa-Fe-de-Bogota")
    assert {c["org"] for c in both} == {"TestOrg", "Fundacion-Santa-Fe-de-Bogota"}
    by_name = everything(get, org="Fundacion Santa Fe de Bogota")
    assert [c["id"] for c in by_name] == [c["id"] for c in everything(get, org="Fundacion-Santa-Fe-de-Bogota")]
    assert get(LIST, {"org": "NoSuchOrg"}).json()["total_count"] == 0


def test_tags_filter_matches_any_of_the_listed_tags(get):
    any_of = everything(get, tags="health,midwifery")
    assert any_of and all({"health", "midwifery"} & set(c["tags"]) for c in any_of)
    health = {c["id"] for c in everything(get, tags="health")}
    midwifery = {c["id"] for c in everything(get, tags="midwifery")}
    assert {c["id"] for c in any_of} == health | midwifery


def test_filters_combine_with_and(get):
    courses = everything(get, org="TestOrg", tags="health,midwifery")
    assert courses and all(c["org"] == "TestOrg" and {"health", "midwifery"} & set(c["tags"]) for c in courses)


def test_order_by_display_name_ascending_and_descending_by_default(get):
    asc = [c["display_name"].casefold() for c in everything(get, order_by="display_name.asc")]
    assert asc == sorted(asc)
    desc = [c["display_name"].casefold() for c in everything(get, order_by="display_name")]
    assert desc == sorted(desc, reverse=True)


def test_default_order_is_created_at_desc_and_an_unknown_field_falls_back_to_it(get):
    default = [c["id"] for c in everything(get)]
    assert default == [c["id"] for c in everything(get, order_by="created_at.desc")]
    assert default == [c["id"] for c in everything(get, order_by="no_such_field.asc")]
    assert default != [c["id"] for c in everything(get, order_by="created_at.asc")]


def test_order_by_price_ascending(get):
    prices = [c["price"] for c in everything(get, order_by="price.asc")]
    assert prices == sorted(prices)


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_courses_without_an_end_come_last_in_run_key_order_both_ways(get, direction):
    courses = everything(get, order_by=f"end.{direction}")
    ends = [c["end"] for c in courses if c["end"] is not None]
    missing = [c["openedx_course_id"] for c in courses if c["end"] is None]
    assert missing and ends  # the default world has both
    assert [c["end"] for c in courses] == ends + [None] * len(missing)
    assert ends == sorted(ends, reverse=direction == "desc")
    assert missing == sorted(missing)


# --- detail -------------------------------------------------------------------------------------------------

def test_the_documents_course_answers_with_the_29_detail_fields_in_order(get):
    response = get(DETAIL.format(DOC_COURSE))
    assert response.status_code == 200
    body = response.json()
    assert list(body) == DETAIL_KEYS
    assert "currency" not in body
    assert body["id"] == "267ce96d-1454-4292-aa42-1a0487c7eaaa"
    assert body["organisation"] == "Fundacion Santa Fe de Bogota"
    assert body["organisation_id"] == "123e4567-e89b-12d3-a456-426614174000"
    structure = body["course_structure"]
    assert structure["total_sections"] == len(structure["sections"])
    assert structure["total_subsections"] == sum(len(s["subsections"]) for s in structure["sections"])
    ratings = [r["rating"] for r in body["reviews"]]
    assert body["avg_rating"] == round(sum(ratings) / len(ratings), 1)


@pytest.mark.parametrize("encode", [lambda k: k, lambda k: quote(k, safe=""), lambda k: k.replace("+", "%2B")],
                         ids=["raw", "percent-encoded", "plus-encoded"])
@pytest.mark.parametrize("slash", ["/", ""])
def test_the_path_id_works_raw_or_percent_encoded_with_or_without_trailing_slash(get, encode, slash):
    path = "/blendxapi/discovery/course/" + encode(DOC_COURSE) + slash
    response = get(path)
    assert response.status_code == 200, path
    assert response.json()["openedx_course_id"] == DOC_COURSE


@pytest.mark.parametrize("course_id", ["course-v1:Nobody+NOPE101+2025_T1", "course-v1:Fundacion-Santa-Fe-de-Bogota+HOC201",
                                       "not-a-key"])
def test_an_unknown_course_is_404_course_not_found(get, course_id):
    response = get(DETAIL.format(quote(course_id, safe="")))
    assert response.status_code == 404
    assert response.json() == {"message": "Course not found", "status": "failed"}


def test_every_listed_course_resolves_in_the_detail_route_with_the_same_values(get):
    for course in get(LIST, {"fields": "full", "limit": 20}).json()["courses"]:
        detail = get(DETAIL.format(quote(course["openedx_course_id"], safe=""))).json()
        assert detail["course_image_url"] == course["display_image"]
        assert detail["organisation_logo_url"] == course["org_logo_url"]
        for name in ("id", "display_name", "short_description", "overview", "start", "end", "price",
                     "course_mode", "available_course_modes", "avg_rating", "language", "self_paced"):
            assert detail[name] == course[name], name


# --- the document's curl examples and the README --------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "?limit=20&page=2&search=python&fields=light",
    "?limit=20&page=2&search=python&fields=full",
    "?org=TestOrg&tags=health,midwifery&order_by=display_name.asc",
    "?limit=20&page=1&fields=light",  # README quickstart
])
def test_the_documents_list_examples_answer_200(get, query):
    response = get(LIST + query)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


def test_the_documents_filter_example_finds_the_testorg_health_courses(get):
    body = get(LIST + "?org=TestOrg&tags=health,midwifery&order_by=display_name.asc").json()
    assert body["total_count"] >= 1
    names = [c["display_name"].casefold() for c in body["courses"]]
    assert names == sorted(names)
