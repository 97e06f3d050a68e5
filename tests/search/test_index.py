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


TEXTS = ["python", "health data", '"machine learning"', "energy -solar", "finance OR law", "musci theory", "climat",
         "the", "", "-python", "learn*", "prog", 'a "b', "ción"]


def answers(app) -> list[bytes]:
    """Every backend's answer to texts of every kind, with and without a filter and paging."""
    import dataclasses

    client = TestClient(app)
    out = []
    for backend in ("elasticsearch", "meilisearch"):
        app.runtime.snapshot = dataclasses.replace(app.runtime.snapshot, search_backend=backend)
        for text in TEXTS:
            for form in ({"search_string": text}, {"search_string": text, "org": "MITx", "page_size": "5",
                                                    "page_index": "1"}):
                response = client.post("/search/course_discovery/", data=form)
                out.append(f"{backend} {form} {response.status_code}".encode() + response.content)
    return out


def test_an_index_written_in_batches_on_disk_answers_as_one_written_in_memory(monkeypatch, tmp_path, caplog):
    """A large world's index (batches, merged, memory-mapped from a directory removed at once) and a small
    world's (one batch, in memory) hold the same documents in the same order: same bytes, scores included."""
    import tempfile

    import mockserver.search.index as search_index

    in_memory = answers(create_app(Settings(size="default", clock=DEFAULT_TEST_CLOCK)))
    monkeypatch.setattr(search_index, "WARM_FROM", 0)  # the default world's index is now built as a large one's
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    app = create_app(Settings(size="default", clock=DEFAULT_TEST_CLOCK))
    assert ready(app.runtime.world)
    assert search_index.index_of(app.runtime.world).searcher.num_segments == 1
    assert list(tmp_path.iterdir()) == []  # nothing left on disk
    assert answers(app) == in_memory
    # A merge that leaves two segments (9 batches: tantivy merges 8) is written again in one batch.
    monkeypatch.setattr(search_index, "BATCHES", 9)
    app = create_app(Settings(size="default", clock=DEFAULT_TEST_CLOCK))
    assert "2 segments after the merge; writing it in one batch" in caplog.text
    assert search_index.index_of(app.runtime.world).searcher.num_segments == 1
    assert list(tmp_path.iterdir()) == []
    assert answers(app) == in_memory


def test_without_a_writable_temporary_directory_a_large_worlds_index_is_kept_in_memory(monkeypatch, tmp_path,
                                                                                      caplog):
    import tempfile

    import mockserver.search.index as search_index

    in_memory = answers(create_app(Settings(size="default", clock=DEFAULT_TEST_CLOCK)))
    monkeypatch.setattr(search_index, "WARM_FROM", 0)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    app = create_app(Settings(size="default", clock=DEFAULT_TEST_CLOCK))
    assert "search index kept in memory" in caplog.text
    assert ready(app.runtime.world)
    assert answers(app) == in_memory
