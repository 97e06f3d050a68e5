"""The crawl's bounds and safety rules, through the CLI."""

from __future__ import annotations

import yaml

from mockserver.cli import main

from .conftest import ACTION_SECRET, CLOCK

CATALOG = "0e871df0-6e43-4cfc-92cc-357ebf1fda75"


def record(url, out, *extra) -> int:
    return main(["record", "--base-url", url, "--out", str(out), "--clock", CLOCK, "--client-id", "qa",
                 "--client-secret", "s", "--action-secret", ACTION_SECRET, "--no-verify", *extra])


def test_max_requests_bounds_the_crawl_and_says_so(staging, tmp_path, capsys):
    staging.capture.seen.clear()
    assert record(staging.url, tmp_path / "b.yaml", "--max-requests", "5", "--quiet") == 0
    sent = [s for s in staging.capture.seen if not s.path.startswith("/oauth2/")]
    assert len(sent) == 5
    assert "--max-requests 5 reached" in capsys.readouterr().out


def test_only_starts_from_one_enterprise_catalog_and_what_it_reaches(staging, tmp_path, capsys):
    staging.capture.seen.clear()
    out = tmp_path / "one.yaml"
    assert record(staging.url, out, "--only", f"enterprise-catalog:{CATALOG}", "--quiet") == 0
    paths = {s.path for s in staging.capture.seen if not s.path.startswith("/oauth2/")}
    enterprise = {p for p in paths if p.startswith(f"/enterprise/v2/enterprise-catalogs/{CATALOG}")}
    blendx = {p for p in paths if p.startswith("/blendxapi/discovery/course/")}
    assert enterprise | blendx == paths, paths
    assert len(enterprise) > 3, "the catalog's content details are followed"
    assert blendx, "and the BlendX courses of the runs they name"
    records = yaml.safe_load(out.read_text())["records"]
    assert list(records["enterprise_catalogs"]) == [CATALOG]
    world = staging.app.runtime.world
    expected = [ref.key for ref in world.enterprise_catalog(CATALOG).content if world.content_active(ref)]
    assert [item["key"] for item in records["enterprise_catalogs"][CATALOG]["content"]] == expected


def test_only_read_methods_are_sent_and_progress_is_shown(staging, tmp_path, capsys):
    staging.capture.seen.clear()
    assert record(staging.url, tmp_path / "all.yaml", "--max-requests", "60") == 0
    methods = {(s.method, s.path) for s in staging.capture.seen if s.method != "GET"}
    assert methods <= {("POST", "/search/course_discovery/"), ("POST", "/oauth2/v1/access_token")}
    assert "record: 50 requests" in capsys.readouterr().err


def test_bad_flags_are_usage_errors(staging, tmp_path, capsys):
    assert record(staging.url, tmp_path / "x.yaml", "--only", "nonsense") == 2
    assert "--only 'nonsense'" in capsys.readouterr().err
    assert record("ftp://example.org", tmp_path / "x.yaml") == 2
    assert record(staging.url, tmp_path / "x.yaml", "--rate-limit", "fast") == 2
    assert "--rate-limit 'fast'" in capsys.readouterr().err
    assert not (tmp_path / "x.yaml").exists()


def test_credentials_are_never_written_or_printed(staging, tmp_path, capsys):
    out = tmp_path / "c.yaml"
    secret = "qa-client-secret-never-shown-9c1e"
    assert main(["record", "--base-url", staging.url, "--out", str(out), "--clock", CLOCK, "--client-id", "qa",
                 "--client-secret", secret, "--action-secret", ACTION_SECRET, "--only", "catalog:1"]) == 0
    captured = capsys.readouterr()
    for text in (out.read_text(), captured.out, captured.err):
        assert secret not in text and ACTION_SECRET not in text
