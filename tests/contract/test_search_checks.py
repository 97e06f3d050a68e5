"""The search-semantics contract checks (`mockserver.contract.search_checks`) against mocks of each backend.

A mock running either backend conforms, the backend inferred from its first answer and stated in the report;
told the other backend, the differences are reported as search drift (shape, word matching, the syntax-error
500). Runs are limited to the BlendX spec (where the search route lives) and few examples; the mock's session
handling is declared (`permissive_auth`) as in tests/contract/test_mock_contract.py, auth is not what is tested.
"""

from __future__ import annotations

import pytest

from mockserver.app import create_app
from mockserver.contract import ContractOptions, Credentials, run_contract
from mockserver.contract.report import markdown
from mockserver.testing import LiveServer

from .conftest import ACTION_SECRET, CLIENT_ID, CLIENT_SECRET, small_settings

CREDENTIALS = Credentials(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, action_secret=ACTION_SECRET)
SEARCH = "POST /search/course_discovery/"
OTHER = {"elasticsearch": "meilisearch", "meilisearch": "elasticsearch"}


@pytest.fixture(scope="module", params=sorted(OTHER))
def mock(request):
    with LiveServer(create_app(small_settings(search_backend=request.param))) as server:
        yield request.param, server


def run(url: str, told: str | None):
    return run_contract(ContractOptions(base_url=url, apis=("blendx",), max_examples=3, seed=7,
                                        credentials=CREDENTIALS, search_backend=told, permissive_auth=True))


def test_a_mock_of_either_backend_conforms_and_the_report_names_the_inferred_backend(mock):
    backend, server = mock
    result = run(server.url, None)
    assert result.exit_code == 0, [(f.check, f.pointer, f.message) for f in result.findings]
    assert result.notes == [f"edx-search backend: {backend} (inferred from its first answer)"]
    assert f"- edx-search backend: {backend} (inferred from its first answer)" in markdown(result)
    assert result.operations[SEARCH].cases > 0


def test_told_the_other_backend_the_differences_are_search_drift(mock):
    backend, server = mock
    result = run(server.url, OTHER[backend])
    assert result.exit_code == 1
    assert result.notes == [f"edx-search backend: {OTHER[backend]} (declared (--search-backend))"]
    found = {(f.operation, f.check, f.pointer) for f in result.findings}
    assert {f.operation for f in result.findings} == {SEARCH}
    assert (SEARCH, "search_backend_shape", "/results/0/score" if backend == "meilisearch" else "/results/0") in found
    assert (SEARCH, "search_semantics", "/status") in found  # the unbalanced quote: 500 on one, 200 on the other
