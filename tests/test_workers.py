"""`mockserver serve --workers N` (mockserver/workers.py): two worker processes on one port behave as one
server — identical answers, an admin change through any worker reaches both, sequences count across them,
the journal holds every worker's requests — through a private redis-server; and without redis-server and
without --state, a clear refusal."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jwt
import pytest

from mockserver.testing import free_port
from shared_state._fleet import CLOCK, Serve, need

CATALOGS = "/catalog/v1/catalogs/"
FLAKY = (Path(__file__).resolve().parents[1] / "scenarios" / "flaky-endpoint.yaml").read_text(encoding="utf-8")
AUTH = {"Authorization": "JWT " + jwt.encode({"sub": "w", "exp": 4102444800}, "k" * 32, algorithm="HS256")}


@pytest.fixture(scope="module")
def server():
    need("redis-server")
    served = Serve("--workers", "2")
    try:
        yield served.wait()
    finally:
        served.stop()


def fresh(url: str, path: str, **kwargs) -> httpx.Response:
    """One request on a new connection (so the kernel may hand it to either worker)."""
    with httpx.Client(headers=AUTH, timeout=30) as client:
        return client.request(kwargs.pop("method", "GET"), url + path, **kwargs)


def each_worker(url: str, condition, deadline: float = 30.0) -> set[str]:
    """Poll health on new connections until two workers have been seen and both satisfy `condition`."""
    ok: set[str] = set()
    end = time.monotonic() + deadline
    while True:
        health = fresh(url, "/__admin/health").json()
        # Both workers must be listed live; on a starved machine a heartbeat can lapse for a moment
        # (REPLICA_TTL), so a short list is polled again rather than failed at once.
        if len(health["replicas"]) == 2:
            (ok.add if condition(health) else ok.discard)(health["state"]["replica"])
            if len(ok) == 2:
                return ok
        assert time.monotonic() < end, f"workers seen satisfying the condition: {ok}; listed: {health['replicas']}"


def test_every_worker_answers_identically(server):
    bodies = {}
    end = time.monotonic() + 30
    while len(bodies) < 2:
        replica = fresh(server.url, "/__admin/health").json()["state"]["replica"]
        bodies.setdefault(replica, fresh(server.url, f"{CATALOGS}1/courses/?limit=3").content)
        assert time.monotonic() < end
    assert len(set(bodies.values())) == 1 and len(next(iter(bodies.values()))) > 100


def test_an_admin_change_sequences_and_the_journal_span_the_workers(server):
    assert fresh(server.url, "/__admin/reset", method="POST").status_code == 200
    assert fresh(server.url, "/__admin/scenarios", method="POST", content=FLAKY,
                 headers={"content-type": "application/yaml"}).status_code == 200
    each_worker(server.url, lambda health: health["scenarios"] == ["flaky-endpoint"])
    fresh(server.url, "/__admin/requests", method="DELETE")
    statuses = [fresh(server.url, CATALOGS).status_code for _ in range(10)]
    assert statuses == [500, 500] + [200] * 8
    assert fresh(server.url, "/__admin/requests/count", params={"path": CATALOGS}).json()["count"] == 10


def test_without_redis_server_or_state_workers_are_refused_naming_state(tmp_path):
    bin_dir = Path(sys.executable).parent
    result = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--workers", "2", "--size", "small",
                             "--clock", CLOCK, "--port", str(free_port())], env={**os.environ, "PATH": str(bin_dir)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "--state redis://host:port/db" in result.stderr and "redis-server" in result.stderr


def _next_link(url: str) -> str:
    token = fresh(url, "/oauth2/v1/access_token", method="POST", data={
        "grant_type": "client_credentials", "client_id": "w", "token_type": "jwt"}).json()["access_token"]
    return fresh(url, "/catalog/v1/catalogs/?limit=1", headers={
        "Authorization": f"JWT {token}", "X-Forwarded-Proto": "https"}).json()["next"]


def test_workers_ignore_forwarded_headers_unless_asked(server):
    assert _next_link(server.url).startswith(f"http://127.0.0.1:{server.port}/")


def test_workers_take_forwarded_headers_with_proxy_headers():
    need("redis-server")
    served = Serve("--workers", "2", "--proxy-headers")
    try:
        assert _next_link(served.wait().url).startswith(f"https://127.0.0.1:{served.port}/")
    finally:
        served.stop()


def test_a_taken_port_stops_workers_before_any_banner_or_credential_is_printed():
    need("redis-server")
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--workers", "2", "--size", "small",
                                 "--clock", CLOCK, "--port", str(port)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "cannot listen" in result.stderr and str(port) in result.stderr
    assert "JWT" not in result.stdout and "sessionid" not in result.stdout, result.stdout
