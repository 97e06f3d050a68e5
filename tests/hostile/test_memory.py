"""Issue 8's memory findings, replayed: distinct huge responses, huge headers, oversized tokens, and what the
journal keeps. Each asserts the bound (a status, the byte counters of `/__admin/health`), never a timing."""

from __future__ import annotations

import gc
import socket
import time
import tracemalloc

import httpx
import jwt
import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.auth import SIGNING_ALGORITHM
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK, LiveServer, token_for

PAGE = "/catalog/v1/catalogs/1/courses/"


def make(**settings) -> tuple:
    app = create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small", **settings))
    client = TestClient(app, base_url="http://localhost")
    return app, client, {"Authorization": f"JWT {token_for(app)}"}


def memory(client) -> dict:
    return client.get("/__admin/health").json()["memory"]


def test_distinct_huge_pages_are_not_cached_and_the_cache_stays_in_budget():
    _, client, headers = make(cache_bytes=100_000)
    sizes = []
    for n in range(20):
        response = client.get(PAGE, params={"limit": 99999999, "x": n}, headers=headers)
        assert response.status_code == 200
        sizes.append(len(response.content))
    assert min(sizes) > 100_000  # every one of them is over the whole budget
    stats = memory(client)["cache"]
    assert stats["skipped_too_large"] == 20 and stats["entries"] == 0
    for n in range(200):  # small distinct pages: kept, but only as many as the budget holds
        client.get(PAGE, params={"limit": 1, "x": n}, headers=headers)
    stats = memory(client)["cache"]
    assert 0 < stats["bytes"] <= stats["max_bytes"] == 100_000
    assert stats["entries"] < 200


def test_a_cache_budget_of_zero_turns_the_cache_off_and_answers_stay_the_same():
    _, cached, headers = make()
    _, uncached, _ = make(cache_bytes=0)
    for _ in range(2):
        assert cached.get(PAGE, headers=headers).content == uncached.get(PAGE, headers=headers).content
    assert memory(uncached)["cache"]["entries"] == 0 and memory(cached)["cache"]["entries"] == 1


def test_the_cache_and_journal_count_the_bytes_they_hold():
    # Distinct small pages: each kept body, key and header list, and each journal entry, as tracemalloc
    # sees them (orjson's bodies kept their 8-32 KB write buffers; headers' objects were not counted).
    _, client, headers = make()
    urls = [f"{PAGE}?limit=1&x={n}" for n in range(150)]
    for url in urls:  # materialise what the pages show, so that only what is kept grows below
        client.get(url, headers=headers)
    client.delete("/__admin/scenarios")  # a swap: the cache starts empty
    client.delete("/__admin/requests")
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for url in urls:
            assert client.get(url, headers=headers).status_code == 200
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    stats = memory(client)
    assert stats["cache"]["entries"] == 150
    counted = stats["cache"]["bytes"] + stats["journal"]["bytes"]
    assert counted >= 0.8 * held, (counted, held)


def test_a_huge_search_string_counts_in_the_cache_and_is_not_kept():
    _, client, headers = make()
    before = memory(client)["cache"]
    for n in range(3):
        response = client.post("/search/course_discovery/", data={"search_string": "a" * 600_000 + str(n)},
                               headers=headers)
        assert response.status_code == 200
    after = memory(client)["cache"]
    assert after["skipped_too_large"] == before["skipped_too_large"] + 3  # each key is over the entry limit
    assert after["bytes"] < 100_000


def test_request_headers_over_the_limit_are_431():
    _, client, headers = make(max_header_bytes=16_384)
    response = client.get(PAGE, headers={**headers, "x-padding": "p" * 20_000})
    assert response.status_code == 431
    assert response.json() == {"detail": "Request Header Fields Too Large"}
    assert client.get(PAGE, headers={**headers, "x-padding": "p" * 10_000}).status_code == 200


def test_a_huge_header_through_a_real_server_is_431_and_the_server_keeps_serving():
    app = create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small"))
    with LiveServer(app) as server:
        request = (b"GET /blendxapi/discovery/courses/ HTTP/1.1\r\nHost: localhost\r\nactionsecret: your_secret\r\n"
                   b"X-Big: " + b"b" * (1024 * 1024) + b"\r\nConnection: close\r\n\r\n")
        with socket.create_connection((server.host, server.port), timeout=30) as sock:
            sock.sendall(request)
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 431")
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/blendxapi/discovery/courses/", headers={"actionsecret": "your_secret"}).status_code == 200
            assert client.get("/__admin/health").json()["memory"]["journal"]["bytes"] < 64 * 1024


def test_the_journal_cuts_long_values_and_keeps_to_its_byte_budget():
    _, client, headers = make(journal_bytes=200_000, max_header_bytes=1024 * 1024)
    for n in range(100):
        client.get("/blendxapi/discovery/courses/", params={"q": "q" * 10_000},
                   headers={"actionsecret": "your_secret", "x-big": "b" * 100_000, "x-n": str(n)})
    stats = memory(client)["journal"]
    assert stats["bytes"] <= 200_000
    listing = client.get("/__admin/requests")
    entries = listing.json()["requests"]
    assert 0 < len(entries) < 100
    assert entries[-1]["headers"]["x-n"] == "99"  # the newest are kept
    assert entries[-1]["headers"]["x-big"].endswith(f"...[truncated {100_000 - 2048} bytes]")
    assert len(entries[-1]["query"]) < 2100
    assert entries[-1]["headers"]["actionsecret"] == "[redacted]"
    assert len(listing.content) < 300_000


def _big_token(app, size: int) -> str:
    now = int(time.time())
    claims = {"sub": "big", "preferred_username": "big", "iat": now, "exp": now + 600, "pad": "x" * size}
    return jwt.encode(claims, app.runtime.auth.jwt_secret, algorithm=SIGNING_ALGORITHM)


@pytest.mark.parametrize("mode", ["permissive", "strict"])
def test_oversized_tokens_are_checked_but_never_cached(mode):
    app, client, _ = make(auth_mode=mode, max_header_bytes=1024 * 1024)
    before = memory(client)["jwt_claims"]["entries"]
    for n in range(5):
        token = _big_token(app, 400_000 + n)
        assert client.get("/catalog/v1/catalogs/", headers={"Authorization": f"JWT {token}"}).status_code == 200
    assert memory(client)["jwt_claims"]["entries"] == before
    small = _big_token(app, 10)
    assert client.get("/catalog/v1/catalogs/", headers={"Authorization": f"JWT {small}"}).status_code == 200
    assert memory(client)["jwt_claims"]["entries"] == before + 1


def test_an_oversized_token_at_the_default_header_limit_is_431():
    app, client, _ = make()
    token = _big_token(app, 400_000)
    assert client.get("/catalog/v1/catalogs/", headers={"Authorization": f"JWT {token}"}).status_code == 431
