"""Fixtures of the contract tests: the real mock served on 127.0.0.1, clean and drifted.

- `clean_mock`: `create_app(Settings())`, the default settings a user gets from `mockserver serve`;
- `drifted_mock`: a small world in strict auth mode (so a wrong client secret is refused) wrapped in every
  drift of `apps/drift.py`.
Both record what they receive, so tests can check what the runner sent and which JWT it used.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK, LiveServer

from .apps.drift import DriftMiddleware

CLIENT_ID = "contract-tests"
CLIENT_SECRET = "contract-client-secret-7f3a9c"
ACTION_SECRET = "contract-action-secret-91b2e4"


def small_settings(**changes) -> Settings:
    """A small, fixed world that only knows our test client: quick to build, strict like a real deployment."""
    values = dict(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", auth_mode="strict",
                  clients=((CLIENT_ID, CLIENT_SECRET),), action_secret=ACTION_SECRET)
    values.update(changes)
    return Settings(**values)


class RecordingMiddleware:
    """Remembers the method, path and headers of every request the wrapped app receives."""

    def __init__(self, app) -> None:
        self.app = app
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            self.seen.append((scope["method"], scope["path"], headers))
        await self.app(scope, receive, send)


@dataclass
class Target:
    url: str
    recorder: RecordingMiddleware
    settings: Settings


@pytest.fixture(scope="session")
def clean_mock():
    settings = Settings()
    recorder = RecordingMiddleware(create_app(settings))
    with LiveServer(recorder) as server:
        yield Target(server.url, recorder, settings)


@pytest.fixture(scope="session")
def drifted_mock():
    settings = small_settings()
    recorder = RecordingMiddleware(DriftMiddleware(create_app(settings)))
    with LiveServer(recorder) as server:
        yield Target(server.url, recorder, settings)

