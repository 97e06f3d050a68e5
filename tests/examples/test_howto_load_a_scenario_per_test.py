"""How to: give one test its own data, and check what your code called.

`mockserver_scenario` (fixture) and `@pytest.mark.mockserver_scenario` (marker) load scenarios for one test
and put the world back afterwards, like WireMock's per-test stubs. `mockserver_journal.assert_called(...)`
checks what the client under test sent, like pytest-httpserver's `assert_request_made` or WireMock's
`verify`, and explains what it saw when nothing matched.
"""

import pytest

EMPTY_BLENDX = """
name: no-blendx-courses
behaviours:
  - operation: blendx.list_courses
    respond:
      status: 200
      body: {courses: [], total_count: 0, has_more: false, limit: 8, page: 1, offset: 0}
"""


def my_client_lists_courses(http):
    """Stands in for the code under test: it lists BlendX courses."""
    response = http.get("/blendxapi/discovery/courses/", params={"limit": 8, "page": 1},
                        headers={"actionsecret": "your_secret"})
    response.raise_for_status()
    return response.json()["courses"]


def test_a_scenario_for_this_test_only(mockserver_client, mockserver_scenario):
    mockserver_scenario(EMPTY_BLENDX)  # YAML text; a shipped name ("empty-results") or a file path work too
    assert my_client_lists_courses(mockserver_client) == []


def test_the_next_test_sees_the_default_world_again(mockserver_client):
    assert my_client_lists_courses(mockserver_client) != []


@pytest.mark.mockserver_scenario("empty-results")  # a scenario shipped with the package, by name
def test_with_the_marker(mockserver_client, mockserver_token):
    response = mockserver_client.get("/catalog/v1/catalogs/", headers={"Authorization": f"JWT {mockserver_token}"})
    assert response.status_code == 200


def test_verify_what_the_client_called(mockserver_client, mockserver_journal):
    my_client_lists_courses(mockserver_client)
    mockserver_journal.assert_called(method="GET", path="/blendxapi/discovery/courses/",
                                     operation_id="blendx.list_courses", query={"limit": 8}, times=1)
    mockserver_journal.assert_not_called(path="/search/course_discovery/")


def test_a_failed_verification_says_what_was_called(mockserver_client, mockserver_journal):
    my_client_lists_courses(mockserver_client)
    with pytest.raises(AssertionError) as failure:
        mockserver_journal.assert_called(path="/blendxapi/discovery/courses/", query={"limit": 20})
    report = str(failure.value)
    assert "found 0" in report
    assert "GET /blendxapi/discovery/courses/?limit=8&page=1 -> 200 (blendx.list_courses)" in report
    assert "query limit='8' != limit=20" in report
