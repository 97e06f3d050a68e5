"""Fixtures for the scenario tests: an app per module, and loading YAML into it through the admin API."""

from __future__ import annotations

import textwrap

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.testing import DEFAULT_TEST_CLOCK, token_for
from mockserver.settings import Settings



@pytest.fixture(scope="module")
def app():
    return create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", allowed_hosts=("testserver",)))


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c
    c.delete("/__admin/scenarios")
    app.runtime.journal.clear()


@pytest.fixture
def load(client):
    """Replace the loaded scenarios with this YAML (dedented); fails the test on a refusal."""

    def _load(text: str, *, replace: bool = True) -> dict:
        response = client.post("/__admin/scenarios", content=textwrap.dedent(text),
                               headers={"content-type": "application/yaml"},
                               params={"replace": "true" if replace else "false"})
        assert response.status_code == 200, response.text
        return response.json()

    return _load


@pytest.fixture
def jwt_headers(app):
    return {"Authorization": f"JWT {token_for(app)}"}
