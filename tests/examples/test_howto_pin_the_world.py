"""How to: pin the world (seed, clock, size) for fully repeatable tests.

Build an app with explicit settings (or override the `mockserver_settings` fixture in your conftest.py).
The same seed and clock always give the same bytes.
"""

from datetime import datetime, timezone

from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import token_for


def test_same_seed_and_clock_same_bytes():
    settings = Settings(seed=42, clock=datetime(2026, 6, 1, tzinfo=timezone.utc), size="small")
    bodies = []
    for _ in range(2):
        app = create_app(settings)
        with TestClient(app) as client:
            headers = {"Authorization": f"JWT {token_for(app)}"}
            bodies.append(client.get("/catalog/v1/catalogs/1/courses/", headers=headers).content)
    assert bodies[0] == bodies[1]


def test_another_seed_another_world():
    clock = datetime(2026, 6, 1, tzinfo=timezone.utc)
    titles = []
    for seed in (1, 2):
        app = create_app(Settings(seed=seed, clock=clock, size="small"))
        with TestClient(app) as client:
            body = client.get("/blendxapi/discovery/courses/?limit=100", headers={"actionsecret": "your_secret"}).json()
            titles.append({c["display_name"] for c in body["courses"]})
    assert titles[0] != titles[1]
