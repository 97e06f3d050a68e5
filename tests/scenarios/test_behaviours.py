"""Scenario behaviours over HTTP: sequences, forced status, latency, named selection, narrowing, faults, auth."""

from __future__ import annotations

import time

import httpx
import orjson
import pytest

from mockserver.testing import LiveServer

BLENDX_HEADERS = {"actionsecret": "your_secret"}
TOKEN_FORM = {"grant_type": "client_credentials", "client_id": "qa-client", "client_secret": "x"}
TOKEN = "/oauth2/v1/access_token"
BLENDX = "/blendxapi/discovery/courses/"
BLENDX_DETAIL = "/blendxapi/discovery/course/course-v1:Fundacion-Santa-Fe-de-Bogota+HOC201+2025_T2/"


def test_first_two_calls_get_500_then_the_endpoint_recovers(client, load):
    load("""
        behaviours:
          - operation: oauth.issue_token_v1
            sequence:
              - times: 2
                respond: {status: 500}
    """)
    statuses = [client.post(TOKEN, data=TOKEN_FORM).status_code for _ in range(4)]
    assert statuses == [500, 500, 200, 200]


def test_forced_status_without_body_sends_the_apis_own_error_body(client, load):
    load("""
        behaviours:
          - operation: blendx.list_courses
            respond: {status: 500}
    """)
    response = client.get(BLENDX, headers=BLENDX_HEADERS)
    assert response.status_code == 500
    assert response.json() == {"message": "Error fetching courses", "status": "failed"}


def test_forced_body_and_headers_are_sent_as_given(client, load):
    load("""
        behaviours:
          - operation: oauth.issue_token_v1
            respond:
              status: 429
              body: {error: slow_down}
              headers: {Retry-After: "7"}
    """)
    response = client.post(TOKEN, data=TOKEN_FORM)
    assert response.status_code == 429
    assert response.json() == {"error": "slow_down"}
    assert response.headers["retry-after"] == "7"


def test_fixed_latency_delays_the_answer(client, load):
    load("""
        behaviours:
          - operation: oauth.issue_token_v1
            latency: 300
    """)
    started = time.monotonic()
    response = client.post(TOKEN, data=TOKEN_FORM)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.29


def test_named_behaviour_applies_only_when_the_request_selects_it(client, load):
    load("""
        behaviours:
          - operation: oauth.issue_token_v1
            name: outage
            respond: {status: 503}
    """)
    assert client.post(TOKEN, data=TOKEN_FORM).status_code == 200
    assert client.post(TOKEN, data=TOKEN_FORM, headers={"X-Mock-Behaviour": "outage"}).status_code == 503
    assert client.post(TOKEN, data=TOKEN_FORM, headers={"X-Mock-Behaviour": "other, outage"}).status_code == 503
    assert client.post(TOKEN, data=TOKEN_FORM, headers={"X-Mock-Behaviour": "other"}).status_code == 200


def test_when_path_narrows_to_one_record(client, load):
    load("""
        behaviours:
          - operation: blendx.get_course
            when:
              path: {openedx_course_id: "course-v1:Org+Num+Broken"}
            respond: {status: 404}
    """)
    assert client.get("/blendxapi/discovery/course/course-v1:Org+Num+Broken/", headers=BLENDX_HEADERS).status_code == 404
    assert client.get(BLENDX_DETAIL, headers=BLENDX_HEADERS).status_code == 200
    assert client.get("/__admin/scenarios").json()["behaviours"][0]["calls"] == 1


def test_when_query_narrows_by_query_parameter(client, load):
    load("""
        behaviours:
          - operation: blendx.list_courses
            when:
              query: {page: 2}
            respond: {status: 503}
    """)
    assert client.get(BLENDX, params={"page": "2"}, headers=BLENDX_HEADERS).status_code == 503
    assert client.get(BLENDX, params={"page": "1"}, headers=BLENDX_HEADERS).status_code != 503


def test_when_query_matches_search_form_fields(client, load):
    load("""
        behaviours:
          - operation: search.course_discovery
            when:
              query: {search_string: boom}
            respond: {status: 500}
    """)
    assert client.post("/search/course_discovery/", data={"search_string": "boom"}).json() == {"error": "Nothing to search"}
    assert client.post("/search/course_discovery/", data={"search_string": "fine"}).status_code != 500


def test_tokens_expired_turns_every_jwt_into_a_401_expired(client, load, jwt_headers):
    load("""
        auth:
          tokens_expired: true
    """)
    response = client.get("/catalog/v1/catalogs/", headers=jwt_headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Token has expired."}
    assert response.headers["www-authenticate"] == 'JWT realm="api"'
    # Routes that take no JWT are unaffected.
    assert client.post(TOKEN, data=TOKEN_FORM).status_code == 200


def test_action_secret_is_replaced(client, load):
    load("""
        auth:
          action_secret: qa-secret-42
    """)
    assert client.get(BLENDX, headers={"actionsecret": "your_secret"}).status_code == 401
    assert client.get(BLENDX, headers={"actionsecret": "qa-secret-42"}).status_code != 401


def test_token_lifetime_is_what_the_token_route_reports(client, load):
    load("""
        auth:
          token_lifetime: 42
    """)
    assert client.post(TOKEN, data=TOKEN_FORM).json()["expires_in"] == 42


def test_malformed_body_keeps_status_but_is_not_json(client, load):
    load("""
        behaviours:
          - operation: oauth.issue_token_v1
            fault: malformed_body
    """)
    response = client.post(TOKEN, data=TOKEN_FORM)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(response.content)


def test_connection_dropped_in_process_is_the_apis_500(client, load):
    load("""
        behaviours:
          - operation: oauth.issue_token_v1
            fault: connection_dropped
    """)
    response = client.post(TOKEN, data=TOKEN_FORM)
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}


