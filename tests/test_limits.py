"""The bounded readers of mockserver/limits.py, through the app: a body cut short by the client is never acted on."""

from __future__ import annotations

import asyncio

from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK

SCENARIO = (b"name: two-faults\nbehaviours:\n  - operation: catalog.list_catalogs\n    respond: {status: 503}\n"
            b"  - operation: catalog.get_catalog\n    respond: {status: 500}\n")
FIRST_BEHAVIOUR_ONLY = SCENARIO.index(b"  - operation: catalog.get_catalog")  # still a valid scenario


def call(app, method: str, path: str, headers: list, parts: list[bytes]) -> list[dict]:
    """One ASGI request whose client sends `parts` (more to come after each) and then goes away."""
    messages = [{"type": "http.request", "body": part, "more_body": True} for part in parts]
    sent: list[dict] = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"localhost"), *headers], "client": ("127.0.0.1", 50000),
             "server": ("127.0.0.1", 80)}
    asyncio.run(app(scope, receive, send))
    return sent


def test_a_scenario_upload_cut_short_loads_nothing():
    app = create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small"))
    headers = [(b"content-type", b"application/yaml"), (b"content-length", str(len(SCENARIO)).encode())]
    sent = call(app, "POST", "/__admin/scenarios", headers, [SCENARIO[:FIRST_BEHAVIOUR_ONLY]])
    assert app.runtime.snapshot.scenarios == (), "half a scenario was loaded"
    assert sent[0]["status"] == 400
    with TestClient(app, base_url="http://localhost") as client:  # and the whole file still loads
        assert client.post("/__admin/scenarios", content=SCENARIO,
                           headers={"content-type": "application/yaml"}).status_code == 200
    assert app.runtime.snapshot.scenarios == ("two-faults",)
