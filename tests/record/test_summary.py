"""What the records cannot express is reported per field in the summary, never guessed or silently dropped."""

from __future__ import annotations

from mockserver.cli import main

from .conftest import ACTION_SECRET, CLOCK, ODD_CONTENT_TYPE, UNMODELLED

CATALOG = "0e871df0-6e43-4cfc-92cc-357ebf1fda75"


def test_an_unmodelled_field_and_an_unknown_content_type_are_reported(odd_staging, tmp_path, capsys):
    out = tmp_path / "odd.yaml"
    code = main(["record", "--base-url", odd_staging.url, "--out", str(out), "--clock", CLOCK, "--client-id", "qa", "--client-secret", "s",
                 "--action-secret", ACTION_SECRET, "--only", "catalog:1", "--only", f"enterprise-catalog:{CATALOG}",
                 "--quiet"])
    summary = capsys.readouterr().out
    assert code == 0, summary
    lines = summary.splitlines()
    unmodelled = [line for line in lines if f"results[].{UNMODELLED}" in line]
    assert unmodelled and "catalog.list_catalog_courses" in unmodelled[0] and "unmodelled field" in unmodelled[0]
    odd = [line for line in lines if "content_type" in line and ODD_CONTENT_TYPE in line]
    assert odd and "enterprise.get_enterprise_catalog" in odd[0]
    assert UNMODELLED not in out.read_text() and ODD_CONTENT_TYPE not in out.read_text(), "reported, not guessed"


def test_strict_turns_what_cannot_be_reproduced_into_exit_1(odd_staging, tmp_path, capsys):
    code = main(["record", "--base-url", odd_staging.url, "--out", str(tmp_path / "odd.yaml"), "--clock", CLOCK,
                 "--client-id", "qa", "--client-secret", "s", "--only", "catalog:1", "--strict", "--quiet"])
    assert code == 1
    assert UNMODELLED in capsys.readouterr().out


def test_a_faithful_target_replays_identically(staging, tmp_path, capsys):
    code = main(["record", "--base-url", staging.url, "--out", str(tmp_path / "one.yaml"), "--clock", CLOCK,
                 "--client-id", "qa", "--client-secret", "s", "--only", f"enterprise-catalog:{CATALOG}", "--strict",
                 "--quiet"])
    summary = capsys.readouterr().out
    assert code == 0, summary
    assert "not expressible" not in summary
