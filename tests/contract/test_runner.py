"""The contract runner against fixture targets: a clean one conforms, each drift is caught where it happens,
nothing unsafe is sent, no secret reaches an output, and the exit codes keep drift and "could not run" apart."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
import yaml

from mockserver.contract import DOMAIN_CHECKS, ContractOptions, Credentials, run_contract
from mockserver.contract.command import build_parser, run
from mockserver.contract.report import REPORT_FILES, write_reports
from mockserver.contract.redact import Redactor
from mockserver.contract.safety import SafetyPolicy, UnsafeRequestRefused

from .apps import mini
from .apps.drift import ALL, EXPECTED, DriftMiddleware
from .apps.server import free_port, serve

CREDENTIALS = Credentials(jwt=mini.JWT, action_secret=mini.ACTION_SECRET)


def _options(url: str, **overrides) -> ContractOptions:
    values = dict(base_url=url, specs_dir=mini.SPECS_DIR, max_examples=8, seed=7, credentials=CREDENTIALS)
    values.update(overrides)
    return ContractOptions(**values)


@pytest.fixture(scope="module")
def clean_result(clean_target):
    url, seen = clean_target
    seen.clear()
    result = run_contract(_options(url))
    return result, list(seen)


@pytest.fixture(scope="module")
def drifted_result(drifted_target):
    return run_contract(_options(drifted_target))


def test_clean_target_conforms(clean_result):
    result, _ = clean_result
    assert [(f.operation, f.check, f.pointer) for f in result.findings] == []
    assert result.errors == []
    assert result.exit_code == 0
    assert all(op.cases > 0 for op in result.operations.values()), result.operations


def test_clean_run_sends_only_read_only_requests(clean_result):
    _, seen = clean_result
    unsafe = {(m, p) for m, p in seen if m != "GET" and (m, p) != ("POST", "/search/course_discovery/")}
    assert seen and unsafe == set()


def test_drift_fixture_has_at_least_twelve_distinct_drifts():
    assert len(ALL) >= 12 and set(EXPECTED) == ALL


@pytest.mark.parametrize("drift", sorted(EXPECTED))
def test_each_drift_is_reported_at_its_operation_and_pointer(drifted_result, drift):
    operation, check, pointer = EXPECTED[drift]
    found = [(f.operation, f.check, f.pointer) for f in drifted_result.findings]
    assert (operation, check, pointer) in found, found


def test_drift_sets_exit_code_one_and_every_finding_has_a_reproducer(drifted_result):
    assert drifted_result.exit_code == 1
    for finding in drifted_result.findings:
        assert finding.curl.startswith("curl -X "), finding
        assert finding.operation in drifted_result.operations


def test_a_single_drift_is_attributed_to_its_operation_only():
    with serve(DriftMiddleware(mini.create_app(), drifts={"wrong-has-more"})) as url:
        result = run_contract(_options(url, apis=("blendx",)))
    assert {(f.operation, f.check, f.pointer) for f in result.findings} == {
        ("GET /blendxapi/discovery/courses/", "blendx_paging", "/has_more")
    }


def test_reports_carry_operation_pointer_expected_actual_and_curl(drifted_result, tmp_path):
    paths = write_reports(drifted_result, tmp_path, Redactor())
    junit = ElementTree.parse(paths["junit"]).getroot()
    failed = {case.get("name") for case in junit.iter("testcase") if case.find("failure") is not None}
    assert {operation for operation, _, _ in EXPECTED.values()} <= failed
    drift_md = paths["markdown"].read_text()
    assert "`/has_more`" in drift_md and "curl -X GET" in drift_md and "DRIFT FOUND" in drift_md
    assert "/has_more" in paths["html"].read_text()


def test_no_secret_reaches_any_output(drifted_target, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MOCKSERVER_CLIENT_ID", mini.CLIENT_ID)
    monkeypatch.setenv("MOCKSERVER_CLIENT_SECRET", mini.CLIENT_SECRET)
    monkeypatch.setenv("ACTION_SECRET", mini.ACTION_SECRET)
    monkeypatch.delenv("MOCKSERVER_JWT", raising=False)
    args = build_parser().parse_args([
        "--base-url", drifted_target, "--specs-dir", str(mini.SPECS_DIR), "--report-dir", str(tmp_path),
        "--max-examples", "5", "--seed", "3",
    ])
    assert run(args) == 1  # the exchanged JWT worked (not 2), and the drifts were found
    out = capsys.readouterr()
    outputs = {"stdout": out.out, "stderr": out.err}
    outputs.update({p.name: p.read_text() for p in tmp_path.iterdir()})
    assert set(REPORT_FILES.values()) <= set(outputs)
    for name, text in outputs.items():
        for secret in (mini.JWT, mini.ACTION_SECRET, mini.CLIENT_SECRET):
            assert secret not in text, f"{secret[:8]}… leaked into {name}"
    assert "[REDACTED]" in outputs[REPORT_FILES["markdown"]]


def test_unreachable_target_is_exit_two_not_drift():
    result = run_contract(_options(f"http://127.0.0.1:{free_port()}"))
    assert result.exit_code == 2 and "unreachable" in result.setup_error and result.findings == []


def test_rejected_credentials_are_exit_two(clean_target):
    url, _ = clean_target
    result = run_contract(_options(url, credentials=Credentials(jwt="wrong-token", action_secret=mini.ACTION_SECRET)))
    assert result.exit_code == 2 and "bad credentials" in result.setup_error


def test_failed_token_exchange_is_exit_two(clean_target):
    url, _ = clean_target
    creds = Credentials(client_id=mini.CLIENT_ID, client_secret="not-the-secret", action_secret=mini.ACTION_SECRET)
    result = run_contract(_options(url, credentials=creds))
    assert result.exit_code == 2 and "token exchange" in result.setup_error


def test_missing_spec_is_exit_two(clean_target, tmp_path):
    url, _ = clean_target
    result = run_contract(_options(url, specs_dir=tmp_path))
    assert result.exit_code == 2 and "spec missing" in result.setup_error


def test_unsafe_operations_are_skipped_unless_allowed(clean_target, tmp_path):
    url, seen = clean_target
    spec = yaml.safe_load((mini.SPECS_DIR / "blendx.yaml").read_text())
    path = spec["paths"]["/blendxapi/discovery/course/{openedx_course_id}/"]
    path["delete"] = {"operationId": "blendx.delete_course", "parameters": path["get"]["parameters"],
                      "responses": {"204": {"description": "gone"}}}
    (tmp_path / "blendx.yaml").write_text(yaml.safe_dump(spec))
    seen.clear()
    result = run_contract(_options(url, specs_dir=tmp_path, apis=("blendx",)))
    assert "DELETE" not in {method for method, _ in seen}
    skipped = result.operations["DELETE /blendxapi/discovery/course/{openedx_course_id}/"]
    assert skipped.skipped and skipped.cases == 0


def test_safety_policy_guards_methods_origins_and_rate():
    policy = SafetyPolicy("https://staging.example.org")
    policy.guard("GET", "https://staging.example.org/catalog/v1/catalogs/")
    policy.guard("POST", "https://staging.example.org/search/course_discovery/")
    with pytest.raises(UnsafeRequestRefused):
        policy.guard("DELETE", "https://staging.example.org/catalog/v1/catalogs/1/")
    with pytest.raises(UnsafeRequestRefused):
        policy.guard("GET", "https://elsewhere.example.org/catalog/v1/catalogs/")
    assert policy.default_rate_limit() == "5/s"
    assert SafetyPolicy("http://127.0.0.1:8000").default_rate_limit() is None
    assert SafetyPolicy("https://x.example.org", allow_unsafe_methods=True).method_allowed("DELETE", "/x")


def test_domain_checks_are_registered_with_schemathesis_and_documented():
    from schemathesis.checks import CHECKS

    names = set(CHECKS.get_all_names())
    assert set(DOMAIN_CHECKS) <= names
    for name, check in DOMAIN_CHECKS.items():
        assert check.__doc__ and len(check.__doc__) > 40, name


def test_domain_checks_do_nothing_outside_a_contract_run(clean_target):
    import schemathesis

    url, _ = clean_target
    schema = schemathesis.openapi.from_path(mini.SPECS_DIR / "catalog.yaml")
    schema.config.update(base_url=url + "/catalog/v1", headers={"Authorization": "JWT " + mini.JWT})
    case = schema["/catalogs/"]["GET"].Case(query={"limit": 2})
    response = case.call()
    for check in DOMAIN_CHECKS.values():
        assert check(None, response, case) is None
