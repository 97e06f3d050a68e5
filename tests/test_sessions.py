"""Isolated sessions (mockserver/sessions.py): the header and the path prefix, links keeping the prefix,
scenarios, counters and journals per session, the id grammar, the session limit, idle expiry, and 8
parallel clients each with its own scenario on one real server."""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK, LiveServer, token_for

CATALOGS = "/catalog/v1/catalogs/"
FLAKY = ("name: flaky-{n}\nbehaviours:\n  - operation: catalog.list_catalogs\n    sequence:\n"
         "      - times: {n}\n        respond: {{status: 500, headers: {{X-Run: run-{n}}}}}\n")
TEAPOT = ("name: startup\nbehaviours:\n  - operation: oauth.issue_token_v1\n    name: teapot\n"
          "    respond: {status: 418, body: {error: teapot}}\n")
YAML = {"content-type": "application/yaml"}


@pytest.fixture(scope="module")
def startup_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("sessions") / "startup.yaml"
    path.write_text(TEAPOT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def app(startup_file):
    return create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", scenarios=(startup_file,),
                               max_sessions=12, max_session_worlds=1))


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://localhost") as c:
        c.headers["Authorization"] = f"JWT {token_for(app)}"
        yield c
        for item in c.get("/__admin/sessions").json()["sessions"]:
            c.delete(f"/__admin/sessions/{item['id']}")
        c.post("/__admin/reset")


def _load(client, text: str, session: str, *, by: str = "prefix"):
    if by == "prefix":
        response = client.post(f"/__session/{session}/__admin/scenarios", content=text, headers=YAML)
    else:
        response = client.post("/__admin/scenarios", content=text, headers={**YAML, "X-Mock-Session": session})
    assert response.status_code == 200, response.text
    return response.json()


def test_links_keep_the_session_prefix_and_the_header_form_has_none(client):
    prefixed = client.get(f"/__session/links/{CATALOGS}".replace("//", "/"), params={"limit": 1})
    assert prefixed.status_code == 200, prefixed.text
    assert prefixed.json()["next"].startswith("http://localhost/__session/links/catalog/v1/catalogs/?")
    plain = client.get(CATALOGS, params={"limit": 1}, headers={"X-Mock-Session": "links"})
    assert plain.json()["next"].startswith("http://localhost/catalog/v1/catalogs/?")
    assert plain.json()["results"] == prefixed.json()["results"]


def test_each_session_has_its_own_scenarios_counters_and_journal(client):
    _load(client, FLAKY.format(n=1), "one", by="prefix")
    _load(client, FLAKY.format(n=2), "two", by="header")
    one = [client.get(f"/__session/one{CATALOGS}").status_code for _ in range(3)]
    two = [client.get(CATALOGS, headers={"X-Mock-Session": "two"}).status_code for _ in range(3)]
    world = [client.get(CATALOGS).status_code for _ in range(3)]
    assert (one, two, world) == ([500, 200, 200], [500, 500, 200], [200, 200, 200])

    journal = client.get("/__session/one/__admin/requests").json()
    assert journal["total"] == 3 and {e["path"] for e in journal["requests"]} == {CATALOGS}
    assert client.get("/__admin/requests/count", headers={"X-Mock-Session": "two"}).json()["count"] == 3
    assert client.get("/__admin/requests/count", params={"path": CATALOGS}).json()["count"] == 3
    assert [s["name"] for s in client.get("/__session/two/__admin/scenarios").json()["loaded"]] == ["startup",
                                                                                                    "flaky-2"]
    assert client.get("/__admin/health").json()["scenarios"] == ["startup"]


def test_a_session_starts_from_the_startup_scenarios_and_its_reset_only_resets_itself(client):
    form = {"grant_type": "client_credentials", "client_id": "c"}
    teapot = {"X-Mock-Behaviour": "teapot", "X-Mock-Session": "fresh"}
    assert client.post("/oauth2/v1/access_token", data=form, headers=teapot).status_code == 418
    _load(client, FLAKY.format(n=1), "fresh")
    client.post("/__admin/scenarios", content=FLAKY.format(n=5), headers=YAML)  # the global world's
    assert client.post("/__session/fresh/__admin/reset").status_code == 200
    assert client.get(CATALOGS, headers={"X-Mock-Session": "fresh"}).status_code == 200
    assert client.get(CATALOGS).status_code == 500, "the global world kept its own scenario"


@pytest.mark.parametrize("request_args, named", [
    ({"url": CATALOGS, "headers": {"X-Mock-Session": "a b"}}, "X-Mock-Session"),
    ({"url": CATALOGS, "headers": {"X-Mock-Session": "x" * 65}}, "X-Mock-Session"),
    ({"url": "/__session/-dash/catalog/v1/catalogs/"}, "/__session/<id>/"),
    ({"url": "/__session/ok/catalog/v1/catalogs/", "headers": {"X-Mock-Session": "other"}}, "disagree"),
])
def test_a_bad_session_id_is_a_400_naming_where(client, request_args, named):
    response = client.get(**request_args)
    assert response.status_code == 400
    assert named in response.json()["error"]
    assert client.get("/__admin/sessions").json()["sessions"] == []


