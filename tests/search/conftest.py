"""A client per search backend on the default test world (one app each, shared by the module's tests)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK

URL = "/search/course_discovery/"


def backend_client(backend: str) -> TestClient:
    app = create_app(Settings(clock=DEFAULT_TEST_CLOCK, search_backend=backend))
    return TestClient(app, base_url="http://testserver")


class Search:
    """POSTs forms to the search route and walks whole result sets."""

    def __init__(self, client: TestClient):
        self.client = client

    def __call__(self, **form):
        return self.client.post(URL, data={k: str(v) for k, v in form.items()})

    def body(self, **form) -> dict:
        response = self(**form)
        assert response.status_code == 200, response.text
        return response.json()

    def hits(self, **form) -> list[dict]:
        out, index = [], 0
        while True:
            results = self.body(page_size=100, page_index=index, **form)["results"]
            if not results:
                return out
            out += results
            index += 1

    def ids(self, **form) -> set[str]:
        return {h["_id"] for h in self.hits(**form)}


@pytest.fixture(scope="session")
def es() -> Search:
    return Search(backend_client("elasticsearch"))


@pytest.fixture(scope="session")
def meili() -> Search:
    return Search(backend_client("meilisearch"))
