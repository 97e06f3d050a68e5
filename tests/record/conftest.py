"""Fixtures of the recorder tests: live "staging" stand-ins to record from.

- `staging`: the mock with seed 7 (a world unlike the seed-1 world the recording is served on), small and at a
  fixed clock, behind a middleware that keeps every request and answer the recorder caused;
- `odd_staging`: the same, behind a middleware that adds a field no entity models to every discovery course
  and turns one enterprise content item into a `content_type` the mock does not know.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import pytest

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK, LiveServer


@pytest.fixture(autouse=True, scope="session")
def own_salt_directory(tmp_path_factory):
    """Recordings made without --salt use the user's own salt file: the tests keep theirs in a directory of
    their own (child processes inherit the variable), never in the real ~/.config."""
    before = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))
    yield
    if before is None:
        os.environ.pop("XDG_CONFIG_HOME", None)
    else:
        os.environ["XDG_CONFIG_HOME"] = before


ACTION_SECRET = "staging-action-secret-5d1f"
CLOCK = DEFAULT_TEST_CLOCK.date().isoformat()
UNMODELLED = "x_staging_only"
ODD_CONTENT_TYPE = "learnerpathway"


def staging_settings() -> Settings:
    return Settings(seed=7, clock=DEFAULT_TEST_CLOCK, size="small", action_secret=ACTION_SECRET)


def jwt_headers(url: str) -> dict[str, str]:
    """The `Authorization` header of a client that took its token through `url` (a recording proxy, a target)."""
    import httpx

    token = httpx.post(f"{url}/oauth2/v1/access_token", data={
        "grant_type": "client_credentials", "client_id": "qa", "client_secret": "s", "token_type": "jwt"})
    return {"Authorization": f"JWT {token.json()['access_token']}"}


@dataclass
class Seen:
    method: str
    path: str
    query: str
    body: bytes
    status: int = 0
    response: bytes = b""


class Capture:
    """Keeps every request (method, path, query, body) and the answer's status and body."""

    def __init__(self, app) -> None:
        self.app = app
        self.seen: list[Seen] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        chunks = []

        async def receive_and_keep():
            message = await receive()
            chunks.append(message.get("body", b""))
            return message

        item = Seen(scope["method"], scope["path"], scope["query_string"].decode(), b"")
        self.seen.append(item)

        async def send_and_keep(message):
            if message["type"] == "http.response.start":
                item.status = message["status"]
            elif message["type"] == "http.response.body":
                item.response += message.get("body", b"")
            await send(message)

        await self.app(scope, receive_and_keep, send_and_keep)
        item.body = b"".join(chunks)


class Odd:
    """A deployment that returns more than the mock models (rewrites JSON answers, fixes Content-Length)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, body = {}, []

        async def hold(message):
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                body.append(message.get("body", b""))

        await self.app(scope, receive, hold)
        content = b"".join(body)
        path = scope["path"]
        if start.get("status") == 200 and content[:1] == b"{":
            data = json.loads(content)
            if path.endswith("/courses/") and path.startswith("/catalog/"):
                for course in data.get("results") or []:
                    course[UNMODELLED] = "only on staging"
            if path.startswith("/enterprise/v2/enterprise-catalogs/") and path.count("/") == 4 and data.get("results"):
                data["results"][-1]["content_type"] = ODD_CONTENT_TYPE
            content = json.dumps(data).encode()
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(content)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": content})


@dataclass
class Target:
    url: str
    app: object
    capture: Capture | None = None
    settings: Settings = field(default_factory=staging_settings)


@pytest.fixture(scope="session")
def staging():
    app = create_app(staging_settings())
    capture = Capture(app)
    with LiveServer(capture) as server:
        yield Target(server.url, app, capture)


@pytest.fixture(scope="session")
def odd_staging():
    app = create_app(staging_settings())
    with LiveServer(Odd(app)) as server:
        yield Target(server.url, app)
