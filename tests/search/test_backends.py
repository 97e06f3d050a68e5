"""What holds for every backend (`mockserver.search`), and choosing one: `--search-backend`,
`MOCKSERVER_SEARCH_BACKEND`, a scenario's `search: {backend: …}`, the default, and clear errors for an unknown
name. Both backends: a facet's count for a value is the total of the same search filtered by that value."""

from __future__ import annotations

import subprocess
import sys

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.cli import build_parser, settings_from_args
from mockserver.settings import Settings, SettingsError
from mockserver.testing import DEFAULT_TEST_CLOCK

URL = "/search/course_discovery/"


def shape(client) -> str:
    hit = client.post(URL, data={"page_size": "1"}).json()["results"][0]
    return "elasticsearch" if "score" in hit else "meilisearch"


def test_the_default_is_elasticsearch():
    assert Settings().search_backend == "elasticsearch"
    client = TestClient(create_app(Settings(clock=DEFAULT_TEST_CLOCK, size="small")))
    assert shape(client) == "elasticsearch"


def test_the_environment_and_the_flag_choose_the_flag_winning():
    assert Settings.from_env({"MOCKSERVER_SEARCH_BACKEND": "meilisearch"}).search_backend == "meilisearch"
    args = build_parser().parse_args(["serve", "--search-backend", "elasticsearch"])
    assert settings_from_args(args).search_backend == "elasticsearch"


def test_an_unknown_backend_is_refused_by_name():
    with pytest.raises(SettingsError, match="MOCKSERVER_SEARCH_BACKEND: 'solr': expected one of elasticsearch, meilisearch"):
        Settings.from_env({"MOCKSERVER_SEARCH_BACKEND": "solr"})
    result = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--search-backend", "solr"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--search-backend" in result.stderr and "solr" in result.stderr


def test_a_scenario_switches_the_backend_and_unloading_it_switches_back():
    app = create_app(Settings(clock=DEFAULT_TEST_CLOCK, size="small", allowed_hosts=("testserver",)))
    with TestClient(app, base_url="http://testserver") as client:
        assert shape(client) == "elasticsearch"
        loaded = client.post("/__admin/scenarios", content=b"name: meili\nsearch: {backend: meilisearch}\n",
                             headers={"content-type": "application/yaml"}, params={"replace": "true"})
        assert loaded.status_code == 200, loaded.text
        assert shape(client) == "meilisearch"
        assert client.get("/__admin/scenarios").json()["search_backend"] == "meilisearch"
        refused = client.post("/__admin/scenarios", content=b"name: bad\nsearch: {backend: solr}\n",
                              headers={"content-type": "application/yaml"}, params={"replace": "true"})
        assert refused.status_code == 422 and "solr" in refused.text
        assert shape(client) == "meilisearch"
        client.delete("/__admin/scenarios")
        assert shape(client) == "elasticsearch"


@pytest.mark.parametrize("backend", ["es", "meili"])
@pytest.mark.parametrize("text", ["", "python data", "health"])
def test_facet_counts_are_the_totals_of_the_filtered_searches(request, backend, text):
    search = request.getfixturevalue(backend)
    body = search.body(search_string=text)
    for name in ("org", "modes", "language"):
        for value, count in body["aggs"][name]["terms"].items():
            assert search.body(search_string=text, **{name: value})["total"] == count, (name, value)
