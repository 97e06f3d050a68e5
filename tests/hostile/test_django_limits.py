"""Issue 8's "500 where the real servers answer 400 or 404", replayed: Django's limits and its 400 page on
the search and token routes, bodies read with a limit, and path ids too long to be numbers."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.errors import DJANGO_ERROR_PAGE
from mockserver.limits import DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK, token_for

SEARCH = "/search/course_discovery/"
FORM_ROUTES = {SEARCH: {}, "/oauth2/access_token": {"grant_type": "client_credentials", "client_id": "c"},
               "/oauth2/v1/access_token": {"grant_type": "client_credentials", "client_id": "c"}}
DJANGO_400 = (DJANGO_ERROR_PAGE % {"title": "Bad Request (400)", "details": ""}).encode()
URLENCODED = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small"))


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://localhost") as c:
        yield c


def _is_django_400(response) -> bool:
    return (response.status_code == 400 and response.content == DJANGO_400
            and response.headers["content-type"].startswith("text/html"))


def _fields(n: int, base: dict) -> str:
    return "&".join([*(f"{k}={v}" for k, v in base.items()), *(f"f{i}=1" for i in range(n - len(base)))])


@pytest.mark.parametrize("path", sorted(FORM_ROUTES))
def test_a_form_over_djangos_size_limit_is_djangos_400(client, path):
    base = _fields(len(FORM_ROUTES[path]), FORM_ROUTES[path])
    prefix = base + ("&" if base else "") + "pad="
    at_limit = prefix + "a" * (DATA_UPLOAD_MAX_MEMORY_SIZE - len(prefix))
    assert len(at_limit) == DATA_UPLOAD_MAX_MEMORY_SIZE
    assert client.post(path, content=at_limit, headers=URLENCODED).status_code == 200
    assert _is_django_400(client.post(path, content=at_limit + "a", headers=URLENCODED))


@pytest.mark.parametrize("path", sorted(FORM_ROUTES))
def test_more_than_djangos_field_count_is_djangos_400(client, path):
    base = FORM_ROUTES[path]
    limit = DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert client.post(path, content=_fields(limit, base), headers=URLENCODED).status_code == 200
    assert _is_django_400(client.post(path, content=_fields(limit + 1, base), headers=URLENCODED))
    many = {**base, **{f"f{i}": "1" for i in range(limit + 1)}}
    assert _is_django_400(client.post(path, files={"x": ("x.txt", b"x")}, data=many))


@pytest.mark.parametrize("path", sorted(FORM_ROUTES))
@pytest.mark.parametrize("content_type, body", [
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--\r\n"),  # no boundary
    ("multipart/form-data; boundary=x", b"--x\r\n\x00\x01 broken header\r\n\r\n1\r\n--x--\r\n"),
])
def test_a_malformed_multipart_body_is_djangos_400(client, path, content_type, body):
    assert _is_django_400(client.post(path, content=body, headers={"content-type": content_type}))


@pytest.mark.parametrize("path", sorted(FORM_ROUTES))
def test_a_multipart_body_over_the_limit_is_djangos_400_and_is_not_read_whole(client, path):
    big = {**FORM_ROUTES[path], "pad": "a" * (DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
    assert _is_django_400(client.post(path, files={"none": ("", b"")}, data=big))
    ok = {**FORM_ROUTES[path], "pad": "a" * 1000}
    assert client.post(path, files={"none": ("n.txt", b"n")}, data=ok).status_code == 200


def test_a_json_body_is_not_read_at_all(client):
    # Django's request.POST ignores a JSON body: no fields, no limit applied to what it never reads.
    response = client.post(SEARCH, content=b"[" * (DATA_UPLOAD_MAX_MEMORY_SIZE + 10),
                           headers={"content-type": "application/json"})
    assert response.status_code == 200


def test_a_behaviour_matching_the_form_reads_no_more_than_the_limit(client):
    scenario = ("behaviours:\n  - operation: search.course_discovery\n    when: {query: {search_string: boom}}\n"
                "    respond: {status: 503}\n")
    assert client.post("/__admin/scenarios", content=scenario, headers={"content-type": "application/yaml"},
                       params={"replace": "true"}).status_code == 200
    try:
        assert client.post(SEARCH, data={"search_string": "boom"}).status_code == 503
        huge = "search_string=boom&pad=" + "a" * (DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
        assert _is_django_400(client.post(SEARCH, content=huge, headers=URLENCODED))
    finally:
        client.delete("/__admin/scenarios")


@pytest.mark.parametrize("path, expected", [
    ("/catalog/v1/catalogs/{n}/", {"detail": "Not found."}),
    ("/catalog/v1/catalogs/{n}/courses/", {"detail": "Not found."}),
    ("/catalog/v1/catalogs/-{n}/", {"detail": "Not found."}),
])
def test_path_ids_too_long_for_int_are_the_apis_own_404(client, app, path, expected):
    headers = {"Authorization": f"JWT {token_for(app)}"}
    response = client.get(path.format(n="9" * 5000), headers=headers)
    assert response.status_code == 404 and response.json() == expected
    # Just under Python's limit it is a number: no catalog has it.
    response = client.get(path.format(n="9" * 4300), headers=headers)
    assert response.status_code == 404


def test_a_long_string_key_is_still_routed(client):
    response = client.get("/blendxapi/discovery/course/" + "9" * 5000 + "/", headers={"actionsecret": "your_secret"})
    assert response.status_code == 404
    assert response.json() == {"message": "Course not found", "status": "failed"}
