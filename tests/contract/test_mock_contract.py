"""The mock conforms to its own specs: `mockserver contract --api all` against the served mock finds no drift.

The mock is served on 127.0.0.1 with uvicorn (as a user would run it) and reached through the client-credentials
exchange at /oauth2/v1/access_token, exactly like a CI job against staging.
"""

from __future__ import annotations

import pytest

from mockserver.contract import ContractOptions, Credentials, run_contract

from .apps.server import serve

app_module = pytest.importorskip("mockserver.app")
settings_module = pytest.importorskip("mockserver.settings")


@pytest.fixture(scope="module")
def mock_result():
    settings = settings_module.Settings()
    credentials = Credentials(client_id="contract-tests", client_secret="contract-tests-secret",
                              action_secret=getattr(settings, "action_secret", None))
    with serve(app_module.create_app(settings)) as url:
        yield run_contract(ContractOptions(base_url=url, max_examples=10, seed=1, credentials=credentials))


def test_mock_has_no_drift(mock_result):
    drifts = [f"{f.operation} {f.pointer} [{f.check}] {f.message.splitlines()[0] if f.message else ''}"
              for f in mock_result.findings]
    assert mock_result.setup_error is None
    assert drifts == []
    assert mock_result.errors == []
    assert mock_result.exit_code == 0


def test_every_read_only_operation_was_exercised(mock_result):
    untested = [op.operation for op in mock_result.operations.values() if not op.skipped and op.cases == 0]
    assert untested == []
