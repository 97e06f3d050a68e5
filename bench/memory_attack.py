"""Memory-attack benchmark: what one client with a valid token can make the server hold, against a budget.

    .venv/bin/python bench/memory_attack.py                  # default world, the issue's counts
    .venv/bin/python bench/memory_attack.py --pages 200      # a shorter run

Three attacks on one `mockserver serve` (default world, default limits), each from 4 client threads:

1. `--pages` distinct huge pages: `GET /catalog/v1/catalogs/1/courses/?limit=99999999&x=N` (about 2 MB
   each on the default world); before the byte-bounded cache, 1,200 of them took RSS from 72 MB to 2.8 GB;
2. `--headers` requests with a 1 MB header (431 past `--max-header-bytes`; before: journaled whole);
3. `--tokens` requests with distinct 400 KB JWTs (431 at the default header limit) and as many with
   distinct 7 KB tokens (just under the claims cache's 8 KiB per-token limit: the cache holds them).

The server's RSS is sampled every 50 ms; printed: RSS after start-up, the peak and the end of each phase,
the cache, journal and claims-cache counters of `/__admin/health`, and the peak against `--budget`
(300 MB). Exit status 1 over budget. Figures are information; traffic stays on loopback.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import jwt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PY, free_port, start  # noqa: E402

SECRET = "mockserver-local-signing-key-not-a-secret"  # the documented default signing key


class Sampler(threading.Thread):
    """Polls a process's RSS; `peak` is the highest seen since the last `reset`."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def rss(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def run(self) -> None:
        while not self.stop.wait(0.05):
            try:
                self.peak = max(self.peak, self.rss())
            except OSError:
                return


def mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"


def raw_request(port: int, header_bytes: int) -> int:
    """One GET with a header of `header_bytes` bytes, over a plain socket (clients refuse such headers)."""
    request = (b"GET /blendxapi/discovery/courses/ HTTP/1.1\r\nHost: 127.0.0.1\r\nactionsecret: your_secret\r\n"
               b"X-Attack: " + b"a" * header_bytes + b"\r\nConnection: close\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(request)
        return int(sock.recv(64)[9:12])


def token(n: int, pad: int) -> str:
    now = int(time.time())
    return jwt.encode({"sub": f"attacker-{n}", "iat": now, "exp": now + 600, "pad": "x" * pad}, SECRET,
                      algorithm="HS256")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--headers", type=int, default=1000)
    parser.add_argument("--tokens", type=int, default=300)
    parser.add_argument("--budget", type=int, default=300, help="MB of RSS the server may reach")
    parser.add_argument("--size", default="default")
    args = parser.parse_args()
    port = free_port()
    proc = start([PY, "-m", "mockserver", "serve", "--port", str(port), "--size", args.size,
                  "--clock", "2026-01-15"], port)
    url = f"http://127.0.0.1:{port}"
    sampler = Sampler(proc.pid)
    rows = []
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            bearer = client.post("/oauth2/v1/access_token", data={"grant_type": "client_credentials",
                                 "client_id": "attack", "token_type": "jwt"}).json()["access_token"]
            auth = {"Authorization": f"JWT {bearer}"}
            client.get("/catalog/v1/catalogs/1/courses/", headers=auth)
            baseline = sampler.rss()
            sampler.start()
            started = time.monotonic()

            def page(n: int) -> int:
                response = client.get("/catalog/v1/catalogs/1/courses/", params={"limit": 99999999, "x": n},
                                      headers=auth)
                return len(response.content)

            def phase(name: str, work, count: int) -> None:
                sampler.peak = sampler.rss()
                began = time.monotonic()
                with ThreadPoolExecutor(4) as pool:
                    results = list(pool.map(work, range(count)))
                rows.append((name, count, results, sampler.peak, sampler.rss(), time.monotonic() - began))

            phase("distinct 2 MB pages", page, args.pages)
            phase("1 MB headers", lambda n: raw_request(port, 1024 * 1024), args.headers)
            phase("400 KB tokens", lambda n: client.get("/catalog/v1/catalogs/", headers={
                "Authorization": f"JWT {token(n, 400_000)}"}).status_code, args.tokens)
            phase("7 KB tokens", lambda n: client.get("/catalog/v1/catalogs/", headers={
                "Authorization": f"JWT {token(n, 5_000)}"}).status_code, args.tokens)  # 5,000 pad: ~7 KB encoded
            memory = client.get("/__admin/health").json()["memory"]
            total = time.monotonic() - started
    finally:
        sampler.stop.set()
        proc.terminate()
        proc.wait(timeout=30)
    peak = max(row[3] for row in rows)
    print(f"memory attack on a {args.size} world (default limits), 4 client threads, {total:.0f} s")
    print(f"  RSS after start-up    {mb(baseline)}")
    for name, count, results, phase_peak, end, seconds in rows:
        what = (f"{mb(sum(results))} served" if isinstance(results[0], int) and results[0] > 1000
                else "answers " + ", ".join(sorted({str(r) for r in results})))
        print(f"  {name:<21} x{count}: {what}; RSS peak {mb(phase_peak)}, end {mb(end)} ({seconds:.0f} s)")
    print(f"  cache   {memory['cache']}")
    print(f"  journal {memory['journal']}")
    print(f"  claims  {memory['jwt_claims']}")
    print(f"  peak RSS {mb(peak)} against a budget of {args.budget} MB: {'within' if peak <= args.budget * 1e6 else 'OVER'}")
    return 0 if peak <= args.budget * 1e6 else 1


if __name__ == "__main__":
    sys.exit(main())
