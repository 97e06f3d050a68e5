"""`mockserver scenario check` exit codes and output, `serve --scenario` refusing a bad file, and the
published JSON Schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from jsonschema import Draft7Validator

from mockserver.cli import main
from mockserver.scenarios.schema import SCHEMA_PATH, schema_text
from mockserver.settings import PROJECT_ROOT

GOOD = PROJECT_ROOT / "scenarios" / "flaky-endpoint.yaml"
BROKEN = Path(__file__).parent / "broken"


def test_check_passes_good_files(capsys):
    assert main(["scenario", "check", str(GOOD), str(PROJECT_ROOT / "scenarios" / "partial-errors.yaml")]) == 0
    assert "ok: 2 scenario file(s)" in capsys.readouterr().out


def test_check_reports_every_problem_with_file_line_and_field_and_exits_1(capsys):
    files = [str(BROKEN / "05-unknown-top-level-field.yaml"), str(BROKEN / "32-record-field-typo.yaml")]
    assert main(["scenario", "check", "--separately", *files]) == 1
    err = capsys.readouterr().err
    assert "05-unknown-top-level-field.yaml:3:1: behavior: unknown field 'behavior'" in err
    assert "32-record-field-typo.yaml:5:7: records.courses.MITx+6.00x.titel: unknown field 'titel'" in err
    assert "2 problem(s) in 2 file(s)" in err


def test_check_exit_codes_from_the_real_command():
    run = lambda *args: subprocess.run([sys.executable, "-m", "mockserver", "scenario", "check", *args],  # noqa: E731
                                       capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert run(str(GOOD)).returncode == 0
    broken = run(str(BROKEN / "06-seed-not-integer.yaml"))
    assert broken.returncode == 1
    assert "06-seed-not-integer.yaml:2:7: seed:" in broken.stderr
    assert run().returncode == 2  # no FILE: a usage error


def test_serve_refuses_to_start_on_a_bad_scenario(capsys):
    assert main(["serve", "--port", "1", "--scenario", str(BROKEN / "06-seed-not-integer.yaml")]) == 2
    assert "06-seed-not-integer.yaml:2:7: seed: expected integer" in capsys.readouterr().err


def test_published_schema_is_current_and_valid():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), \
        "run `python -m mockserver.scenarios.schema --write`"
    Draft7Validator.check_schema(json.loads(schema_text()))


def test_schema_describes_every_field_for_editors():
    schema = json.loads(schema_text())
    for name, node in schema["properties"].items():
        assert node.get("description"), f"{name} has no description"
