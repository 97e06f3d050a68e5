"""The mock conforms to its own specs: the contract run over every API against the served mock finds no drift.

The mock runs with default settings on 127.0.0.1 under uvicorn, as `mockserver serve` runs it, and the runner
reaches it through the client-credentials exchange at /oauth2/v1/access_token, exactly like a CI job against
staging. Its default auth mode is permissive by design (any unexpired JWT, any session cookie): the run declares
it (`permissive_auth`), and the probes that mode lets through are listed as skipped, not reported. In strict
mode the mock refuses every probe.
"""

from __future__ import annotations

from xml.etree import ElementTree

import httpx
import pytest

from mockserver.contract import ContractOptions, Credentials, run_contract, write_reports
from mockserver.contract.redact import Redactor

from mockserver.app import create_app
from mockserver.testing import LiveServer

from .conftest import ACTION_SECRET, CLIENT_ID, CLIENT_SECRET, small_settings


@pytest.fixture(scope="module")
def mock_result(clean_mock):
    clean_mock.recorder.seen.clear()
    credentials = Credentials(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                              action_secret=clean_mock.settings.action_secret)
    result = run_contract(ContractOptions(base_url=clean_mock.url, max_examples=10, seed=1, credentials=credentials,
                                          permissive_auth=True))
    return result, list(clean_mock.recorder.seen)


def _described(result) -> list[str]:
    return [f"{f.operation} {f.pointer} [{f.check}] {f.message.splitlines()[0]}" for f in result.findings]


def test_mock_has_no_drift(mock_result):
    result, _ = mock_result
    assert result.setup_error is None
    assert _described(result) == []
    assert result.errors == []
    assert result.exit_code == 0


def test_the_probes_permissive_mode_lets_through_are_listed_as_skipped(mock_result):
    result, _ = mock_result
    notes = {op.operation: " ".join(op.notes) for op in result.operations.values()}
    assert "JWT signed with an unknown key" in notes["GET /catalogs/"] and "permissive" in notes["GET /catalogs/"]
    assert "JWT with alg: none" in notes["GET /v1/enterprise-catalogs"]
    assert "session cookie never issued" in notes["GET /blendxapi/discovery/courses/"]
    assert "JWT expired" not in " ".join(notes.values())  # an expired token is refused in every mode: still probed


def test_undeclared_permissive_mode_is_reported_as_auth_bypass(clean_mock):
    credentials = Credentials(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                              action_secret=clean_mock.settings.action_secret)
    result = run_contract(ContractOptions(base_url=clean_mock.url, max_examples=1, seed=1, credentials=credentials,
                                          apis=("catalog",)))
    assert result.exit_code == 1
    assert {(f.check, f.code, f.pointer) for f in result.findings} == {("auth_rejection", "MS112", "/status")}
    assert {str(f.expected) for f in result.findings} == {"401 for a request with JWT signed with an unknown key",
                                                          "401 for a request with JWT with alg: none"}


def test_strict_mock_refuses_every_probe_and_has_no_drift():
    with LiveServer(create_app(small_settings())) as server:
        credentials = Credentials(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, action_secret=ACTION_SECRET)
        result = run_contract(ContractOptions(base_url=server.url, max_examples=5, seed=2, credentials=credentials))
    assert result.setup_error is None and result.errors == []
    assert _described(result) == []
    assert result.exit_code == 0
    # Every probe was sent: nothing skipped for a permissive mode.
    assert not any("permissive" in note for op in result.operations.values() for note in op.notes)


def test_every_read_only_operation_was_exercised(mock_result):
    result, _ = mock_result
    assert len(result.operations) == 12
    untested = [op.operation for op in result.operations.values() if op.skipped or op.cases == 0]
    assert untested == []


def test_the_run_sends_only_read_only_requests(mock_result):
    _, seen = mock_result
    allowed_posts = {"/search/course_discovery/", "/oauth2/v1/access_token"}
    unsafe = {(method, path) for method, path, _ in seen if method != "GET" and path not in allowed_posts}
    assert seen and unsafe == set()


def test_reports_of_a_clean_run_say_it_conforms(mock_result, tmp_path):
    result, _ = mock_result
    paths = write_reports(result, tmp_path, Redactor())
    assert "**CONFORMS** (exit 0)" in paths["markdown"].read_text()
    junit = ElementTree.parse(paths["junit"]).getroot()
    assert [c.get("name") for c in junit.iter("testcase") if len(c)] == []  # no failure, error or skip
    assert len(list(junit.iter("testcase"))) == 12


def test_blendx_page_far_past_the_end_is_an_empty_page(clean_mock):
    # Found by the contract runner: the echoed offset outgrew 64 bits and the mock answered 500 problem+json.
    page = 4642987994642820096
    response = httpx.get(f"{clean_mock.url}/blendxapi/discovery/courses/", params={"page": page, "limit": 99},
                         headers={"actionsecret": clean_mock.settings.action_secret})
    assert response.status_code == 200
    body = response.json()
    assert (body["courses"], body["has_more"], body["page"], body["offset"]) == ([], False, page, (page - 1) * 99)
