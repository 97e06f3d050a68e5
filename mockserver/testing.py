"""pytest plugin: the mock inside your own test suite (registered as the `mockserver` pytest11 plugin).

Fixtures, in the pytest-httpserver style:

- `mockserver_settings` — the `Settings` the fixtures build from (override it in your conftest to change the
  seed, clock, size or scenarios);
- `mockserver_app` — the ASGI app, built once per session;
- `mockserver_client` — an in-process HTTP client (starlette TestClient) on that app; the journal is cleared
  before and after each test;
- `mockserver_server` — a real server on 127.0.0.1 on a free port, in a background thread, for clients that
  need a socket (`mockserver_server.url`);
- `mockserver_token` — a valid JWT for the edX routes (`Authorization: JWT <token>`);
- `mockserver_scenario` — loads scenarios (a shipped name, a file, YAML text) for one test, and resets the
  world after it; `@pytest.mark.mockserver_scenario(...)` does the same as a marker;
- `mockserver_journal` — a `RequestLog` of the test's requests: `assert_called(...)` / `assert_not_called(...)`
  verify what the client under test sent, with a readable account of every request when nothing matched.
  `mockserver_journal.dump(path)` writes the test's requests for `mockserver contract --requests path`
  (`dump_journal(app, path)` does it for any app).
"""

from __future__ import annotations

import socket
import textwrap
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from mockserver.settings import Settings

DEFAULT_TEST_CLOCK = datetime(2026, 1, 15, tzinfo=timezone.utc)

DEPENDENCY_WARNINGS = (
    # connexion 3.3 imports starlette's test client (built on httpx) and jsonschema's RefResolver API on
    # import; those are its authors' to move off, and say nothing about the suite using the mock.
    r"ignore:Using `httpx` with `starlette\.testclient` is deprecated",
    r"ignore:jsonschema\.RefResolver is deprecated:DeprecationWarning",
    r"ignore:jsonschema\.exceptions\.RefResolutionError is deprecated:DeprecationWarning",
)
"""Warning filters the plugin adds to every suite that uses it (exactly these messages, nothing broader)."""


def pytest_configure(config) -> None:
    for line in DEPENDENCY_WARNINGS:
        config.addinivalue_line("filterwarnings", line)
    config.addinivalue_line("markers", "mockserver_scenario(*sources): load these scenarios (shipped names, files "
                                       "relative to the test file, YAML text) for this test only")


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
                                lifespan="on", proxy_headers=False)  # as `mockserver serve` defaults
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
    _write_journal(app.runtime.journal, path)


def _write_journal(journal, path) -> None:
    import json
    from pathlib import Path

    entries = [entry.as_dict() for entry in journal.entries()]
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


# -- per-test scenarios -------------------------------------------------------------------------------------

class ScenarioLoader:
    """Loads scenarios into the session's app for one test; the fixture resets the world after it.

    Each source is the name of a scenario shipped with the package (`"empty-results"`), a path to a YAML file
    (relative to the test file's directory), or YAML text (anything with a newline). A refused scenario
    raises `ScenarioError`, with every problem, and leaves the world as it was.
    """

    def __init__(self, app, base_dir: Path):
        from mockserver.scenarios.manager import manager_of

        self.manager = manager_of(app.runtime)
        self.base_dir = base_dir
        self.used = False

    def path_of(self, source) -> Path:
        from mockserver.resources import SCENARIOS_DIR

        text = str(source)
        if isinstance(source, str) and "/" not in text and not text.endswith((".yaml", ".yml")):
            return SCENARIOS_DIR / f"{text}.yaml"
        path = Path(source)
        return path if path.is_absolute() else self.base_dir / path

    def __call__(self, *sources, replace: bool = False):
        self.used = True
        for index, source in enumerate(sources):
            replacing = replace and index == 0
            if isinstance(source, str) and "\n" in source:
                self.manager.add_text(textwrap.dedent(source), name="test", replace=replacing)
            else:
                self.manager.add_paths([self.path_of(source)], replace=replacing)
        return self.manager.describe()

    def restore(self) -> None:
        if self.used:
            self.manager.reset()


