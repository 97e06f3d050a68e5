"""Fixtures of the contract runner's tests: the mini API served clean and drifted, and a request recorder."""

from __future__ import annotations

import pytest

from .apps import mini
from .apps.drift import DriftMiddleware
from .apps.server import serve


class RecordingMiddleware:
    """Remembers the method and path of every request the wrapped app receives."""

    def __init__(self, app) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            self.seen.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def clean_target():
    """Base URL and request log of the conforming mini API."""
    app = RecordingMiddleware(mini.create_app())
    with serve(app) as url:
        yield url, app.seen


@pytest.fixture(scope="module")
def drifted_target():
    """Base URL of the mini API wrapped in every drift."""
    with serve(DriftMiddleware(mini.create_app())) as url:
        yield url
