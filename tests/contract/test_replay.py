"""Consumer-driven runs: a journal recorded from a real client library (edx-rest-api-client) replays against the
mock it was recorded on with exit 0, and against the drifted mock it names exactly the client's calls that broke."""

from __future__ import annotations

import json

import pytest

from mockserver.app import create_app
from mockserver.contract.command import build_parser, run
from mockserver.contract.report import REPORT_FILES
from mockserver.testing import LiveServer, dump_journal

from clients.conftest import django_configured  # noqa: F401 - a fixture (tests/ is on sys.path, as for every conftest)
from .apps.drift import DriftMiddleware
from .conftest import ACTION_SECRET, CLIENT_ID, CLIENT_SECRET, small_settings

client_module = pytest.importorskip(
    "edx_rest_api_client.client",
    reason="edx-rest-api-client is not installed (make test installs requirements-clients.txt when it can)")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, django_configured):  # noqa: F811
    """The journal of a real client's session against the mock, and that mock (kept running as the reference)."""
    app = create_app(small_settings())
    with LiveServer(app) as server:
        api = client_module.OAuthAPIClient(server.url, CLIENT_ID, CLIENT_SECRET, timeout=(5, 30))
        catalog = api.get(f"{server.url}/catalog/v1/catalogs/").json()["results"][0]["id"]
        enterprise = api.get(f"{server.url}/enterprise/v1/enterprise-catalogs").json()["results"][0]
        for path in (f"/catalog/v1/catalogs/{catalog}/", f"/catalog/v1/catalogs/{catalog}/courses/",
                     f"/enterprise/v2/enterprise-catalogs/{enterprise['uuid']}",
                     f"/enterprise/v3/enterprise-customer/{enterprise['enterprise_customer']}/learner-summary"):
            assert api.get(server.url + path).status_code == 200, path
        path = tmp_path_factory.mktemp("journal") / "journal.json"
        dump_journal(app, path)
        yield path, server.url


def _replay(journal, target: str, mock: str, report_dir, capsys, action_secret=ACTION_SECRET) -> tuple[int, str, str]:
    args = build_parser().parse_args(["--requests", str(journal), "--base-url", target, "--mock-url", mock,
                                      "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
                                      "--action-secret", action_secret, "--report-dir", str(report_dir), "--quiet"])
    code = run(args)
    return code, capsys.readouterr().out, (report_dir / REPORT_FILES["markdown"]).read_text()


def test_the_dump_is_the_admin_export_without_credentials(recorded):
    journal, _ = recorded
    data = json.loads(journal.read_text())
    assert data["total"] == len(data["requests"]) == 7  # one token exchange, six GETs
    assert {e["method"] for e in data["requests"]} == {"GET", "POST"}
    assert all(e["headers"].get("authorization") in (None, "[redacted]") for e in data["requests"])


def test_the_clients_calls_still_work_on_the_mock_they_were_recorded_on(recorded, tmp_path, capsys):
    journal, mock = recorded
    code, out, report = _replay(journal, mock, mock, tmp_path, capsys)
    assert code == 0, out
    assert "replayed 7 requests: 6 still work, 0 broken, 1 not replayed" in out
    assert report.count("| still works on the target |") == 6
    assert "not replayed: the OAuth token exchange" in report


def test_the_drifted_target_names_the_calls_that_broke(recorded, tmp_path, capsys):
    journal, mock = recorded
    with LiveServer(DriftMiddleware(create_app(small_settings()))) as target:
        code, out, report = _replay(journal, target.url, mock, tmp_path, capsys)
    assert code == 1, out
    rows = {line.split("|")[2].strip(): line.split("|")[6].strip() for line in report.splitlines()
            if line.startswith("| ") and "`GET " in line}
    broken = {request for request, verdict in rows.items() if verdict.startswith("BROKEN")}
    # courses_count became a string; the detail answers text/plain; XML by default; a v2 course_api_url.
    assert any(r.startswith("`GET /catalog/v1/catalogs/`") for r in broken), rows
    assert any(r.startswith("`GET /catalog/v1/catalogs/") and r.endswith("/`") and "courses" not in r
               for r in broken), rows
    assert "`GET /enterprise/v1/enterprise-catalogs`" in broken, rows
    assert any("learner-summary" in r for r in broken), rows
    verdicts = " ".join(rows.values())
    assert "/results/0/courses_count is a string, the mock's is a number" in verdicts
    assert "Content-Type text/plain, the mock answers application/json" in verdicts
    assert "Content-Type application/xml, the mock answers application/json" in verdicts
    assert "url_shapes at /results/0/course_api_url" in verdicts
    assert "BROKEN #" in out


def test_a_journal_dumped_by_the_pytest_plugin_replays(mockserver_client, mockserver_journal, mockserver_server,
                                                        mockserver_token, tmp_path, capsys):
    # What an integrator's own test suite does: call the mock, dump what was asked, replay it against a target.
    catalogs = mockserver_client.get("/catalog/v1/catalogs/", headers={"Authorization": f"JWT {mockserver_token}"})
    assert catalogs.status_code == 200
    assert mockserver_client.get("/blendxapi/discovery/courses/?search=python",
                                 headers={"actionsecret": "your_secret"}).status_code == 200
    mockserver_journal.dump(tmp_path / "journal.json")
    assert json.loads((tmp_path / "journal.json").read_text())["format"] == "mockserver-journal/1"
    code, out, _ = _replay(tmp_path / "journal.json", mockserver_server.url, mockserver_server.url, tmp_path, capsys,
                           action_secret="your_secret")
    assert code == 0 and "replayed 2 requests: 2 still work, 0 broken, 0 not replayed" in out, out


def test_credentials_the_target_refuses_are_exit_two_not_a_working_replay(recorded, tmp_path, capsys):
    journal, mock = recorded
    args = build_parser().parse_args(["--requests", str(journal), "--base-url", mock, "--jwt", "not-a-token",
                                      "--action-secret", "wrong", "--report-dir", str(tmp_path), "--quiet"])
    assert run(args) == 2
    assert "bad credentials" in capsys.readouterr().out