@pytest.fixture
def mockserver_scenario(mockserver_app, request):
    """Load scenarios for this test only: `mockserver_scenario("empty-results", "my.yaml", "<yaml text>")`.

    After the test the world is reset to how the app started (its `mockserver_settings` scenarios), as
    WireMock drops a test's stubs. The `@pytest.mark.mockserver_scenario(...)` marker does the same.
    """
    loader = ScenarioLoader(mockserver_app, Path(str(request.path)).parent)
    try:
        yield loader
    finally:
        loader.restore()


@pytest.fixture(autouse=True)
def _mockserver_scenario_marker(request):
    marker = request.node.get_closest_marker("mockserver_scenario")
    if marker is not None:
        request.getfixturevalue("mockserver_scenario")(*marker.args, **marker.kwargs)


# -- verifying what the code under test called -------------------------------------------------------------

_MATCH_FIELDS = ("method", "path", "operation_id", "status")


class RequestLog:
    """The journal of the session's app, for asserting what the client under test called.

    `assert_called(...)` is pytest-httpserver's `assert_request_made` / WireMock's `verify`: it passes when
    requests match (`times=N`: exactly N of them) and otherwise fails with every journaled request and how
    each differs from what was expected. Criteria: `method`, `path`, `operation_id`, `status` (equal), `query`
    (a dict: these parameters with these values, others allowed), `headers` (a dict, names any case;
    credentials are journaled as `[redacted]`).
    """

    def __init__(self, journal):
        self.journal = journal

    def requests(self, **criteria) -> list:
        return [entry for entry in self.journal.entries() if not self._differences(entry, criteria)]

    def assert_called(self, *, times: int | None = None, **criteria) -> list:
        found = self.requests(**criteria)
        if (times is None and not found) or (times is not None and len(found) != times):
            wanted = "no" if times == 0 else ("at least one" if times is None else f"exactly {times}")
            raise AssertionError(self._report(f"expected {wanted} request(s) matching {self._describe(criteria)}, "
                                              f"found {len(found)}", criteria))
        return found

    def assert_not_called(self, **criteria) -> None:
        self.assert_called(times=0, **criteria)

    def clear(self) -> None:
        self.journal.clear()

    def dump(self, path) -> None:
        """Write these requests for `mockserver contract --requests path` (see `dump_journal`)."""
        _write_journal(self.journal, path)

    @staticmethod
    def _differences(entry, criteria: dict) -> list[str]:
        out = []
        for name in _MATCH_FIELDS:
            if name in criteria:
                want = criteria[name].upper() if name == "method" else criteria[name]
                if getattr(entry, name) != want:
                    out.append(f"{name} {getattr(entry, name)!r} != {want!r}")
        if "query" in criteria:
            sent = parse_qs(entry.query, keep_blank_values=True)
            for key, value in criteria["query"].items():
                got = sent.get(key)
                if got is None or str(value) not in got:
                    out.append(f"query {key}={got[0] if got and len(got) == 1 else got!r} != {key}={value}")
        for key, value in (criteria.get("headers") or {}).items():
            got = entry.headers.get(key.lower())
            if got != value:
                out.append(f"header {key}: {got!r} != {value!r}")
        return out

    @staticmethod
    def _describe(criteria: dict) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in criteria.items()) or "anything"

    def _report(self, headline: str, criteria: dict) -> str:
        entries = self.journal.entries()
        lines = [headline, f"the journal has {len(entries)} request(s):" if entries else "the journal is empty"]
        for entry in entries:
            target = entry.path + (f"?{entry.query}" if entry.query else "")
            diff = self._differences(entry, criteria)
            lines.append(f"  {entry.method} {target} -> {entry.status} ({entry.operation_id or 'no operation'})"
                         + (f"\n      differs: {'; '.join(diff)}" if diff else "\n      matches"))
        return "\n".join(lines)


@pytest.fixture
def mockserver_journal(mockserver_app):
    """A `RequestLog` of this test's requests (the journal is cleared before the test)."""
    mockserver_app.runtime.journal.clear()
    return RequestLog(mockserver_app.runtime.journal)
