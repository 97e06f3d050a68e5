"""`mockserver serve` flags that only a real server shows: proxy headers are off unless asked for."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from mockserver.testing import free_port

CATALOGS = "/catalog/v1/catalogs/?limit=1"


def _serve(port: int, *flags: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--port", str(port), "--size", "small",
                             *flags], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/__admin/health", timeout=1)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


@pytest.mark.parametrize("flags,scheme", [((), "http"), (("--proxy-headers",), "https"),
                                          (("--forwarded-allow-ips", "10.0.0.1"), "http")])
def test_forwarded_proto_is_trusted_only_with_proxy_headers_from_an_allowed_address(flags, scheme):
    port = free_port()
    proc = _serve(port, *flags)
    try:
        token = httpx.post(f"http://127.0.0.1:{port}/oauth2/v1/access_token", data={
            "grant_type": "client_credentials", "client_id": "cli", "token_type": "jwt"}).json()["access_token"]
        page = httpx.get(f"http://127.0.0.1:{port}{CATALOGS}", headers={
            "Authorization": f"JWT {token}", "X-Forwarded-Proto": "https"}).json()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert page["next"].startswith(f"{scheme}://127.0.0.1:{port}/catalog/v1/catalogs/")
