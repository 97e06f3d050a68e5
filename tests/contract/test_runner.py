"""The contract runner's own behaviour against the mock: exit codes keep drift and "could not run" apart,
nothing unsafe is sent, and the domain checks are schemathesis checks that stay quiet outside a run."""

from __future__ import annotations

import pytest
import yaml

from mockserver.contract import DOMAIN_CHECKS, ContractOptions, Credentials, run_contract
from mockserver.contract.probes import PROBES
from mockserver.contract.report import rule_of
from mockserver.contract.runner import BUILTIN_CHECKS, DEFAULT_SPECS_DIR
from mockserver.contract.safety import SafetyPolicy, UnsafeRequestRefused
from mockserver.testing import free_port

from .conftest import ACTION_SECRET, CLIENT_ID, CLIENT_SECRET


def _options(url: str, **overrides) -> ContractOptions:
    values = dict(base_url=url, max_examples=2, seed=7,
                  credentials=Credentials(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, action_secret=ACTION_SECRET))
    values.update(overrides)
    return ContractOptions(**values)


def test_unreachable_target_is_exit_two_not_drift():
    result = run_contract(_options(f"http://127.0.0.1:{free_port()}"))
    assert result.exit_code == 2 and "unreachable" in result.setup_error and result.findings == []


def test_rejected_credentials_are_exit_two(clean_mock):
    result = run_contract(_options(clean_mock.url, credentials=Credentials(jwt="wrong-token", action_secret="x")))
    assert result.exit_code == 2 and "bad credentials" in result.setup_error and result.findings == []


def test_failed_token_exchange_is_exit_two(drifted_mock):
    # The drifted mock runs in strict mode and knows only our client: exit 2 comes before any drift is looked for.
    creds = Credentials(client_id=CLIENT_ID, client_secret="not-the-secret", action_secret=ACTION_SECRET)
    result = run_contract(_options(drifted_mock.url, credentials=creds))
    assert result.exit_code == 2 and "token exchange" in result.setup_error and result.findings == []
    assert "not-the-secret" not in result.setup_error


def test_missing_spec_is_exit_two(clean_mock, tmp_path):
    result = run_contract(_options(clean_mock.url, specs_dir=tmp_path))
    assert result.exit_code == 2 and "spec missing" in result.setup_error


def test_unsafe_operations_are_skipped_unless_allowed(clean_mock, tmp_path):
    spec = yaml.safe_load((DEFAULT_SPECS_DIR / "blendx.yaml").read_text())
    path = spec["paths"]["/blendxapi/discovery/course/{openedx_course_id}/"]
    path["delete"] = {"operationId": "blendx.delete_course", "parameters": path["get"].get("parameters", []),
                      "responses": {"204": {"description": "gone"}}}
    (tmp_path / "blendx.yaml").write_text(yaml.safe_dump(spec))
    clean_mock.recorder.seen.clear()
    result = run_contract(_options(clean_mock.url, specs_dir=tmp_path, apis=("blendx",), max_examples=1,
                                   credentials=Credentials(action_secret=clean_mock.settings.action_secret),
                                   permissive_auth=True))
    assert "DELETE" not in {method for method, _, _ in clean_mock.recorder.seen}
    skipped = result.operations["DELETE /blendxapi/discovery/course/{openedx_course_id}/"]
    assert skipped.skipped and skipped.cases == 0
    assert result.exit_code == 0, [(f.operation, f.pointer) for f in result.findings]


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


def test_domain_checks_are_registered_with_schemathesis_and_every_check_has_a_rule():
    from schemathesis.checks import CHECKS

    assert set(DOMAIN_CHECKS) <= set(CHECKS.get_all_names())
    for name in (*DOMAIN_CHECKS, *BUILTIN_CHECKS, *PROBES, "replay"):
        assert len(rule_of(name)) > 40 and rule_of(name) != name, name


def test_domain_checks_do_nothing_outside_a_contract_run(clean_mock):
    import schemathesis


    schema = schemathesis.openapi.from_path(DEFAULT_SPECS_DIR / "catalog.yaml")
    schema.config.update(base_url=clean_mock.url + "/catalog/v1", headers={"Authorization": "JWT not-a-token"})
    case = schema["/catalogs/"]["GET"].Case(query={"limit": 2})
    response = case.call()
    assert response.status_code in (400, 401)  # an error every domain check would have something to say about
    for check in DOMAIN_CHECKS.values():
        assert check(None, response, case) is None


def test_every_failure_class_has_its_own_code():
    import mockserver.contract.replay  # noqa: F401 - every module that defines failures is loaded
    import mockserver.contract.search_checks  # noqa: F401
    from mockserver.contract.failures import ContractDrift

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    codes = [cls.code for cls in subclasses(ContractDrift)]
    assert len(codes) >= 16 and len(codes) == len(set(codes)), sorted(codes)
