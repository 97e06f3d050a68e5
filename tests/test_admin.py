"""The /__admin/ API: health, scenarios (list, load YAML or a path, refuse with problems, clear, reload),
the request journal (filters, count, clear) and reset."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK

TOKEN = "/oauth2/v1/access_token"
FORM = {"grant_type": "client_credentials", "client_id": "admin-test"}
FLAKY = "behaviours:\n  - operation: oauth.issue_token_v1\n    respond: {status: 503}\n"


@pytest.fixture(scope="module")
def startup_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("admin") / "startup.yaml"
    path.write_text("name: startup\nbehaviours:\n  - operation: oauth.issue_token_v1\n    name: teapot\n"
                    "    respond: {status: 418, body: {error: teapot}}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def app(startup_file):
    # The admin API may load files from the startup file's directory (the default scenario dirs).
    return create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", scenarios=(startup_file,)))


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://localhost:8000") as c:
        c.post("/__admin/reset")
        yield c


def test_health(client):
    body = client.get("/__admin/health").json()
    assert body["status"] == "ok" and body["world"] is True
    assert body["scenarios"] == ["startup"]


def test_scenarios_lists_what_is_loaded_with_behaviours_and_call_counts(client):
    client.post(TOKEN, data=FORM, headers={"X-Mock-Behaviour": "teapot"})
    body = client.get("/__admin/scenarios").json()
    assert [s["name"] for s in body["loaded"]] == ["startup"]
    assert body["behaviours"][0]["name"] == "teapot" and body["behaviours"][0]["calls"] == 1
    assert body["last_error"] is None


def test_load_yaml_body_on_top_then_clear(client):
    response = client.post("/__admin/scenarios", content=FLAKY, headers={"content-type": "application/yaml"},
                           params={"name": "flaky"})
    assert response.status_code == 200
    assert [s["name"] for s in response.json()["loaded"]] == ["startup", "posted"]
    assert client.post(TOKEN, data=FORM).status_code == 503
    assert client.delete("/__admin/scenarios").status_code == 200
    assert client.get("/__admin/health").json()["scenarios"] == []
    assert client.post(TOKEN, data=FORM).status_code == 200


def test_load_by_path_with_replace(client, startup_file):
    path = startup_file.parent / "by-path.yaml"
    path.write_text(FLAKY, encoding="utf-8")
    response = client.post("/__admin/scenarios", json={"path": str(path), "replace": True})
    assert response.status_code == 200
    assert [s["name"] for s in response.json()["loaded"]] == ["by-path"]
    assert client.post(TOKEN, data=FORM, headers={"X-Mock-Behaviour": "teapot"}).status_code == 503


def test_a_refused_load_answers_422_with_every_problem_and_keeps_the_world(client):
    before = client.get("/__admin/health").json()["generation"]
    response = client.post("/__admin/scenarios", content="seed: x\nbehaviours:\n  - operation: nope\n    latency: 1\n",
                           headers={"content-type": "application/yaml"})
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [(p["line"], p["field"]) for p in problems] == [(1, "seed"), (3, "behaviours[0].operation")]
    assert client.get("/__admin/health").json()["generation"] == before
    assert client.get("/__admin/scenarios").json()["last_error"]["problems"] == problems
    assert client.post(TOKEN, data=FORM, headers={"X-Mock-Behaviour": "teapot"}).status_code == 418


def test_load_rejects_bad_requests(client):
    assert client.post("/__admin/scenarios", json={"nothing": 1}).status_code == 400
    assert client.post("/__admin/scenarios", content=b"{", headers={"content-type": "application/json"}).status_code == 400
    assert client.post("/__admin/scenarios", content=b"x", headers={"content-type": "image/png"}).status_code == 415
    missing = client.post("/__admin/scenarios", json={"path": "/nonexistent/scenario.yaml"})
    assert missing.status_code == 403 and "scenario directories" in missing.json()["error"]


def test_reload_rereads_the_files(client, startup_file):
    original = startup_file.read_text(encoding="utf-8")
    try:
        startup_file.write_text(original.replace("418", "451"), encoding="utf-8")
        assert client.post("/__admin/scenarios/reload").status_code == 200
        assert client.post(TOKEN, data=FORM, headers={"X-Mock-Behaviour": "teapot"}).status_code == 451
    finally:
        startup_file.write_text(original, encoding="utf-8")


def test_journal_filters_counts_and_clears(client):
    client.delete("/__admin/requests")
    client.post(TOKEN, data=FORM)
    client.post(TOKEN, data=FORM, headers={"X-Mock-Behaviour": "teapot"})
    client.get("/blendxapi/discovery/courses/", headers={"actionsecret": "your_secret"})
    everything = client.get("/__admin/requests").json()
    assert everything["total"] == 3
    assert all(not r["path"].startswith("/__admin") for r in everything["requests"])
    teapots = client.get("/__admin/requests", params={"status": 418}).json()["requests"]
    assert [(r["method"], r["operation_id"]) for r in teapots] == [("POST", "oauth.issue_token_v1")]
    assert client.get("/__admin/requests/count", params={"operation_id": "oauth.issue_token_v1"}).json() == {"count": 2}
    assert client.get("/__admin/requests/count", params={"method": "get", "path": "/blendxapi/discovery/courses/"}).json() == {"count": 1}
    assert len(client.get("/__admin/requests", params={"limit": 1}).json()["requests"]) == 1
    assert client.get("/__admin/requests", params={"status": "x"}).status_code == 400
    assert client.delete("/__admin/requests").status_code == 200
    assert client.get("/__admin/requests/count").json() == {"count": 0}


def test_journal_never_holds_credentials(client):
    client.get("/blendxapi/discovery/courses/", headers={"actionsecret": "your_secret"})
    entry = client.get("/__admin/requests").json()["requests"][-1]
    assert entry["headers"]["actionsecret"] == "[redacted]"


def test_reset_restores_the_startup_scenarios_and_clears_the_journal(client):
    client.post("/__admin/scenarios", content=FLAKY, headers={"content-type": "application/yaml"},
                params={"replace": "true"})
    client.post(TOKEN, data=FORM)
    response = client.post("/__admin/reset")
    assert response.status_code == 200
    assert [s["name"] for s in response.json()["loaded"]] == ["startup"]
    assert client.get("/__admin/requests/count").json() == {"count": 0}
    assert client.post(TOKEN, data=FORM).status_code == 200
