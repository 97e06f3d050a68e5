"""Load benchmark: the mock's hot routes against the bare-Starlette ceiling, measured in the same run.

    make bench                    # default: 5 s per target, 32 connections
    .venv/bin/python bench/run.py --seconds 10 --connections 64

Each target runs in its own uvicorn process (httptools, no access log) on 127.0.0.1, loaded by `wrk`
(Debian package). Results are printed as a table with req/s, p50, p99, the ratio to the baseline and the
server's CPU time per request (user + system, read from /proc around each run: on a shared 2-core machine
req/s moves with whatever else runs, CPU per request much less). They are information, never assertions.
Traffic stays on loopback and every run is bounded by `--seconds`. `--markdown` prints the table as
Markdown (the form docs/performance.md quotes).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], port: int, env=None) -> subprocess.Popen:
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-2000:])
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server on {port} did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 where it is not available)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(proc: subprocess.Popen, url: str, seconds: int, connections: int, headers: dict[str, str]) -> dict:
    """One wrk run, with the server's CPU time per request over the same run."""
    before = cpu_seconds(proc.pid)
    result = wrk(url, seconds, connections, headers)
    requests = result["rps"] * seconds
    result["cpu_us"] = (cpu_seconds(proc.pid) - before) / requests * 1e6 if requests else 0.0
    return result


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str], script: str | None = None) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": lat.get("50", "?"), "p99": lat.get("99", "?"), "errors": int(non2xx.group(1)) if non2xx else 0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--size", default="default", help="world size of the mock under test")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2

    rows = []
    port = free_port()
    base = start([PY, "-m", "uvicorn", "bench.baseline_app:app", "--port", str(port), "--no-access-log",
                  "--log-level", "warning", "--http", "httptools"], port)
    try:
        time.sleep(0.5)
        wrk(f"http://127.0.0.1:{port}/bench", 1, args.connections, {})
        rows.append(("bare Starlette, precomputed bytes (ceiling)",
                     measured(base, f"http://127.0.0.1:{port}/bench", args.seconds, args.connections, {})))
    finally:
        base.terminate()
        base.wait()

    port = free_port()
    env = dict(os.environ)
    mock = start([PY, "-m", "mockserver", "serve", "--port", str(port), "--size", str(args.size),
                  "--clock", "2026-01-15"], port, env)
    try:
        url = f"http://127.0.0.1:{port}"
        token = httpx.post(f"{url}/oauth2/v1/access_token",
                           data={"grant_type": "client_credentials", "client_id": "bench", "token_type": "jwt"}).json()["access_token"]
        jwt = {"Authorization": f"JWT {token}"}
        secret = {"actionsecret": "your_secret"}
        targets = [
            ("catalog list", "/catalog/v1/catalogs/", jwt),
            ("catalog courses page", "/catalog/v1/catalogs/1/courses/", jwt),
            ("enterprise catalog page", "/enterprise/v2/enterprise-catalogs/3f56a21c-76c8-47c0-add8-a99714d40d94", jwt),
            ("learner summary page", "/enterprise/v3/enterprise-customer/58152f7f-6d0e-41cf-862d-0a27c6fad72c/learner-summary", jwt),
            ("blendx filtered page", "/blendxapi/discovery/courses/?limit=20&tags=health&order_by=display_name.asc", secret),
            ("404 (no auth needed)", "/catalog/v1/nothing/", {}),
        ]
        for label, path, headers in targets:
            wrk(url + path, 1, args.connections, headers)
            rows.append((f"mock: {label}", measured(mock, url + path, args.seconds, args.connections, headers)))
    finally:
        mock.terminate()
        mock.wait()

    ceiling = rows[0][1]["rps"]
    load = os.getloadavg()[0]
    if args.markdown:
        print(f"\n| target | req/s | p50 | p99 | vs ceiling | server CPU/req | non-2xx |\n|---|---:|---:|---:|---:|---:|---:|")
        for label, r in rows:
            print(f"| {label} | {r['rps']:,.0f} | {r['p50']} | {r['p99']} | {r['rps'] / ceiling:.2f} | "
                  f"{r['cpu_us']:.0f} us | {r['errors']} |")
    else:
        print(f"\n{'target':50} {'req/s':>9} {'p50':>9} {'p99':>9} {'vs ceiling':>10} {'CPU/req':>9} {'non-2xx':>8}")
        for label, r in rows:
            print(f"{label:50} {r['rps']:>9.0f} {r['p50']:>9} {r['p99']:>9} {r['rps'] / ceiling:>10.2f} "
                  f"{r['cpu_us']:>6.0f} us {r['errors']:>8}")
    print(f"\nload average at the end: {load:.1f} on {os.cpu_count()} cores")
    print("\nReference points measured on this machine (stack-notes): Prism static 2,231 req/s, "
          "Prism dynamic 349 req/s, connexion AsyncApp endpoint 1,738 req/s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
