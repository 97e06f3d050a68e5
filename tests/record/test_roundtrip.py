"""Round trip: record a seed-7 "staging", serve seed 1 + the recording, and every recorded request answers as
staging did (anonymised learner fields and the links' host aside); no learner identity is in the file."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest
import yaml
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.cli import main
from mockserver.settings import Settings

from .conftest import ACTION_SECRET, CLOCK

# The learner fields anonymisation replaces (their values differ by design; everything else must not).
ANONYMISED = frozenset({"user_email", "user_username", "user_first_name", "user_last_name", "enterprise_user_id",
                        "user", "viewers"})
CLIENT = ("qa-recorder", "qa-secret")


def record(url: str, out, *extra: str) -> int:
    return main(["record", "--base-url", url, "--out", str(out), "--clock", CLOCK, "--client-id", CLIENT[0],
                 "--client-secret", CLIENT[1], "--action-secret", ACTION_SECRET, "--quiet", *extra])


def masked(value, origin: str):
    if isinstance(value, dict):
        return {k: "<anonymised>" if k in ANONYMISED and v is not None else masked(v, origin) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, origin) for v in value]
    if isinstance(value, str) and value.startswith(origin):
        return "<origin>" + value[len(origin):]
    return value


@pytest.fixture(scope="module")
def recording(staging, tmp_path_factory, capsys_module=None):
    out = tmp_path_factory.mktemp("rec") / "staging.yaml"
    staging.capture.seen.clear()
    code = record(staging.url, out)
    seen = list(staging.capture.seen)
    return code, out, seen


def test_the_recording_is_written_and_checks(recording):
    code, out, seen = recording
    assert code == 0
    assert main(["scenario", "check", str(out)]) == 0
    data = yaml.safe_load(out.read_text())
    assert data["seed"] == 1 and data["size"] == 0 and data["clock"].startswith(CLOCK)
    kinds = set(data["records"])
    assert {"organizations", "courses", "runs", "programs", "catalogs", "enterprise_customers", "enterprise_catalogs",
            "enrollments", "blendx_courses", "search_documents", "subjects", "people"} <= kinds
    header = out.read_text().splitlines()[:2]
    assert "127.0.0.1" in header[0] and CLOCK in header[0]
    assert "user_email" in header[1]


def test_every_recorded_request_answers_as_staging_did(recording, staging):
    _, out, seen = recording
    app = create_app(Settings(seed=1, scenarios=(out,)))
    replayed = 0
    with TestClient(app) as client:
        token = client.post("/oauth2/v1/access_token", data={"grant_type": "client_credentials", "token_type": "jwt",
                                                            "client_id": CLIENT[0], "client_secret": CLIENT[1]})
        headers = {"Authorization": f"JWT {token.json()['access_token']}", "actionsecret": app.runtime.auth.action_secret}
        for item in seen:
            if item.path.startswith("/oauth2/"):
                continue
            assert item.status == 200, (item.method, item.path, item.status)
            form = dict(parse_qsl(item.body.decode())) if item.method == "POST" else None
            served = client.request(item.method, item.path + (f"?{item.query}" if item.query else ""),
                                    data=form, headers=headers)
            assert served.status_code == 200, (item.path, served.status_code)
            want = masked(json.loads(item.response), staging.url)
            got = masked(served.json(), "http://testserver")
            assert got == want, f"{item.method} {item.path}?{item.query} answers differently"
            replayed += 1
    operations = {item.path.split("/")[1] for item in seen}
    assert {"catalog", "enterprise", "blendxapi", "search"} <= operations
    assert replayed > 100


def test_no_learner_identity_is_in_the_file(recording, staging):
    _, out, _ = recording
    text = out.read_text()
    world = staging.app.runtime.world
    learners = [row for customer in world.enterprise_customers for row in world.enrollments(customer.uuid)]
    assert learners, "staging has learners to anonymise"
    for row in learners:
        for value in (row.user_email, row.user_username, f"{row.user_first_name} {row.user_last_name}",
                      f"{row.user_first_name}{row.user_last_name}"):
            assert value not in text
        assert f"enterprise_user_id: {row.enterprise_user_id}\n" not in text
    reviewers = {review.user for course in world.blendx_courses for review in course.reviews}
    assert reviewers and not any(f"user: {name}\n" in text for name in reviewers)
    viewers = {name for catalog in world.catalogs for name in catalog.viewers}
    recorded = [name for catalog in yaml.safe_load(text)["records"]["catalogs"].values() for name in catalog["viewers"]]
    assert viewers and recorded and viewers.isdisjoint(recorded)


def test_recording_the_same_target_twice_gives_the_same_file(recording, staging, tmp_path):
    _, out, _ = recording
    again = tmp_path / "staging.yaml"
    assert record(staging.url, again, "--no-verify") == 0
    assert again.read_bytes() == out.read_bytes()


def test_the_summary_counts_what_was_replaced_never_the_values(staging, tmp_path, capsys):
    out = tmp_path / "one.yaml"
    customer = "58152f7f-6d0e-41cf-862d-0a27c6fad72c"
    assert record(staging.url, out, "--only", f"enterprise-customer:{customer}") == 0
    summary = capsys.readouterr().out
    world = staging.app.runtime.world
    rows = world.enrollments(customer)
    assert f"user_email {len(rows)}" in summary
    assert f"identical" in summary and "differ" in summary
    for row in rows:
        assert row.user_email not in summary and row.user_email not in out.read_text()
