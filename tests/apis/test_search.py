"""edx-search `POST /search/course_discovery/` over HTTP (`search.course_discovery`), on the default test world.

Each rule of edx-search 5.0.3 as `specs/blendx.yaml` reads it: form fields only (urlencoded and multipart; a
JSON body is no fields), `page_size`/`page_index` with the 500 `{"error"}` for a bad size, `search_string`,
the term filters, the enrollment window, the Elasticsearch body (`took`, `total`, `max_score`, hits, `aggs`),
no auth, and the 405 for other methods.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from mockserver.testing import DEFAULT_TEST_CLOCK

URL = "/search/course_discovery/"
PLUS_OFFSET_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$")
DOC_RUN = "course-v1:HealthOnCloud+Test101+2025_T1"


@pytest.fixture
def search(mockserver_client):
    def _search(**form):
        return mockserver_client.post(URL, data={k: str(v) for k, v in form.items()})
    return _search


def walk(search, page_size=50, **form) -> list[dict]:
    hits, index = [], 0
    while True:
        body = search(page_size=page_size, page_index=index, **form).json()
        if not body["results"]:
            return hits
        hits += body["results"]
        index += 1


def test_no_auth_is_needed_and_an_empty_form_lists_the_first_20(mockserver_client):
    response = mockserver_client.post(URL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["took", "total", "max_score", "results", "aggs"]
    assert len(body["results"]) == min(20, body["total"])


def test_multipart_form_data_is_read_like_urlencoded(mockserver_client, search):
    urlencoded = search(search_string="health", page_size=5).json()
    multipart = mockserver_client.post(URL, files={"search_string": (None, "health"), "page_size": (None, "5")})
    assert multipart.status_code == 200
    assert multipart.json()["results"] == urlencoded["results"]
    assert multipart.json()["total"] == urlencoded["total"]


def test_a_json_body_is_ignored_as_no_parameters(mockserver_client):
    empty = mockserver_client.post(URL).json()
    as_json = mockserver_client.post(URL, json={"search_string": "health", "page_size": 1})
    assert as_json.status_code == 200
    assert as_json.json()["total"] == empty["total"]
    assert len(as_json.json()["results"]) == len(empty["results"])


@pytest.mark.parametrize("size, message", [("0", "Invalid page size of 0"), ("101", "Invalid page size of 101"),
                                           ("-1", "Invalid page size of -1"),
                                           ("abc", "invalid literal for int() with base 10: 'abc'")])
def test_a_bad_page_size_is_a_500_whose_only_key_is_error(search, size, message):
    response = search(page_size=size)
    assert response.status_code == 500
    assert response.json() == {"error": message}


def test_a_non_integer_page_index_with_a_page_size_is_a_500(search):
    response = search(page_size=5, page_index="x")
    assert response.status_code == 500
    assert response.json() == {"error": "invalid literal for int() with base 10: 'x'"}


def test_page_index_is_read_only_when_page_size_is_sent(search):
    first = search().json()["results"]
    assert search(page_index=3).json()["results"] == first
    assert search(page_size=20, page_index=0).json()["results"] == first


def test_pages_walk_every_hit_once_and_total_counts_them(search):
    total = search().json()["total"]
    hits = walk(search, page_size=7)
    ids = [h["_id"] for h in hits]
    assert len(ids) == len(set(ids)) == total


def test_a_page_past_the_end_is_200_with_no_results_and_the_full_total(search):
    total = search().json()["total"]
    body = search(page_size=100, page_index=total // 100 + 3).json()
    assert body["results"] == [] and body["total"] == total


def test_hits_are_elasticsearch_hits_with_source_renamed_data(search):
    body = search(page_size=100).json()
    assert body["results"]
    for hit in body["results"]:
        assert [k for k in hit if k != "_ignored"] == ["_index", "_type", "_id", "data", "score"]
        assert (hit["_index"], hit["_type"]) == ("course_info", "_doc")
        assert hit["_id"] == hit["data"]["id"] == hit["data"]["course"]
        assert isinstance(hit["score"], float)
        for name in ("start", "end", "enrollment_start", "enrollment_end"):
            if name in hit["data"]:
                assert PLUS_OFFSET_DATE.match(hit["data"][name]), hit["data"][name]
        for value in hit["data"].values():
            assert value not in (None, "", False, [])
    assert body["max_score"] == max(h["score"] for h in body["results"])


def test_only_courses_inside_their_enrollment_window_are_found(search):
    now = DEFAULT_TEST_CLOCK
    for hit in walk(search, page_size=100):
        data = hit["data"]
        assert datetime.fromisoformat(data["enrollment_start"]) <= now
        assert "enrollment_end" not in data or datetime.fromisoformat(data["enrollment_end"]) >= now


def test_search_string_finds_courses_whose_content_has_the_words(search):
    hits = walk(search, search_string="Health")
    assert hits
    for hit in hits:
        content = " ".join(str(v) for v in hit["data"]["content"].values()).lower()
        assert "health" in content
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_the_documents_search_example_document_is_found(search):
    hits = walk(search, search_string="Health on Cloud")
    assert DOC_RUN in [h["_id"] for h in hits]


def test_nothing_found_has_null_max_score_and_empty_facets(search):
    body = search(search_string="zzqxjv").json()
    assert body["total"] == 0 and body["results"] == [] and body["max_score"] is None
    assert body["aggs"] == {name: {"terms": {}, "total": 0, "other": 0} for name in ("org", "modes", "language")}


@pytest.mark.parametrize("field", ["org", "language"])
def test_term_filters_match_exactly(search, field):
    value = search(page_size=1).json()["results"][0]["data"][field]
    hits = walk(search, **{field: value})
    assert hits and all(h["data"][field] == value for h in hits)


def test_modes_filter_matches_one_of_the_modes(search):
    hits = walk(search, modes="verified")
    assert hits and all("verified" in h["data"]["modes"] for h in hits)


def test_aggs_count_the_hits_per_value_of_each_filter_field(search):
    body = search(page_size=1).json()
    hits = walk(search, page_size=100)
    assert set(body["aggs"]) == {"org", "modes", "language"}
    orgs = body["aggs"]["org"]
    assert orgs["total"] == body["total"] == len(hits)
    assert sum(orgs["terms"].values()) + orgs["other"] == orgs["total"]
    assert len(orgs["terms"]) <= 10
    for org, n in orgs["terms"].items():
        assert n == sum(1 for h in hits if h["data"]["org"] == org)


def test_other_methods_are_405_with_an_empty_body_and_allow_post(mockserver_client):
    response = mockserver_client.get(URL)
    assert response.status_code == 405
    assert response.content == b""
    assert response.headers["allow"] == "POST"


def test_the_documents_curl_example_answers_200(mockserver_client):
    response = mockserver_client.post(URL, headers={"Content-Type": "application/x-www-form-urlencoded"},
                                      content=b"search_string=AI&page_size=10&page_index=1")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == max(0, min(10, body["total"] - 10))


def test_the_readme_quickstart_search_answers_200(search):
    body = search(search_string="AI", page_size=10, page_index=0).json()
    assert body["total"] >= 1