def test_partial_errors_are_added_to_the_blendx_page(client, load):
    load("""
        behaviours:
          - operation: blendx.list_courses
            partial_errors:
              errors:
                - {course_id: "course-v1:A+B+C", error_type: structure_fetch_failed, error_message: timed out}
    """)
    body = client.get(BLENDX, headers=BLENDX_HEADERS).json()
    assert body["partial_errors"] == {"count": 1, "errors": [
        {"course_id": "course-v1:A+B+C", "error_type": "structure_fetch_failed", "error_message": "timed out"}]}
    assert "courses" in body


def test_later_loaded_behaviours_win(client, load):
    load("""
        behaviours:
          - operation: oauth.issue_token_v1
            respond: {status: 500}
    """)
    load("""
        behaviours:
          - operation: oauth.issue_token_v1
            respond: {status: 503}
    """, replace=False)
    assert client.post(TOKEN, data=TOKEN_FORM).status_code == 503


def test_sequence_counters_restart_with_a_reload(client, load):
    text = """
        behaviours:
          - operation: oauth.issue_token_v1
            sequence:
              - respond: {status: 500}
    """
    load(text)
    assert [client.post(TOKEN, data=TOKEN_FORM).status_code for _ in range(2)] == [500, 200]
    load(text)
    assert client.post(TOKEN, data=TOKEN_FORM).status_code == 500


@pytest.fixture(scope="module")
def live(app):
    with LiveServer(app) as server:
        yield server


@pytest.mark.parametrize("fault,message", [
    # The socket is aborted (RST): depending on timing the client sees a reset or a bare disconnect.
    ("connection_dropped", "without sending a response|Connection reset"),
    ("truncated_body", "without sending complete message body|Connection reset"),
])
def test_socket_faults_break_the_connection_for_a_real_client(app, live, fault, message):
    manager = app.runtime.scenarios
    manager.add_text(f"behaviours:\n  - operation: oauth.issue_token_v1\n    fault: {fault}\n", replace=True)
    try:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError), match=message):
            httpx.post(f"{live.url}{TOKEN}", data=TOKEN_FORM, timeout=5)
        # The server itself is fine: the next request without the fault answers.
        manager.clear()
        assert httpx.post(f"{live.url}{TOKEN}", data=TOKEN_FORM, timeout=5).status_code == 200
    finally:
        manager.clear()


# Every API, each called the way its clients call it: (operationId, method, path, headers, form).
FORCED_CALLS = {
    "catalog": ("catalog.list_catalogs", "GET", "/catalog/v1/catalogs/", "jwt", None),
    "enterprise": ("enterprise.list_enterprise_catalogs", "GET", "/enterprise/v1/enterprise-catalogs", "jwt", None),
    "blendx": ("blendx.list_courses", "GET", BLENDX, BLENDX_HEADERS, None),
    "blendx-detail": ("blendx.get_course", "GET", BLENDX_DETAIL, BLENDX_HEADERS, None),
    "search": ("search.course_discovery", "POST", "/search/course_discovery/", {}, {"search_string": "x"}),
    "oauth-gateway": ("oauth.issue_token_v1", "POST", TOKEN, {}, TOKEN_FORM),
    "oauth-lms": ("oauth.issue_token", "POST", "/oauth2/access_token", {}, TOKEN_FORM),
}
FORCED_STATUSES = (401, 403, 404, 429, 500, 503)


def _family_of(api: str, status: int, response) -> bool:
    """Whether `response` is in the error family of `api` for `status` (docs/architecture.md, "Error bodies")."""
    if api == "search" and status == 403:  # Django's CSRF page in front of the view (blendx.yaml)
        return response.headers["content-type"].startswith("text/html") and b"403" in response.content
    body = response.json()
    if api in ("catalog", "enterprise"):
        if status >= 500:  # the api.edx.org gateway's own
            return set(body) == {"message"}
        return set(body) == {"detail"}  # DRF, in the service behind the gateway
    if api.startswith("blendx"):
        return set(body) == {"message", "status"} and body["status"] == "failed"
    if api == "search":
        return set(body) == {"error"}
    return "error" in body or "message" in body  # oauth: the LMS's oauthlib errors, or the gateway's


@pytest.mark.parametrize("status", FORCED_STATUSES)
@pytest.mark.parametrize("api", sorted(FORCED_CALLS))
def test_a_forced_status_answers_with_its_apis_own_body_for_that_status(client, load, jwt_headers, api, status):
    operation, method, path, headers, form = FORCED_CALLS[api]
    load(f"behaviours:\n  - operation: {operation}\n    respond: {{status: {status}}}\n")
    response = client.request(method, path, headers=jwt_headers if headers == "jwt" else headers, data=form)
    assert response.status_code == status
    assert _family_of(api, status, response), response.text
    if status == 401 and api in ("catalog", "enterprise"):
        assert response.headers["www-authenticate"] == 'JWT realm="api"'
        assert response.json() == {"detail": "Authentication credentials were not provided."}
    if status == 429:
        assert response.headers["retry-after"].isdigit()
