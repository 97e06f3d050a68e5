"""Proxy-record with the real clients: they run unchanged through the proxy, then against the recording.

The clients are edx-rest-api-client's OAuthAPIClient (token + JWT session) and edx-enterprise-data's
enterprise_reporting catalog client (follows `next` links); both skip, with the reason, when not installed.
The proxy is the real `mockserver record --proxy` process, stopped with Ctrl-C (SIGINT) as a user would.
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import LiveServer, free_port

from clients.conftest import django_configured  # noqa: F401 - the fixture the clients need
from mockserver.cli import main
from mockserver.record.proxy import RecordingProxy
from mockserver.record.summary import Summary

from .conftest import CLOCK, jwt_headers

CATALOG = "0e871df0-6e43-4cfc-92cc-357ebf1fda75"


@pytest.fixture
def real_clients():
    pytest.importorskip("edx_rest_api_client.client", reason="edx-rest-api-client is not installed")
    pytest.importorskip("enterprise_reporting", reason="edx-enterprise-data is not installed")


def use_clients(base: str) -> dict:
    """What an integration does: every GET route through OAuthAPIClient, a catalog walk through the reporting
    client. Returns, per route, the ids and keys it was given, in order."""
    from clients.test_enterprise_reporting import _install_stand_ins
    from edx_rest_api_client.client import OAuthAPIClient

    api = OAuthAPIClient(base, "integration-client", "secret", timeout=(5, 30))
    seen = {}

    def get(path):
        response = api.get(base + path)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:200]}"
        body = response.json()
        seen[path] = [item.get("key") or item.get("uuid") or item.get("id") or item.get("enrollment_id")
                      for item in body.get("results", [])] if "results" in body else body.get("id")
        return body

    catalogs = get("/catalog/v1/catalogs/")
    first = catalogs["results"][0]["id"]
    get(f"/catalog/v1/catalogs/{first}/")
    get(f"/catalog/v1/catalogs/{first}/courses/")
    enterprise = get("/enterprise/v1/enterprise-catalogs")["results"][0]
    get(f"/enterprise/v2/enterprise-catalogs/{enterprise['uuid']}")
    get(f"/enterprise/v3/enterprise-customer/{enterprise['enterprise_customer']}/learner-summary")

    os.environ.update({"LMS_OAUTH_HOST": base, "LMS_OAUTH_KEY": "reporting-client", "LMS_OAUTH_SECRET": "secret"})
    _install_stand_ins()
    reporting = importlib.import_module("enterprise_reporting.clients.enterprise")

    class CatalogContent(reporting.EnterpriseCatalogAPIClient):
        LMS_OAUTH_HOST = base  # read from the environment once, at import
        API_BASE_URL = base + "/enterprise/v2/"
        GET_CONTENT_METADATA_ENDPOINT = "enterprise-catalogs/{}"
        PAGE_SIZE = 3

    items = CatalogContent().get_content_metadata({"results": [{"uuid": CATALOG}]})
    assert items and {item["content_type"] for item in items} <= {"course", "courserun", "program"}
    seen["reporting walk"] = [item.get("key") or item.get("uuid") for item in items]
    return seen


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the proxy did not start")


def test_clients_pass_through_the_proxy_and_against_the_recording(staging, tmp_path, real_clients,
                                                                  django_configured):  # noqa: F811
    out, port = tmp_path / "used.yaml", free_port()
    proxy = subprocess.Popen([sys.executable, "-m", "mockserver", "record", "--proxy", staging.url, "--port",
                              str(port), "--out", str(out), "--clock", CLOCK], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        wait_for_port(port, proxy)
        through_proxy = use_clients(f"http://127.0.0.1:{port}")
    finally:
        proxy.send_signal(signal.SIGINT)
        stdout, stderr = proxy.communicate(timeout=120)
    assert proxy.returncode == 0, stderr.decode()
    summary = stdout.decode()
    assert "replayed 11 recorded request(s)" in summary, summary
    with LiveServer(create_app(Settings(seed=1, scenarios=(out,)))) as served:
        against_recording = use_clients(served.url)
    # The clients pass, and are given the same records in the same order. Values a partial read cannot pin
    # (the count of a list read to page 1 only, seat types of a run seen only in a list) are in the summary.
    assert against_recording == through_proxy
    assert "enterprise.get_learner_summary: count" in summary


def test_the_proxy_rewrites_links_refuses_writes_and_keeps_no_credentials(staging):
    import httpx

    summary = Summary()
    proxy = RecordingProxy(staging.url, summary)
    with LiveServer(proxy) as served:
        headers = jwt_headers(served.url)
        page = httpx.get(f"{served.url}/enterprise/v2/enterprise-catalogs/{CATALOG}", headers=headers).json()
        assert page["next"].startswith(served.url + "/"), page["next"]
        refused = httpx.delete(f"{served.url}/catalog/v1/catalogs/1/", headers=headers)
        assert refused.status_code == 405
    assert [x.operation for x in proxy.exchanges] == ["enterprise.get_enterprise_catalog"], "token POST not kept"
    assert ("request", "DELETE refused by the proxy (read-only)") in summary.skipped
    assert headers["Authorization"].removeprefix("JWT ") not in repr(proxy.exchanges)


def test_a_port_in_use_is_a_clear_error(staging, tmp_path, capsys):
    port = int(staging.url.rsplit(":", 1)[1])
    assert main(["record", "--proxy", staging.url, "--port", str(port), "--out", str(tmp_path / "x.yaml")]) == 2
    assert f"could not listen on 127.0.0.1:{port}" in capsys.readouterr().err
    assert not (tmp_path / "x.yaml").exists()
