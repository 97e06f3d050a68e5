"""The served process bounds a request's head on the socket (mockserver/protocol.py): a header that never ends is
cut after the cap instead of being buffered, while a large head still gets the pipeline's 431 and bodies pass."""

from __future__ import annotations

import socket

import httpx
import pytest

from mockserver.testing import free_port

from _serve import serve_process

MIB = 1 << 20


@pytest.fixture(scope="module")
def served():
    port = free_port()
    proc = serve_process(port, "--size", "small", "--max-header-bytes", "8192")
    yield f"http://127.0.0.1:{port}", port
    proc.terminate()
    proc.wait(timeout=30)


def test_a_header_that_never_ends_is_cut_not_buffered(served):
    _, port = served
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET /catalog/v1/catalogs/ HTTP/1.1\r\nHost: localhost\r\nX-Endless: ")
        accepted, answer = 0, b""
        try:
            for _ in range(64):  # the old server read all 64 MiB, waiting for the header's end
                sock.sendall(b"a" * MIB)
                accepted += 1
            answer = sock.recv(200)
        except (ConnectionResetError, BrokenPipeError):
            pass  # cut while sending: the answer can be lost with the reset
        except TimeoutError:
            pytest.fail(f"the server kept reading: {accepted} MiB of one header accepted and no answer")
    assert accepted < 64 or answer.startswith(b"HTTP/1.1 431"), (accepted, answer)


def test_a_large_head_gets_the_apis_431_and_large_bodies_still_pass(served):
    url, _ = served
    refused = httpx.get(f"{url}/catalog/v1/catalogs/", headers={"X-Big": "a" * 9000})
    assert refused.status_code == 431 and refused.json() == {"detail": "Request Header Fields Too Large"}
    form = httpx.post(f"{url}/search/course_discovery/", data={"search_string": "a" * MIB})
    assert form.status_code == 200
    assert httpx.get(f"{url}/__admin/health").status_code == 200, "the server goes on"
