"""The contract runner against the real mock made to drift: each drift is reported at its operation and JSON
pointer by the check that owns it, nothing is reported where no drift was made, and the reports say so in
terms a reader who never saw this code can act on."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import jwt
import pytest

from mockserver.app import create_app
from mockserver.contract import ContractOptions, Credentials, run_contract
from mockserver.contract.command import build_parser, run
from mockserver.contract.report import REPORT_FILES, summary, write_reports
from mockserver.contract.redact import REDACTED, Redactor
from mockserver.testing import LiveServer

from .apps.drift import ALL, COLLATERAL, EXPECTED, DriftMiddleware
from .conftest import ACTION_SECRET, CLIENT_ID, CLIENT_SECRET, small_settings

CREDENTIALS = Credentials(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, action_secret=ACTION_SECRET)


def _run(url: str, **overrides):
    values = dict(base_url=url, max_examples=5, seed=7, credentials=CREDENTIALS)
    values.update(overrides)
    return run_contract(ContractOptions(**values))


SEEDS = (7, 1, 2, 3, 4)


@pytest.fixture(scope="module")
def drifted_runs(drifted_mock):
    """One run per seed: detection must not depend on what the fuzzer happened to draw."""
    return {seed: _run(drifted_mock.url, seed=seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def drifted_result(drifted_runs):
    return drifted_runs[SEEDS[0]]


def _shape(pointer: str) -> str:
    # The same rule broken at /results/0/x and /results/7/x is one drift, reported at the first item seen.
    return re.sub(r"/\d+(?=/|$)", "/*", pointer)


def _found(result) -> set[tuple[str, str, str]]:
    return {(f.operation, f.check, _shape(f.pointer)) for f in result.findings}


@pytest.mark.parametrize("drift", sorted(EXPECTED))
def test_each_drift_is_reported_at_its_operation_and_pointer_whatever_the_seed(drifted_runs, drift):
    operation, check, pointer = EXPECTED[drift]
    missed = [seed for seed, result in drifted_runs.items()
              if (operation, check, _shape(pointer)) not in _found(result)]
    assert missed == [], f"{drift} not found with seeds {missed}: {sorted(_found(drifted_runs[missed[0]]))}"


def test_auth_bypass_is_reported_first_in_every_report(drifted_result, tmp_path):
    bypasses = [f for f in drifted_result.findings if f.code == "MS112"]
    assert {f.operation for f in bypasses} >= {EXPECTED["accepts-alg-none"][0], EXPECTED["accepts-expired-jwt"][0]}
    assert any("alg: none" in str(f.expected) for f in bypasses)
    assert any("expired" in str(f.expected) for f in bypasses)
    paths = write_reports(drifted_result, tmp_path, Redactor())
    first_drift = paths["markdown"].read_text().split("\n### ", 1)[1]
    assert first_drift.startswith("1. Authentication bypass at `/status` — `auth_rejection`")
    assert "Authentication bypass" in paths["html"].read_text().split("<h3>", 1)[1].split("</h3>")[0]
    junit_first = next(ElementTree.parse(paths["junit"]).getroot().iter("failure"))
    assert junit_first.get("type") == "MS112"
    lines = summary(drifted_result).splitlines()
    assert len(lines) <= 24  # one screen
    assert next(line for line in lines if line.startswith(("  DRIFT", "  AUTH BYPASS"))).startswith("  AUTH BYPASS")


def test_a_broken_next_link_names_the_link_and_the_parameter(drifted_result):
    operation, check, pointer = EXPECTED["next-loses-page"]
    [finding] = [f for f in drifted_result.findings if (f.operation, f.check, f.pointer) == (operation, check, pointer)]
    assert finding.message.startswith("The next link http://127.0.0.1:") and "`page` parameter" in finding.message
    assert "it is missing" in finding.message


def test_the_html_report_renders_formatting_and_links_the_table_to_sections(drifted_result, tmp_path):
    page = write_reports(drifted_result, tmp_path, Redactor())["html"].read_text()
    outside_pre = re.sub(r"<pre>.*?</pre>", "", page, flags=re.S)
    assert "`" not in outside_pre and "**" not in outside_pre
    assert "<code>x-on-invalid</code>" in page  # a rule's Markdown, rendered
    links = set(re.findall(r"href='#(op-[a-z0-9-]+)'", page))
    sections = set(re.findall(r"<section id='(op-[a-z0-9-]+)'", page))
    assert links and links == sections
    assert "Generation: positive data only" in page and "<h2>The checks that ran</h2>" in page
    assert "<code>hostile_input</code> (probe)" in page and "<code>drf_pagination</code> (domain check)" in page


def test_a_curl_redacts_only_what_the_user_supplied(drifted_result):
    curls = [f.curl.lower() for f in drifted_result.findings]
    # The run sends a JWT and an action secret the user gave: redacted. It never sends a cookie of the user's.
    assert any("authorization: [redacted]" in c for c in curls) and any("actionsecret: [redacted]" in c for c in curls)
    assert not any("cookie: [redacted]" in c for c in curls)
    # The probes' forged credentials are not secrets: shown, so the curl says which probe it was.
    alg_none = next(f for f in drifted_result.findings if f.code == "MS112" and "alg: none" in str(f.expected))
    assert "authorization: JWT eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." in alg_none.curl


def test_drift_sets_exit_code_one_and_every_finding_has_a_reproducer(drifted_result):
    assert drifted_result.exit_code == 1
    for finding in drifted_result.findings:
        assert finding.curl.startswith(f"curl -X {finding.operation.split()[0]} 'http://127.0.0.1:"), finding
        assert finding.operation in drifted_result.operations
        assert finding.message and finding.occurrences >= 1


def test_a_changed_type_reads_as_json(drifted_result):
    [finding] = [f for f in drifted_result.findings if f.pointer == "/results/0/courses_count"]
    assert (finding.expected, finding.actual[0], finding.actual[-1]) == ('type: "integer"', '"', '"')


def test_reports_carry_operation_pointer_expected_actual_rule_and_curl(drifted_result, tmp_path):
    paths = write_reports(drifted_result, tmp_path, Redactor())
    junit = ElementTree.parse(paths["junit"]).getroot()
    failed = {case.get("name") for case in junit.iter("testcase") if case.find("failure") is not None}
    assert {operation for operation, _, _ in EXPECTED.values()} <= failed
    failure = next(f for f in junit.iter("failure") if "/has_more" in f.get("message"))
    assert "rule:" in failure.text and "curl -X GET" in failure.text
    drift_md = paths["markdown"].read_text()
    assert "DRIFT FOUND" in drift_md and "How to read" not in drift_md  # the explanation is prose, not a title
    section = drift_md.split("## `GET /blendxapi/discovery/courses/` (blendx)")[1].split("\n## ")[0]
    for text in ("at `/has_more`", "- operation: `GET /blendxapi/discovery/courses/`", "- expected: `", "- actual: `",
                 "curl -X GET 'http://127.0.0.1:", "actionsecret: [REDACTED]"):
        assert text in section, text
    assert "## The rules broken in this run" in drift_md and "- `blendx_paging`: BlendX list arithmetic" in drift_md
    page = paths["html"].read_text()
    assert "<code>/has_more</code>" in page and "<dt>rule</dt>" in page and "curl -X GET" in page


def test_a_single_drift_is_attributed_to_its_operation_only():
    with LiveServer(DriftMiddleware(create_app(small_settings()), drifts={"wrong-has-more"})) as server:
        result = _run(server.url, apis=("blendx",))
    assert _found(result) == {("GET /blendxapi/discovery/courses/", "blendx_paging", "/has_more")}


def test_the_mocks_own_xml_by_default_mode_is_drift_from_the_real_servers():
    # `enterprise_default_format="xml"` is the Enterprise document's claim (gt-4.13); the real routes answer JSON.
    with LiveServer(create_app(small_settings(enterprise_default_format="xml"))) as server:
        result = _run(server.url, apis=("enterprise",), max_examples=2)
    assert ("GET /v1/enterprise-catalogs", "enterprise_content_type", "/headers/Content-Type") in _found(result)
    assert {f.check for f in result.findings} <= {"enterprise_content_type", "content_type_conformance"}


def test_no_secret_reaches_any_output(drifted_mock, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MOCKSERVER_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("MOCKSERVER_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("ACTION_SECRET", ACTION_SECRET)
    monkeypatch.delenv("MOCKSERVER_JWT", raising=False)
    drifted_mock.recorder.seen.clear()
    args = build_parser().parse_args(["--base-url", drifted_mock.url, "--report-dir", str(tmp_path),
                                      "--max-examples", "3", "--seed", "3"])
    assert run(args) == 1  # the exchanged JWT worked (not 2), and the drifts were found
    out = capsys.readouterr()
    # The run's own JWT, not the auth probes' forged ones (issuer "contract-probe"): those are shown on purpose.
    jwts = {token for _, _, h in drifted_mock.recorder.seen
            if (token := h.get("authorization", "").removeprefix("JWT ")).startswith("ey")
            and jwt.decode(token, options={"verify_signature": False}).get("iss") != "contract-probe"}
    assert jwts, "the run used no JWT"
    # The wrong-error-family drift echoes the request's credentials in its body: value redaction must catch it.
    assert any(h.get("actionsecret") == ACTION_SECRET for _, p, h in drifted_mock.recorder.seen
               if p.startswith("/blendxapi/discovery/course/"))
    outputs = {"stdout": out.out, "stderr": out.err}
    outputs.update({p.name: p.read_text() for p in tmp_path.iterdir()})
    assert set(REPORT_FILES.values()) <= set(outputs)
    for name, text in outputs.items():
        for secret in (*jwts, ACTION_SECRET, CLIENT_SECRET):
            assert secret not in text, f"{secret[:8]}… leaked into {name}"
    assert REDACTED in outputs[REPORT_FILES["markdown"]] and REDACTED in outputs[REPORT_FILES["junit"]]
