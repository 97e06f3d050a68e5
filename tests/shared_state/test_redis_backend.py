"""The Redis backend (mockserver/shared_state/redis_backend.py) with two apps in this process sharing one real
redis-server: scenarios loaded through either apply on both, sequences count across them, one journal
(capped, redacted), sessions shared, replicas listed, a late replica adopting what is loaded, bad URLs."""

from __future__ import annotations

import concurrent.futures
import time

import pytest
import redis
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings, SettingsError
from mockserver.testing import DEFAULT_TEST_CLOCK, token_for

CATALOGS = "/catalog/v1/catalogs/"
YAML = {"content-type": "application/yaml"}
FLAKY = "name: flaky\nbehaviours:\n  - operation: catalog.list_catalogs\n    sequence:\n      - times: 2\n" \
        "        respond: {status: 500}\n"
DEADLINE = 20.0  # a bounded wait for the other app to follow (not a timing assertion: the bench measures it)


def settings(url: str, **extra) -> Settings:
    return Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", state=url, **extra)


@pytest.fixture(scope="module")
def apps(redis_url):
    built = [create_app(settings(redis_url, journal_size=50)) for _ in range(2)]
    yield built
    for app in built:
        app.runtime.share.backend.close()


@pytest.fixture
def clients(apps):
    with TestClient(apps[0], base_url="http://localhost") as one, \
            TestClient(apps[1], base_url="http://localhost") as two:
        for c in (one, two):
            c.headers["Authorization"] = f"JWT {token_for(apps[0])}"
        one.post("/__admin/reset")
        follow(apps, lambda app: app.runtime.snapshot.scenarios == ())
        yield one, two


def follow(apps, condition, deadline: float = DEADLINE) -> None:
    """Wait (bounded) until every app satisfies `condition`."""
    end = time.monotonic() + deadline
    while not all(condition(app) for app in apps):
        assert time.monotonic() < end, "the apps did not converge"
        time.sleep(0.01)


def test_a_scenario_loaded_through_one_app_applies_on_the_other(apps, clients):
    one, two = clients
    assert one.post("/__admin/scenarios", content=FLAKY, headers=YAML).status_code == 200
    follow(apps, lambda app: app.runtime.snapshot.scenarios == ("flaky",))
    assert apps[0].runtime.snapshot.version == apps[1].runtime.snapshot.version
    assert [s["name"] for s in two.get("/__admin/scenarios").json()["loaded"]] == ["flaky"]


def test_sequence_counters_count_across_apps(apps, clients):
    one, two = clients
    two.post("/__admin/scenarios", content=FLAKY, headers=YAML)
    follow(apps, lambda app: app.runtime.snapshot.scenarios == ("flaky",))
    statuses = [(one if n % 2 else two).get(CATALOGS).status_code for n in range(6)]
    assert sorted(statuses) == [200] * 4 + [500] * 2 and statuses[:2] == [500, 500]


def test_one_journal_holds_both_apps_requests_and_one_clear_clears_it(clients):
    one, two = clients
    one.delete("/__admin/requests")
    for n in range(7):
        (one if n % 2 else two).get(CATALOGS, params={"n": n})
    for c in (one, two):
        entries = c.get("/__admin/requests").json()["requests"]
        assert sorted(e["query"] for e in entries) == [f"n={n}" for n in range(7)]
    assert len({e["id"] for e in entries}) == 7, "ids are unique across apps"
    two.delete("/__admin/requests")
    assert one.get("/__admin/requests/count").json()["count"] == 0


def test_the_shared_journal_is_capped_and_holds_no_credentials(apps, clients, redis_url):
    one, two = clients
    one.delete("/__admin/requests")
    token = one.headers["Authorization"].split()[1]
    for n in range(60):
        (one if n % 2 else two).get(CATALOGS, params={"n": n}, headers={"Cookie": "sessionid=secret-cookie"})
    entries = one.get("/__admin/requests").json()["requests"]
    assert len(entries) == 50 and entries[-1]["query"] == "n=59", "the newest 50 (journal_size) are kept"
    store = redis.Redis.from_url(redis_url)
    raw = b"".join(store.lrange("mockserver:journal:g", 0, -1))
    assert token.encode() not in raw and b"secret-cookie" not in raw and b"[redacted]" in raw