def test_past_the_limit_a_new_session_is_refused_until_one_is_deleted(app, client):
    limit = app.runtime.settings.max_sessions
    for n in range(limit):
        assert client.get(CATALOGS, headers={"X-Mock-Session": f"s{n}"}).status_code == 200
    refused = client.get(CATALOGS, headers={"X-Mock-Session": "one-too-many"})
    assert refused.status_code == 429 and "--max-sessions" in refused.json()["error"]
    assert client.get(CATALOGS, headers={"X-Mock-Session": "s0"}).status_code == 200, "live ones still serve"
    assert client.delete("/__admin/sessions/s0").json() == {"deleted": "s0"}
    assert client.delete("/__admin/sessions/s0").status_code == 404
    assert client.get(CATALOGS, headers={"X-Mock-Session": "one-too-many"}).status_code == 200


def test_only_so_many_sessions_hold_a_world_of_their_own(client):
    own_world = "name: reseeded\nseed: 2\n"
    assert client.post("/__session/w1/__admin/scenarios", content=own_world, headers=YAML).status_code == 200
    refused = client.post("/__session/w2/__admin/scenarios", content=own_world, headers=YAML)
    assert refused.status_code == 422 and "--max-session-worlds" in refused.json()["problems"][0]["message"]
    assert client.get(f"/__session/w2{CATALOGS}").status_code == 200, "the refused session keeps serving"
    _load(client, FLAKY.format(n=1), "w2")  # behaviours need no world of their own
    assert client.delete("/__admin/sessions/w1").status_code == 200
    assert client.post("/__session/w2/__admin/scenarios", content=own_world, headers=YAML).status_code == 200


def test_an_idle_session_expires_and_comes_back_fresh(app, client):
    now = [1000.0]
    sessions = app.runtime.sessions
    real_clock, sessions.clock = sessions.clock, lambda: now[0]
    try:
        _load(client, FLAKY.format(n=1), "idle")
        assert client.get(f"/__session/idle{CATALOGS}").status_code == 500
        now[0] += app.runtime.settings.session_ttl - 1
        assert [s["id"] for s in client.get("/__admin/sessions").json()["sessions"]] == ["idle"]
        now[0] += app.runtime.settings.session_ttl + 1
        assert client.get("/__admin/sessions").json()["sessions"] == []
        assert client.get(f"/__session/idle{CATALOGS}").status_code == 200, "a new session: no flaky scenario"
    finally:
        sessions.clock = real_clock


def test_sessions_are_only_listed_globally(client):
    response = client.get("/__admin/sessions", headers={"X-Mock-Session": "inside"})
    assert response.status_code == 400 and "global admin API" in response.json()["error"]


def run_isolated_clients(base_url: str, token: str, count: int = 8) -> list[tuple[int, list[int], set, int]]:
    """`count` clients in parallel, each loading its own flaky scenario (n failures) into its own session.

    Each returns (n, its statuses, the X-Run markers it saw, its session's journal count).
    """

    def one(n: int):
        session = f"run-{n}-{token[-6:]}"
        with httpx.Client(base_url=f"{base_url}/__session/{session}", timeout=30,
                          headers={"Authorization": f"JWT {token}"}) as c:
            loaded = c.post("/__admin/scenarios", content=FLAKY.format(n=n), headers=YAML)
            assert loaded.status_code == 200, loaded.text
            responses = [c.get(CATALOGS) for _ in range(count + 2)]
            markers = {r.headers.get("x-run") for r in responses if r.status_code == 500}
            journal = c.get("/__admin/requests/count", params={"path": CATALOGS}).json()["count"]
            return n, [r.status_code for r in responses], markers, journal

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(1, count + 1)))


def assert_isolated(results, count: int = 8) -> None:
    for n, statuses, markers, journal in results:
        assert statuses == [500] * n + [200] * (count + 2 - n), f"session {n} saw {statuses}"
        assert markers == {f"run-{n}"}, f"session {n} saw another session's failures: {markers}"
        assert journal == count + 2, f"session {n}'s journal holds {journal} requests"


def test_eight_parallel_clients_on_one_server_each_see_only_their_own(app):
    with LiveServer(app) as server:
        results = run_isolated_clients(server.url, token_for(app))
        with httpx.Client(base_url=server.url, headers={"Authorization": f"JWT {token_for(app)}"}) as c:
            assert c.get(CATALOGS).status_code == 200, "the global world has none of the sessions' failures"
            for n in range(1, 9):
                c.delete(f"/__admin/sessions/run-{n}-{token_for(app)[-6:]}")
    assert_isolated(results)


def test_a_slash_redirect_keeps_the_session_prefix(client):
    # Starlette's redirect-slashes target of a path no route has in either slash form: the client must land in
    # its own session again, not in the global world.
    answer = client.get("/__session/redirected/enterprise/v1/enterprise-catalogs//", follow_redirects=False)
    assert answer.status_code == 307
    assert answer.headers["location"] == "http://localhost/__session/redirected/enterprise/v1/enterprise-catalogs"
    plain = client.get("/enterprise/v1/enterprise-catalogs//", follow_redirects=False)
    assert plain.headers["location"] == "http://localhost/enterprise/v1/enterprise-catalogs"


def test_all_sessions_together_hold_no_more_cache_and_journal_than_the_global_budget_again():
    # Anyone who reaches the APIs can open --max-sessions sessions and fill each one's cache and journal: with a
    # 16th of the budget each, 64 sessions held 4 times the documented cache and journal budgets.
    app = create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", max_sessions=64,
                              cache_bytes=6_400_000, journal_bytes=3_200_000))
    with TestClient(app, base_url="http://localhost") as c:
        memory = c.get("/__session/budget/__admin/health").json()["memory"]
    assert 0 < memory["cache"]["max_bytes"] * 64 <= 6_400_000
    assert 0 < memory["journal"]["max_bytes"] * 64 <= 3_200_000
