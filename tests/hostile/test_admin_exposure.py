"""Issue 8's admin findings, replayed: file reads for anyone, cross-site and DNS-rebinding requests,
`text/plain; charset=json`, a network bind without a token, oversized admin bodies, FIFOs and /dev/zero."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.cli import banner
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK, LiveServer

SECRET = "root:$6$very-secret-hash:19000:0:99999:7:::\napi_key: sk-live-1234567890\nport: not-a-number\n"
FLAKY = "behaviours:\n  - operation: oauth.issue_token_v1\n    respond: {status: 503}\n"
YAML = {"content-type": "application/yaml"}


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("exposure")
    allowed, outside = root / "allowed", root / "outside"
    allowed.mkdir()
    outside.mkdir()
    (outside / "secret.yaml").write_text(SECRET, encoding="utf-8")
    (allowed / "ok.yaml").write_text(FLAKY, encoding="utf-8")
    (allowed / "notes.txt").write_text(SECRET, encoding="utf-8")
    (allowed / "escape.yaml").symlink_to(outside / "secret.yaml")
    return allowed, outside


def make_client(settings: Settings, host: str = "localhost:8000") -> TestClient:
    return TestClient(create_app(settings), base_url=f"http://{host}")


@pytest.fixture(scope="module")
def app(dirs):
    allowed, _ = dirs
    return create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", scenario_dirs=(allowed,),
                               max_scenario_bytes=4096))


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://localhost:8000") as c:
        yield c
        c.delete("/__admin/scenarios")


def _no_leak(response, app) -> None:
    text = response.text + str(app.runtime.scenarios.describe())
    for fragment in ("very-secret-hash", "sk-live", "api_key", "root:", "not-a-number"):
        assert fragment not in text


@pytest.mark.parametrize("path", ["/etc/shadow", "/etc/passwd", "{outside}/secret.yaml", "{allowed}/escape.yaml",
                                  "{allowed}/notes.txt", "{allowed}/../outside/secret.yaml", "/nonexistent.yaml"])
def test_a_path_outside_the_scenario_dirs_is_refused_without_a_word_of_the_file(client, app, dirs, path, caplog):
    allowed, outside = dirs
    response = client.post("/__admin/scenarios", json={"path": path.format(allowed=allowed, outside=outside)})
    assert response.status_code == 403
    assert "scenario directories" in response.json()["error"]
    _no_leak(response, app)
    assert app.runtime.scenarios.describe()["last_error"] is None
    assert all("very-secret" not in r.getMessage() for r in caplog.records)


def test_a_yaml_file_inside_the_scenario_dirs_loads(client, dirs):
    allowed, _ = dirs
    response = client.post("/__admin/scenarios", json={"path": str(allowed / "ok.yaml"), "replace": True})
    assert response.status_code == 200, response.text
    assert client.post("/oauth2/v1/access_token", data={"grant_type": "client_credentials",
                                                         "client_id": "x"}).status_code == 503


def test_a_fifo_in_the_scenario_dir_is_refused_without_blocking_and_reset_still_works(client, dirs):
    allowed, _ = dirs
    fifo = allowed / "pipe.yaml"
    os.mkfifo(fifo)
    try:
        outcome = {}

        def load():
            outcome["response"] = client.post("/__admin/scenarios", json={"path": str(fifo)})

        worker = threading.Thread(target=load, daemon=True)
        worker.start()
        worker.join(timeout=20)
        assert not worker.is_alive(), "loading a FIFO blocked"
        response = outcome["response"]
        assert response.status_code == 422
        assert "not a regular file" in response.json()["problems"][0]["message"]
        assert client.post("/__admin/reset").status_code == 200
    finally:
        fifo.unlink()


def test_dev_zero_is_refused_before_opening_and_a_huge_file_is_refused(tmp_path):
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"# " + b"x" * 10_000 + b"\n")
    os.symlink("/dev/zero", tmp_path / "zero.yaml")
    settings = Settings(size="small", clock=DEFAULT_TEST_CLOCK, scenario_dirs=(tmp_path,), max_scenario_bytes=4096)
    with make_client(settings) as client:
        # zero.yaml resolves to /dev/zero: outside the directory, so it is never opened.
        assert client.post("/__admin/scenarios", json={"path": "/dev/zero"}).status_code == 403
        assert client.post("/__admin/scenarios", json={"path": str(tmp_path / "zero.yaml")}).status_code == 403
        response = client.post("/__admin/scenarios", json={"path": str(huge)})
        assert response.status_code == 422, response.text
        assert "larger than the limit of 4096 bytes" in response.json()["problems"][0]["message"]


def test_an_oversized_admin_body_is_413(client):
    body = "description: " + "x" * 5000 + "\n"
    response = client.post("/__admin/scenarios", content=body, headers=YAML)
    assert response.status_code == 413
    assert "4096 bytes" in response.json()["error"]


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain; charset=json", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/json-seq",
                                          "application/json; charset=latin-1"])
def test_cross_site_simple_content_types_cannot_change_state(client, content_type):
    before = client.get("/__admin/health").json()["generation"]
    response = client.post("/__admin/scenarios", content=b'{"path": "/etc/passwd"}',
                           headers={"content-type": content_type})
    assert response.status_code == 415
    assert client.post("/__admin/reset", content=b"x", headers={"content-type": content_type}).status_code == 415
    assert client.get("/__admin/health").json()["generation"] == before


def test_a_cross_site_origin_is_refused_and_the_servers_own_is_not(client):
    before = client.get("/__admin/health").json()["generation"]
    evil = client.post("/__admin/scenarios", content=FLAKY, headers={**YAML, "origin": "http://evil.example"})
    assert evil.status_code == 403
    assert client.post("/__admin/reset", headers={"origin": "null"}).status_code == 403
    assert client.get("/__admin/requests", headers={"origin": "http://evil.example"}).status_code == 403
    assert client.get("/__admin/health").json()["generation"] == before
    own = client.post("/__admin/scenarios", content=FLAKY, headers={**YAML, "origin": "http://localhost:8000"})
    assert own.status_code == 200


@pytest.mark.parametrize("origin", ["https://localhost:8000", "http://localhost:8001", "http://localhost",
                                    "http://127.0.0.1:8000", "http://localhost:8000.evil.example",
                                    "http://localhost:08000x", "ftp://localhost:8000"])
def test_an_origin_differing_in_scheme_port_or_host_is_refused(client, origin):
    before = client.get("/__admin/health").json()["generation"]
    assert client.post("/__admin/reset", headers={"origin": origin}).status_code == 403
    assert client.get("/__admin/health").json()["generation"] == before


@pytest.mark.parametrize("origin", ["http://localhost:8000", "HTTP://LocalHost:8000", "http://localhost:8000/"])
def test_the_servers_own_origin_is_accepted_however_it_is_spelled(client, origin):
    assert client.post("/__admin/reset", headers={"origin": origin}).status_code == 200


def test_a_default_port_matches_an_origin_without_one(app):
    with TestClient(app, base_url="http://localhost") as client:
        assert client.post("/__admin/reset", headers={"origin": "http://localhost:80"}).status_code == 200


def _raw(server: LiveServer, request: bytes) -> bytes:
    import socket

    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_request_without_a_host_header_is_refused_on_a_loopback_bind(app):
    with LiveServer(app) as server:
        answer = _raw(server, b"GET /__admin/health HTTP/1.0\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
        assert b"Host localhost" in answer
        # A bodiless POST spelling its length "00" is no body: it needs no media type.
        answer = _raw(server, b"POST /__admin/reset HTTP/1.0\r\nHost: localhost\r\nContent-Length: 00\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", "testserver"])
def test_dns_rebinding_hosts_are_refused_on_a_loopback_bind(app, host):
    with TestClient(app, base_url=f"http://{host}") as client:
        assert client.get("/__admin/health").status_code == 403
        assert client.post("/__admin/reset").status_code == 403


@pytest.mark.parametrize("host", ["localhost", "localhost:1234", "127.0.0.1:8000", "[::1]:8000", "[::1]"])
def test_loopback_hosts_are_accepted(app, host):
    with TestClient(app, base_url=f"http://{host}") as client:
        assert client.get("/__admin/health").status_code == 200


def test_a_token_is_required_when_configured(dirs):
    settings = Settings(size="small", clock=DEFAULT_TEST_CLOCK, admin_token="s3cret-admin")
    with make_client(settings) as client:
        for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": "s3cret-admin"},
                        {"authorization": "JWT s3cret-admin"}):
            response = client.get("/__admin/health", headers=headers)
            assert response.status_code == 401
            assert response.headers["www-authenticate"].startswith("Bearer")
        assert client.get("/__admin/health", headers={"authorization": "Bearer s3cret-admin"}).status_code == 200


def test_the_token_comes_from_the_environment_and_is_never_printed():
    settings = Settings.from_env({"MOCKSERVER_ADMIN_TOKEN": "from-env-token"}, size="small", clock=DEFAULT_TEST_CLOCK)
    assert settings.admin_token == "from-env-token"
    assert "from-env-token" not in repr(settings)
    app = create_app(settings)
    assert "from-env-token" not in banner(settings, app)
    with TestClient(app, base_url="http://localhost") as client:
        assert client.get("/__admin/health").status_code == 401
        assert client.get("/__admin/health", headers={"authorization": "Bearer from-env-token"}).status_code == 200


def test_a_network_bind_without_a_token_refuses_every_admin_client_and_the_banner_says_so():
    settings = Settings(host="0.0.0.0", size="small", clock=DEFAULT_TEST_CLOCK)
    app = create_app(settings)
    text = banner(settings, app)
    assert "DISABLED" in text and "--admin-token" in text and "MOCKSERVER_ADMIN_TOKEN" in text
    with LiveServer(app, host="127.0.0.1") as server, httpx.Client(base_url=server.url, timeout=10) as client:
        # A loopback client of a server bound to every interface is refused too.
        for method, path in (("GET", "/__admin/health"), ("POST", "/__admin/reset"), ("GET", "/__admin/requests")):
            response = client.request(method, path, headers={"content-type": "application/json"})
            assert response.status_code == 403 and "--admin-token" in response.json()["error"]
        # The APIs themselves still answer.
        assert client.get("/blendxapi/discovery/courses/", headers={"actionsecret": "your_secret"}).status_code == 200


def test_a_network_bind_with_a_token_takes_only_the_bearer_token():
    settings = Settings(host="0.0.0.0", size="small", clock=DEFAULT_TEST_CLOCK, admin_token="t0k3n")
    app = create_app(settings)
    assert "Bearer" in banner(settings, app)
    with TestClient(app, base_url="http://mock.internal:8000") as client:  # any Host off loopback
        assert client.get("/__admin/health").status_code == 401
        assert client.get("/__admin/health", headers={"authorization": "Bearer t0k3n"}).status_code == 200