def test_the_journal_byte_budget_drops_the_oldest(redis_url):
    app = create_app(settings(redis_url, journal_bytes=4000))
    try:
        with TestClient(app, base_url="http://localhost") as c:
            c.headers["Authorization"] = f"JWT {token_for(app)}"
            c.delete("/__admin/requests")
            for n in range(40):
                c.get(CATALOGS, params={"n": n})
            kept = c.get("/__admin/requests").json()["requests"]
        store = redis.Redis.from_url(redis_url)
        stored = store.lrange("mockserver:journal:g", 0, -1)
        assert 0 < len(kept) < 40 and kept[-1]["query"] == "n=39"
        assert sum(len(item) for item in stored) <= 4000 == app.runtime.settings.journal_bytes
        assert int(store.get("mockserver:jbytes:g")) == sum(len(item) for item in stored)
    finally:
        app.runtime.share.backend.close()


def test_sessions_are_shared_and_stay_apart_from_the_global_world(apps, clients):
    one, two = clients
    assert one.post("/__session/shared-1/__admin/scenarios", content=FLAKY, headers=YAML).status_code == 200
    statuses = [(one if n % 2 else two).get(f"/__session/shared-1{CATALOGS}").status_code for n in range(4)]
    assert statuses == [500, 500, 200, 200]
    assert [one.get(CATALOGS).status_code, two.get(CATALOGS).status_code] == [200, 200]
    assert two.get("/__session/shared-1/__admin/requests/count").json()["count"] == 4
    assert one.delete("/__admin/sessions/shared-1").status_code == 200
    follow(apps, lambda app: app.runtime.sessions.get("shared-1") is None)


def test_health_lists_the_live_replicas(apps, clients, redis_url):
    one, _ = clients
    body = one.get("/__admin/health").json()
    ids = {app.runtime.share.backend.replica_id for app in apps}
    assert body["state"]["backend"] == "redis" and body["state"]["url"] == redis_url
    assert ids <= {r["id"] for r in body["replicas"]}
    extra = create_app(settings(redis_url))
    extra_id = extra.runtime.share.backend.replica_id
    assert extra_id in {r["id"] for r in one.get("/__admin/health").json()["replicas"]}
    extra.runtime.share.backend.close()
    assert extra_id not in {r["id"] for r in one.get("/__admin/health").json()["replicas"]}


def test_a_replica_that_joins_late_serves_what_is_loaded_and_keeps_counting(apps, clients, redis_url):
    one, _ = clients
    one.post("/__admin/scenarios", content=FLAKY, headers=YAML)
    assert one.get(CATALOGS).status_code == 500
    late = create_app(settings(redis_url))
    try:
        assert late.runtime.snapshot.scenarios == ("flaky",)
        with TestClient(late, base_url="http://localhost") as c:
            c.headers["Authorization"] = f"JWT {token_for(late)}"
            assert [c.get(CATALOGS).status_code for _ in range(2)] == [500, 200], "the count went on"
    finally:
        late.runtime.share.backend.close()


@pytest.mark.parametrize("url, says", [("redis://127.0.0.1:1/0", "cannot use Redis at redis://127.0.0.1:1/0"),
                                       ("redis://user:hunter2@127.0.0.1:1/0", "user:***@"),
                                       ("redis://127.0.0.1:1/0?db=0&password=hunter2", "?db=0&password=***"),
                                       ("unix:///nowhere/redis.sock?password=hunter2", "?password=***"),
                                       ("redis://127.0.0.1:1/0?colour=blue", "colour"),
                                       ("http://127.0.0.1:6379", "is not a redis://")])
def test_an_unusable_state_url_is_refused_with_its_name(url, says):
    with pytest.raises(SettingsError) as error:
        create_app(settings(url))
    assert "--state" in str(error.value) and says in str(error.value) and "hunter2" not in str(error.value)


def test_without_state_the_app_is_one_embedded_process():
    app = create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small"))
    with TestClient(app, base_url="http://localhost") as c:
        body = c.get("/__admin/health").json()
    assert body["state"]["backend"] == "embedded" and len(body["replicas"]) == 1


def test_a_redis_that_lost_its_scripts_and_data_is_picked_up_again(apps, clients, redis_url):
    one, two = clients
    store = redis.Redis.from_url(redis_url)
    store.script_flush()
    store.delete(*store.keys("mockserver:scen:*"), *store.keys("mockserver:seq:*"))  # versions start again at 1
    assert one.post("/__admin/scenarios", content=FLAKY, headers=YAML).status_code == 200
    follow(apps, lambda app: app.runtime.snapshot.scenarios == ("flaky",))
    statuses = [(one if n % 2 else two).get(CATALOGS).status_code for n in range(4)]
    assert statuses == [500, 500, 200, 200]
    assert len(two.get("/__admin/requests").json()["requests"]) >= 4


