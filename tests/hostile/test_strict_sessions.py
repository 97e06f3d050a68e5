"""Strict auth everywhere: a BlendX `sessionid` the mock did not issue is refused in strict mode; the ones it
issued and the ones a scenario lists pass; permissive mode keeps taking any non-empty one (a deviation)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.auth import issue_session
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK

COURSES = "/blendxapi/discovery/courses/"
UNAUTHORIZED = {"message": "Unauthorized", "status": "failed"}


def client_for(mode: str) -> tuple:
    app = create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", auth_mode=mode))
    return app, TestClient(app, base_url="http://localhost")


def status(client, sessionid: str) -> int:
    client.cookies.clear()
    return client.get(COURSES, cookies={"sessionid": sessionid}).status_code


def test_strict_mode_refuses_sessions_the_mock_did_not_issue():
    app, client = client_for("strict")
    issued = issue_session(app.runtime.auth)
    assert status(client, issued) == 200
    for forged in ("anything", "contract-probe-never-issued-0f3c9a", issued[:-1] + ("1" if issued.endswith("0") else "0"), "x." + issued.split(".")[1],
                   issued.split(".")[0] + ".", " "):
        client.cookies.clear()
        response = client.get(COURSES, cookies={"sessionid": forged})
        assert response.status_code == 401, forged
        assert response.json() == UNAUTHORIZED


def test_a_session_signed_with_another_key_is_refused():
    app, client = client_for("strict")
    other = create_app(Settings(size="small", clock=DEFAULT_TEST_CLOCK, jwt_secret="another-key"))
    assert status(client, issue_session(other.runtime.auth)) == 401


def test_a_scenario_lists_valid_sessions():
    _, client = client_for("strict")
    assert status(client, "qa-alice") == 401
    scenario = "auth:\n  sessions: [qa-alice, qa-bob]\n"
    assert client.post("/__admin/scenarios", content=scenario, headers={"content-type": "application/yaml"},
                       params={"replace": "true"}).status_code == 200
    assert status(client, "qa-alice") == 200 and status(client, "qa-bob") == 200
    assert status(client, "qa-carol") == 401


@pytest.mark.parametrize("value", ["anything", "contract-probe-never-issued-0f3c9a"])
def test_permissive_mode_takes_any_non_empty_session(value):
    _, client = client_for("permissive")
    assert status(client, value) == 200


def test_the_banner_prints_a_session_strict_mode_accepts():
    from mockserver.cli import banner

    settings = Settings(size="small", clock=DEFAULT_TEST_CLOCK, auth_mode="strict")
    app = create_app(settings)
    line = next(line for line in banner(settings, app).splitlines() if "sessionid=" in line)
    with TestClient(app, base_url="http://localhost") as client:
        assert status(client, line.split("sessionid=")[1].strip()) == 200
