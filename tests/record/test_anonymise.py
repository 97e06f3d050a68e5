"""Anonymisation through the CLI: keyed, deterministic, consistent pseudonyms; --keep, --anonymise, --salt."""

from __future__ import annotations

import yaml

from mockserver.cli import main
from mockserver.record.anonymise import Anonymiser, salt_file

from .conftest import ACTION_SECRET, CLOCK, jwt_headers

CUSTOMER = "58152f7f-6d0e-41cf-862d-0a27c6fad72c"


def record(url, out, *extra) -> int:
    return main(["record", "--base-url", url, "--out", str(out), "--clock", CLOCK, "--client-id", "qa",
                 "--client-secret", "s", "--action-secret", ACTION_SECRET, "--quiet", "--no-verify", *extra])


def rows(path) -> list[dict]:
    return list(yaml.safe_load(path.read_text())["records"]["enrollments"].values())


def test_same_learner_same_pseudonym_and_ids_stay_integers(staging, tmp_path):
    out = tmp_path / "a.yaml"
    assert record(staging.url, out, "--only", f"enterprise-customer:{CUSTOMER}") == 0
    world = staging.app.runtime.world
    originals = {row.enrollment_id: row for row in world.enrollments(CUSTOMER)}
    recorded = yaml.safe_load(out.read_text())["records"]["enrollments"]
    by_learner: dict = {}
    for eid, row in recorded.items():
        original = originals[int(eid)]
        assert row["user_email"] != original.user_email and row["user_email"].endswith("@example.invalid")
        assert isinstance(row["enterprise_user_id"], int) and row["enterprise_user_id"] != original.enterprise_user_id
        by_learner.setdefault(original.user_email, set()).add((row["user_email"], row["user_username"],
                                                               row["enterprise_user_id"]))
        assert row["course_title"] == original.course_title, "public catalog data stays"
    assert by_learner and all(len(pseudonyms) == 1 for pseudonyms in by_learner.values())
    assert len({next(iter(p)) for p in by_learner.values()}) == len(by_learner), "different learners stay apart"


def test_keep_anonymise_and_salt(staging, tmp_path):
    default, kept, salted = tmp_path / "d.yaml", tmp_path / "k.yaml", tmp_path / "s.yaml"
    only = ("--only", f"enterprise-customer:{CUSTOMER}")
    assert record(staging.url, default, *only) == 0
    assert record(staging.url, kept, *only, "--keep", "user_email", "--anonymise", "user_country_code") == 0
    assert record(staging.url, salted, *only, "--salt", "our-own-salt-4f2a") == 0
    originals = {row.enrollment_id: row for row in staging.app.runtime.world.enrollments(CUSTOMER)}
    for row in rows(kept):
        original = next(o for o in originals.values() if o.user_email == row["user_email"])
        assert row["user_country_code"] != original.user_country_code or original.user_country_code is None
        assert row["user_username"] != original.user_username
    assert {r["user_email"] for r in rows(default)}.isdisjoint({r["user_email"] for r in rows(salted)})
    assert "our-own-salt-4f2a" not in salted.read_text()
    assert "(--keep): user_email" in kept.read_text().splitlines()[2]


def test_keep_of_a_field_that_is_not_anonymised_is_a_usage_error(staging, tmp_path, capsys):
    assert record(staging.url, tmp_path / "x.yaml", "--keep", "course_title") == 2
    assert "--keep course_title" in capsys.readouterr().err
    assert not (tmp_path / "x.yaml").exists()


def test_without_a_salt_recordings_use_the_users_own_private_salt(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "one"))
    first, again = Anonymiser(), Anonymiser()
    assert first.pseudonym("user_id", 42) == again.pseudonym("user_id", 42)  # stable on one machine
    assert salt_file().stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "two"))
    # another user's salt: nobody can recompute the pseudonym of a guessed id without this user's file
    assert Anonymiser().pseudonym("user_id", 42) != first.pseudonym("user_id", 42)


def test_integer_pseudonyms_of_many_learners_stay_distinct():
    anonymiser = Anonymiser("a salt")
    assert len({anonymiser.pseudonym("user_id", n) for n in range(20_000)}) == 20_000


def test_learner_values_in_requests_get_the_pseudonyms_of_the_bodies(staging):
    """A client may name a learner in a request (a filter, a per-learner path); the recording, the replay and the
    summary see the same pseudonym there as in the bodies, never the original."""
    import httpx

    from mockserver.record.convert import convert
    from mockserver.record.proxy import RecordingProxy
    from mockserver.record.summary import Summary
    from mockserver.testing import LiveServer

    learner = next(row for row in staging.app.runtime.world.enrollments(CUSTOMER)
                   if row.user_email and row.user_username and row.enterprise_user_id)
    summary = Summary()
    proxy = RecordingProxy(staging.url, summary)
    with LiveServer(proxy) as served:
        headers = jwt_headers(served.url)
        base = f"{served.url}/enterprise/v3/enterprise-customer/{CUSTOMER}"
        httpx.get(f"{base}/learner-summary", headers=headers, params={
            "user_email": learner.user_email, "enterprise_user_id": str(learner.enterprise_user_id),
            "search": learner.user_username, "page_size": "100"})
        httpx.get(f"{base}/learners/{learner.user_username}/", headers=headers)  # a route no spec has
    exchanges = proxy.exchanges
    anonymiser = Anonymiser("a salt")
    anonymiser.exchanges(exchanges, summary)
    convert(exchanges, summary, staging.settings.clock, 1)
    listed, unknown = exchanges
    query = dict(listed.query)
    email, username = anonymiser.pseudonym("email", learner.user_email), \
        anonymiser.pseudonym("username", learner.user_username)
    row = next(r for r in listed.body["results"] if r["user_email"] == email)  # the body's pseudonym ...
    assert query["user_email"] == email  # ... is the query's
    assert query["enterprise_user_id"] == str(row["enterprise_user_id"])
    assert query["search"] == username, "a username under another parameter is still recognised"
    assert query["page_size"] == "100", "ordinary values stay"
    assert unknown.path == f"/enterprise/v3/enterprise-customer/{CUSTOMER}/learners/{username}/"
    kept = repr(exchanges) + summary.render()
    for original in (learner.user_email, learner.user_username):
        assert original not in kept


def test_a_catalogs_viewers_are_pseudonyms_and_no_username_is_left_in_the_file(staging, tmp_path):
    out = tmp_path / "viewers.yaml"
    assert record(staging.url, out, "--only", "catalog:1") == 0
    originals = staging.app.runtime.world.catalog(1).viewers
    assert originals, "the staging world's catalog 1 has viewers"
    recorded = yaml.safe_load(out.read_text())["records"]["catalogs"]
    viewers = next(iter(recorded.values()))["viewers"]
    assert len(viewers) == len(originals) and all(v.startswith("learner-") for v in viewers)
    anonymiser = Anonymiser(salt=None)
    assert viewers == [anonymiser.pseudonym("username", name) for name in originals], "the user's own salt, in order"
    text = out.read_text()
    assert not [name for name in originals if name in text]
