"""pytest plugin: the mock inside your own test suite (registered as the `mockserver` pytest11 plugin).

Fixtures, in the pytest-httpserver style:

- `mockserver_settings` — the `Settings` the fixtures build from (override it in your conftest to change the
  seed, clock, size or scenarios);
- `mockserver_app` — the ASGI app, built once per session;
- `mockserver_client` — an in-process HTTP client (starlette TestClient) on that app; the journal is cleared
  before and after each test;
- `mockserver_server` — a real server on 127.0.0.1 on a free port, in a background thread, for clients that
  need a socket (`mockserver_server.url`);
- `mockserver_token` — a valid JWT for the edX routes (`Authorization: JWT <token>`).

`dump_journal(app, path)` writes what the mock was asked, for `mockserver contract --requests path`.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from mockserver.settings import Settings

DEFAULT_TEST_CLOCK = datetime(2026, 1, 15, tzinfo=timezone.utc)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A uvicorn server in a thread; `url` is its base URL."""

    app: object
    host: str = "127.0.0.1"
    port: int = 0

    def __post_init__(self):
        import uvicorn

        self.port = self.port or free_port(self.host)
        config = uvicorn.Config(self.app, host=self.host, port=self.port, log_level="warning", access_log=False,
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"mockserver:{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"mockserver did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def token_for(app, client_id: str = "pytest") -> str:
    """A JWT the app accepts (signed with its key, so strict mode takes it too)."""
    from mockserver.auth import issue_token

    return issue_token(app.runtime.auth, client_id, "", "http://testserver/oauth2")["access_token"]


def dump_journal(app, path) -> None:
    """Write `app`'s journal as `GET /__admin/requests` exports it (credentials already redacted), oldest first:
    `mockserver contract --requests <path> --base-url <staging>` replays it to say whether each call still works."""
    import json
    from pathlib import Path

    entries = [entry.as_dict() for entry in app.runtime.journal.entries()]
    Path(path).write_text(json.dumps({"format": "mockserver-journal/1", "total": len(entries), "requests": entries},
                                     indent=1), encoding="utf-8")


@pytest.fixture(scope="session")
def mockserver_settings() -> Settings:
    return Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="default")


@pytest.fixture(scope="session")
def mockserver_app(mockserver_settings):
    from mockserver.app import create_app

    # The in-process client calls the app as http://testserver (as Django's test client does); the admin
    # API's Host check accepts that name for these fixtures only (docs/security.md).
    hosts = (*mockserver_settings.allowed_hosts, "testserver")
    return create_app(mockserver_settings.replace(allowed_hosts=hosts))


@pytest.fixture
def mockserver_client(mockserver_app):
    from starlette.testclient import TestClient

    mockserver_app.runtime.journal.clear()
    with TestClient(mockserver_app, base_url="http://testserver", follow_redirects=False) as client:
        yield client
    mockserver_app.runtime.journal.clear()


@pytest.fixture(scope="session")
def mockserver_server(mockserver_app):
    with LiveServer(mockserver_app) as server:
        yield server


@pytest.fixture(scope="session")
def mockserver_token(mockserver_app) -> str:
    return token_for(mockserver_app)
