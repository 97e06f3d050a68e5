"""Reloads while serving: a live server, a pool of clients, several reloads (admin and --watch), no failed request."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK, LiveServer, token_for

VERSION_A = """behaviours:
  - operation: oauth.issue_token_v1
    latency: 5
records:
  courses:
    edX+DemoX:
      title: Version A
"""
VERSION_B = """behaviours:
  - operation: oauth.issue_token_v1
    latency: 1
records:
  courses:
    edX+DemoX:
      title: Version B
"""
DEMO = "/enterprise/v2/enterprise-catalogs/0e871df0-6e43-4cfc-92cc-357ebf1fda75/courses/edX+DemoX"


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_reloads_under_concurrent_requests_lose_none(tmp_path: Path):
    scenario = tmp_path / "live.yaml"
    scenario.write_text(VERSION_A, encoding="utf-8")
    app = create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", scenarios=(scenario,)))
    headers = {"Authorization": f"JWT {token_for(app)}"}
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as admin:
        stop = time.monotonic() + 60
        reloads = 0

        def hammer(worker: int) -> tuple[int, list]:
            failures, done = [], 0
            with httpx.Client(base_url=server.url, timeout=30) as client:
                while reloads < 6 and time.monotonic() < stop:
                    response = client.get(DEMO, headers=headers) if worker % 2 else \
                        client.post("/oauth2/v1/access_token", data={"grant_type": "client_credentials", "client_id": "x"})
                    done += 1
                    if response.status_code != 200 or not response.json():
                        failures.append((response.status_code, response.text[:200]))
                    elif worker % 2 and response.json()["title"] not in ("Version A", "Version B"):
                        failures.append(("title", response.json()["title"]))
            return done, failures

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(hammer, i) for i in range(8)]
            for version in (VERSION_B, VERSION_A, VERSION_B, VERSION_A, VERSION_B, VERSION_A):
                time.sleep(0.2)
                scenario.write_text(version, encoding="utf-8")
                assert admin.post("/__admin/scenarios/reload").status_code == 200
                reloads += 1
            results = [f.result() for f in futures]
        total = sum(done for done, _ in results)
        failures = [f for _, fs in results for f in fs]
        assert failures == []
        assert total > 50
        assert admin.get("/__admin/health").json()["generation"] >= 7
        assert admin.get(DEMO, headers=headers).json()["title"] == "Version A"


def test_watch_reloads_a_changed_file_and_keeps_the_old_world_on_a_bad_edit(tmp_path: Path):
    scenario = tmp_path / "watched.yaml"
    scenario.write_text(VERSION_A, encoding="utf-8")
    app = create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", scenarios=(scenario,), watch=True))
    headers = {"Authorization": f"JWT {token_for(app)}"}
    manager = app.runtime.scenarios
    try:
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            title = lambda: client.get(DEMO, headers=headers).json()["title"]  # noqa: E731
            assert title() == "Version A"
            # No wait for the watcher's start: an edit made before its watch is registered is seen too.
            scenario.write_text(VERSION_B, encoding="utf-8")
            assert wait_for(lambda: title() == "Version B")
            generation = client.get("/__admin/health").json()["generation"]
            scenario.write_text(VERSION_A.replace("title:", "titel:"), encoding="utf-8")
            assert wait_for(lambda: client.get("/__admin/scenarios").json()["last_error"] is not None)
            error = client.get("/__admin/scenarios").json()["last_error"]
            assert error["problems"][0]["field"] == "records.courses.edX+DemoX.titel"
            assert error["problems"][0]["line"] == 7
            assert title() == "Version B"
            assert client.get("/__admin/health").json()["generation"] == generation
    finally:
        manager.stop()


def test_watch_sees_an_edit_made_before_the_watcher_is_ready(tmp_path: Path):
    scenario = tmp_path / "early.yaml"
    scenario.write_text(VERSION_A, encoding="utf-8")
    app = create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", scenarios=(scenario,), watch=True))
    scenario.write_text(VERSION_B, encoding="utf-8")  # at once: the watcher thread is still starting
    manager = app.runtime.scenarios
    try:
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            headers = {"Authorization": f"JWT {token_for(app)}"}
            assert wait_for(lambda: client.get(DEMO, headers=headers).json()["title"] == "Version B", timeout=10)
    finally:
        manager.stop()


GOOD = "name: good\nbehaviours:\n  - operation: oauth.issue_token_v1\n    respond: {status: 503}\n"
HOSTILE_EDITS = (  # issue 8: a NUL byte once killed the watcher for good
    ('name: nul\ndescription: "a\x00b"\n', "U+0000"),
    ("".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9 if p else ['lol'] * 9)}]\n"
             for p, c in zip([None, *"abcdefgh"], "abcdefghi")), "expands to more than"),
    ("[" * 20_000 + "]" * 20_000 + "\n", "nested deeper than"),
)


def test_the_watcher_survives_a_nul_byte_and_applies_later_edits(tmp_path: Path):
    scenario = tmp_path / "watched.yaml"
    scenario.write_text(GOOD, encoding="utf-8")
    app = create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", scenarios=(scenario,), watch=True))
    manager = app.runtime.scenarios
    form = {"grant_type": "client_credentials", "client_id": "w"}
    try:
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            status = lambda: client.post("/oauth2/v1/access_token", data=form).status_code  # noqa: E731
            admin = lambda: client.get("/__admin/scenarios").json()  # noqa: E731
            assert status() == 503
            for text, expected in HOSTILE_EDITS:
                scenario.write_text(text, encoding="utf-8")
                assert wait_for(lambda: expected in str(admin()["last_error"])), admin()["last_error"]
                assert status() == 503  # the old world keeps serving
                assert admin()["watching"] is True
            scenario.write_text(GOOD.replace("503", "429"), encoding="utf-8")
            assert wait_for(lambda: status() == 429)
            assert admin()["last_error"] is None
    finally:
        manager.stop()
