"""Three `mockserver serve` processes sharing one redis-server, behind haproxy (round robin, fast health
check, retries with redispatch): the fleet behaves as one mock.

- the flaky-endpoint scenario fails exactly its 2 calls in total across the replicas;
- the journal, read through any replica, counts exactly the requests sent;
- a scenario loaded on replica 1 is served by replica 3 within 1 s (polled with that deadline);
- 8 parallel clients, each in its own session with its own scenario, each see only their own;
- killing a replica mid-load fails no request once haproxy's health check has dropped it (a request the
  replica was answering when it died may fail: its response was under way, so haproxy cannot retry it).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import jwt
import pytest

from shared_state._fleet import haproxy, replicas
from test_sessions import assert_isolated, run_isolated_clients

CATALOGS = "/catalog/v1/catalogs/"
YAML = {"content-type": "application/yaml"}
FLAKY = (Path(__file__).resolve().parents[2] / "scenarios" / "flaky-endpoint.yaml").read_text(encoding="utf-8")
TOKEN = jwt.encode({"sub": "fleet", "exp": 4102444800}, "permissive-mode-takes-any-key-0123", algorithm="HS256")
AUTH = {"Authorization": f"JWT {TOKEN}"}
PROPAGATION_DEADLINE = 1.0


@pytest.fixture(scope="module")
def fleet(redis_url):
    with replicas(3, "--state", redis_url) as servers, haproxy(servers) as balancer:
        yield servers, balancer


@pytest.fixture
def lb(fleet):
    servers, balancer = fleet
    with httpx.Client(base_url=balancer.url, headers=AUTH, timeout=30) as client:
        assert client.post("/__admin/reset").status_code == 200
        wait_until(servers, lambda health: health["scenarios"] == [], 10.0)
        yield client


def wait_until(servers, condition, deadline: float) -> float:
    """Poll every replica's health until `condition` holds on all of them; the seconds it took."""
    started = time.monotonic()
    pending = list(servers)
    while pending:
        pending = [s for s in pending if not condition(httpx.get(f"{s.url}/__admin/health", timeout=5).json())]
        elapsed = time.monotonic() - started
        assert not pending or elapsed < deadline, f"{[s.port for s in pending]} did not follow within {deadline} s"
    return time.monotonic() - started


def test_the_flaky_endpoint_fails_exactly_its_two_calls_across_replicas(fleet, lb):
    servers, _ = fleet
    assert lb.post("/__admin/scenarios", content=FLAKY, headers=YAML).status_code == 200
    wait_until(servers, lambda health: health["scenarios"] == ["flaky-endpoint"], 10.0)
    statuses = [lb.get(CATALOGS).status_code for _ in range(12)]
    assert statuses == [500, 500] + [200] * 10


def test_the_journal_counts_every_request_sent_through_the_balancer(fleet, lb):
    servers, _ = fleet
    lb.delete("/__admin/requests")
    for n in range(30):
        assert lb.get(CATALOGS, params={"n": n}).status_code == 200
    assert lb.get("/__admin/requests/count", params={"path": CATALOGS}).json()["count"] == 30
    for server in servers:
        entries = httpx.get(f"{server.url}/__admin/requests").json()["requests"]
        assert sorted(e["query"] for e in entries) == sorted(f"n={n}" for n in range(30))


def test_a_scenario_loaded_on_replica_1_is_served_by_replica_3_within_a_second(fleet, lb):
    servers, _ = fleet
    teapot = "name: teapot\nbehaviours:\n  - operation: catalog.list_catalogs\n    respond: {status: 418}\n"
    loaded = httpx.post(f"{servers[0].url}/__admin/scenarios", content=teapot, headers=YAML, timeout=30)
    assert loaded.status_code == 200
    deadline = time.monotonic() + PROPAGATION_DEADLINE
    while httpx.get(f"{servers[2].url}{CATALOGS}", headers=AUTH).status_code != 418:
        assert time.monotonic() < deadline, "replica 3 did not serve the scenario within 1 s"
        time.sleep(0.01)


def test_eight_parallel_sessions_through_the_balancer_each_see_only_their_own(fleet, lb):
    _, balancer = fleet
    assert_isolated(run_isolated_clients(balancer.url, TOKEN))
    assert lb.get(CATALOGS).status_code == 200, "the global world has none of the sessions' failures"


def test_killing_a_replica_mid_load_fails_no_request(fleet, lb):
    servers, balancer = fleet
    results: list[int | str] = []
    stop = threading.Event()

    def load():
        with httpx.Client(base_url=balancer.url, headers=AUTH, timeout=30) as client:
            while not stop.is_set():
                try:
                    results.append(client.get(CATALOGS).status_code)
                except httpx.HTTPError as exc:
                    results.append(type(exc).__name__)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        while len(results) < 40:
            time.sleep(0.01)
        servers[1].kill()
        deadline = time.monotonic() + 15
        while balancer.status("r2") != "DOWN":
            assert time.monotonic() < deadline, "haproxy's health check did not drop the killed replica"
            time.sleep(0.02)
        dropped_at = len(results)
        while len(results) < dropped_at + 120:
            time.sleep(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert [r for r in results[dropped_at:] if r != 200] == [], "after the drop every request is answered"
    assert len([r for r in results[:dropped_at] if r != 200]) <= len(threads), "at most the ones in flight"
    # Its heartbeat lapses (REPLICA_TTL): health stops listing it, and lists the two others.
    deadline = time.monotonic() + 15
    while True:
        live = {int(r["id"].split(":")[1]) for r in lb.get("/__admin/health").json()["replicas"]}
        if servers[1].proc.pid not in live:
            break
        assert time.monotonic() < deadline, "the killed replica is still listed as live"
        time.sleep(0.1)
    assert live == {servers[0].proc.pid, servers[2].proc.pid}
