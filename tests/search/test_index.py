"""When a world's search index exists (`mockserver.search.index`): a large world's is ready when the world is.

The index of a world of `WARM_FROM` documents or more is built with the world (start-up, a scenario reload's
thread), so no search ever waits for it; a small world's is built by its first search.
"""

from __future__ import annotations

from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.search.index import WARM_FROM, ready
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK

# Courses have one or two runs each and every run is a document: this many courses is over WARM_FROM.
LARGE = WARM_FROM // 2 + 500


def test_a_large_worlds_index_is_ready_when_the_app_is():
    app = create_app(Settings(size=LARGE, clock=DEFAULT_TEST_CLOCK))
    world = app.runtime.world
    assert len(world.runs) >= WARM_FROM
    assert ready(world)


def test_a_reloaded_large_world_serves_with_its_index_built():
    app = create_app(Settings(size=LARGE, clock=DEFAULT_TEST_CLOCK))
    before = app.runtime.world
    client = TestClient(app, base_url="http://localhost")
    response = client.post("/__admin/scenarios", content="name: renamed\nrecords:\n  courses:\n    edX+DemoX:\n"
                           "      title: Renamed\n", headers={"Content-Type": "application/yaml"})
    assert response.status_code == 200, response.text
    assert app.runtime.world is not before and ready(app.runtime.world)
    assert client.post("/search/course_discovery/", data={"search_string": "python"}).status_code == 200


def test_a_small_worlds_index_waits_for_its_first_search():
    app = create_app(Settings(size="small", clock=DEFAULT_TEST_CLOCK))
    assert not ready(app.runtime.world)
    TestClient(app).post("/search/course_discovery/", data={"search_string": "python"})
    assert ready(app.runtime.world)