def test_mockserver_state_in_the_environment_names_the_redis(redis_url):
    assert Settings.from_env({"MOCKSERVER_STATE": ""}).state is None, "empty: the embedded state"
    app = create_app(Settings.from_env({"MOCKSERVER_STATE": redis_url}, clock=DEFAULT_TEST_CLOCK, size="small"))
    try:
        with TestClient(app, base_url="http://localhost") as c:
            assert c.get("/__admin/health").json()["state"]["url"] == redis_url
    finally:
        app.runtime.share.backend.close()


def test_a_session_whose_shared_scenarios_need_a_world_opens_on_another_replica(apps, clients, redis_url):
    # Opening the session adopts its scenario (another seed: a world of its own). That build counts the
    # sessions under the table's lock, which opening used to hold: the replica deadlocked, event loop included.
    one, _ = clients
    assert one.post("/__session/own-world/__admin/scenarios", content="name: own\nseed: 5\n",
                    headers=YAML).status_code == 200
    other = create_app(settings(redis_url))
    pool = concurrent.futures.ThreadPoolExecutor(1)
    try:
        with TestClient(other, base_url="http://localhost") as c:
            c.headers["Authorization"] = f"JWT {token_for(other)}"
            served = pool.submit(c.get, f"/__session/own-world{CATALOGS}").result(timeout=DEADLINE * 3)
            assert served.status_code == 200
            assert other.runtime.sessions.get("own-world").snapshot.world.seed == 5
            assert pool.submit(c.get, CATALOGS).result(timeout=DEADLINE).status_code == 200
    finally:
        pool.shutdown(wait=False)
        other.runtime.share.backend.close()
        one.delete("/__admin/sessions/own-world")


def test_a_session_a_replica_cannot_build_is_a_503_naming_why(apps, clients, redis_url):
    # A replica allowed no session world cannot serve that session: a clear refusal (it used to escape the
    # pipeline), and the replica goes on serving everything else.
    one, _ = clients
    assert one.post("/__session/own-world/__admin/scenarios", content="name: own\nseed: 5\n",
                    headers=YAML).status_code == 200
    strict = create_app(settings(redis_url, max_session_worlds=0))
    try:
        with TestClient(strict, base_url="http://localhost") as c:
            c.headers["Authorization"] = f"JWT {token_for(strict)}"
            refused = c.get(f"/__session/own-world{CATALOGS}")
            assert refused.status_code == 503 and "--max-session-worlds" in refused.json()["error"], refused.text
            assert c.get(CATALOGS).status_code == 200
            assert c.get("/__admin/sessions").json()["sessions"] == []
    finally:
        strict.runtime.share.backend.close()
        one.delete("/__admin/sessions/own-world")


def test_a_message_the_replicas_cannot_read_does_not_stop_them_listening(apps, clients, redis_url):
    # Anything with access to the Redis can publish on the channel (another mockserver version among them);
    # the listener used to die on it, and then a session deleted through one replica stayed alive on the other.
    one, two = clients
    store = redis.Redis.from_url(redis_url)
    channel = apps[0].runtime.share.backend.channel
    for junk in (b"scenarios g", b"drop", b"\xff\xfe", b"scenarios g x y"):
        assert store.publish(channel, junk) == 2
    assert two.get(f"/__session/heard{CATALOGS}").status_code == 200
    assert one.get(f"/__session/heard{CATALOGS}").status_code == 200
    assert one.delete("/__admin/sessions/heard").status_code == 200
    follow(apps, lambda app: app.runtime.sessions.get("heard") is None)


def test_a_session_made_again_with_a_deleted_ones_id_counts_its_sequences_afresh(apps, clients):
    # A CI job that reuses its session id (the job's name) after deleting it must see its "fail the first 2 calls"
    # again: the counters used to survive the delete, and the new scenario (version 1 again) counted on.
    one, two = clients
    for _ in range(2):
        assert one.post("/__session/reused/__admin/scenarios", content=FLAKY, headers=YAML).status_code == 200
        statuses = [(one if n % 2 else two).get(f"/__session/reused{CATALOGS}").status_code for n in range(3)]
        assert statuses == [500, 500, 200]
        assert one.delete("/__admin/sessions/reused").status_code == 200
        follow(apps, lambda app: app.runtime.sessions.get("reused") is None)


def test_the_global_scenarios_outlive_their_ttl_while_replicas_run(apps, clients, redis_url):
    # The stored set of the global world is refreshed by the heartbeat; it used to expire GLOBAL_TTL after its
    # last change, and a replica started after that published its own startup scenarios over it.
    one, _ = clients
    assert one.post("/__admin/scenarios", content=FLAKY, headers=YAML).status_code == 200
    store = redis.Redis.from_url(redis_url)
    store.expire("mockserver:scen:g", 1000)
    follow(apps, lambda app: store.ttl("mockserver:scen:g") > 1000)
