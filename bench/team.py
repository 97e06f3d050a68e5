"""Team deployments under load: one process, `--workers 2`, and replicas sharing Redis, in the same run.

    .venv/bin/python bench/team.py [--seconds 5] [--connections 32] [--repeat 3] [--markdown]

Every row serves the same mixed workload (`bench/run.py`'s four APIs' lists, pages and details, round robin
in one wrk script) from a small world with the same seed and clock:

- `1 process, embedded state` — the baseline: a single `mockserver serve`, as without any of this;
- `--workers 2` — one port, two workers sharing a private redis-server (aim: >= 1.7x the baseline on 2 cores);
- `1 process, --state redis` — the baseline with its journal going to Redis: per-process cost of shared
  state (aim: >= 80% of the baseline);
- `2 replicas, --state redis` — two processes on one Redis, each loaded by its own wrk at the same time
  (total, and per process against the baseline).

Then the time a scenario loaded through one replica takes to be served by the other (polled; median and
max of several loads). Server CPU per request is the servers' user + system time (their child processes
included) over the requests served. On a shared machine req/s moves with everything else that runs: read
the ratios, which come from the same run. Information, never assertions. Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PY, cpu_seconds, free_port, lua_script, mixed_workloads, start, wrk  # noqa: E402

CLOCK = "2026-01-15"
PROPAGATION_LOADS = 7


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return found


def cpu_of(pids: list[int]) -> float:
    return sum(cpu_seconds(p) for pid in pids for p in tree(pid))


def serve(*args: str, processes: int = 1) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = start([PY, "-m", "mockserver", "serve", "--port", str(port), "--size", "small", "--clock", CLOCK, *args],
                 port)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the port opens before every worker has built its world
        try:
            if len(httpx.get(f"{url}/__admin/health", timeout=2).json().get("replicas", [])) >= processes:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return proc, url


def load(procs: list[subprocess.Popen], urls: list[str], script: str, seconds: int, connections: int,
         processes: int) -> dict:
    """One wrk per URL, all at once; total req/s and CPU per request of the servers."""
    for url in urls:
        wrk(url + "/", 1, connections, {}, script)  # warm-up
    before = cpu_of([p.pid for p in procs])
    results: list[dict] = []
    threads = [threading.Thread(target=lambda u=url: results.append(wrk(u + "/", seconds, connections, {}, script)))
               for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    used = cpu_of([p.pid for p in procs]) - before
    rps = sum(r["rps"] for r in results)
    return {"rps": rps, "p50": "/".join(r["p50"] for r in results), "p99": "/".join(r["p99"] for r in results),
            "errors": sum(r["errors"] for r in results), "cpu_us": used / (rps * seconds) * 1e6 if rps else 0.0,
            "processes": processes}


def propagation(urls: list[str], jwt: dict) -> list[float]:
    """Seconds from a scenario load's answer on replica 1 until replica 2 serves it, for several loads."""
    times = []
    for n in range(PROPAGATION_LOADS):
        status = 418 if n % 2 == 0 else 503
        scenario = f"name: p{n}\nbehaviours:\n  - operation: catalog.list_catalogs\n    respond: {{status: {status}}}\n"
        httpx.post(f"{urls[0]}/__admin/scenarios", content=scenario, params={"replace": "true"},
                   headers={"content-type": "application/yaml"}, timeout=30).raise_for_status()
        started = time.monotonic()
        with httpx.Client(headers=jwt) as client:
            while client.get(f"{urls[1]}/catalog/v1/catalogs/").status_code != status:
                if time.monotonic() - started > 10:
                    break
                time.sleep(0.002)
        times.append(time.monotonic() - started)
    httpx.delete(f"{urls[0]}/__admin/scenarios")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="measure every row N times, keep each row's best")
    args = parser.parse_args()
    for binary in ("wrk", "redis-server"):
        if not shutil.which(binary):
            print(f"{binary} is not installed (apt-get install {binary})", file=sys.stderr)
            return 2

    work = Path(tempfile.mkdtemp(prefix="mockserver-bench-team-"))
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(work)], stdout=subprocess.DEVNULL)
    state = f"redis://127.0.0.1:{redis_port}/0"
    rows: list[tuple[str, dict]] = []
    running: list[subprocess.Popen] = []
    try:
        time.sleep(0.3)
        proc, url = serve()
        running.append(proc)
        token = httpx.post(f"{url}/oauth2/v1/access_token",
                           data={"grant_type": "client_credentials", "client_id": "bench",
                                 "token_type": "jwt"}).json()["access_token"]
        jwt = {"Authorization": f"JWT {token}"}
        requests = [r for reqs in mixed_workloads(url, jwt, {"actionsecret": "your_secret"}).values() for r in reqs]
        script = lua_script(requests, work / "mixed.lua")

        # Every deployment runs from the start; the rows are measured in turn, `--repeat` times, keeping
        # each row's best run (the machine's other load moves every run).
        workers, workers_url = serve("--workers", "2", processes=2)
        single, single_url = serve("--state", state.replace("/0", "/1"))
        pair = [serve("--state", state) for _ in range(2)]
        running += [workers, single, *(p for p, _ in pair)]
        deployments = [
            ("1 process, embedded state (baseline)", [proc], [url], 1),
            ("--workers 2 (private redis-server)", [workers], [workers_url], 2),
            ("1 process, --state redis", [single], [single_url], 1),
            ("2 replicas, --state redis (each its own wrk)", [p for p, _ in pair], [u for _, u in pair], 2),
        ]
        delays = propagation([u for _, u in pair], jwt)
        best: dict[str, dict] = {}
        for _ in range(max(1, args.repeat)):
            for label, procs, urls, processes in deployments:
                result = load(procs, urls, script, args.seconds, args.connections, processes)
                if label not in best or result["rps"] > best[label]["rps"]:
                    best[label] = result
        rows = [(label, best[label]) for label, *_ in deployments]
    finally:
        for p in running:
            if p.poll() is None:
                p.terminate()
                p.wait()
        redis.terminate()
        redis.wait()
        shutil.rmtree(work, ignore_errors=True)

    base = rows[0][1]
    header = ("| deployment | req/s | per process | per process vs baseline | total vs baseline | p50 | p99 | "
              "server CPU/req | non-2xx |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n" + header if args.markdown else "")
    for label, r in rows:
        per = r["rps"] / r["processes"]
        cells = [label, f"{r['rps']:,.0f}", f"{per:,.0f}", f"{per / base['rps']:.2f}", f"{r['rps'] / base['rps']:.2f}",
                 r["p50"], r["p99"], f"{r['cpu_us']:.0f} us", str(r["errors"])]
        print("| " + " | ".join(cells) + " |" if args.markdown else "  ".join(f"{c:>12}" for c in cells))
    print(f"\nScenario loaded on replica 1, served by replica 2 after: median {statistics.median(delays) * 1000:.0f} ms, "
          f"max {max(delays) * 1000:.0f} ms ({len(delays)} loads).")
    print(f"Mixed workload: {len(requests)} requests round robin; {args.connections} connections per wrk, "
          f"{args.seconds} s per row; load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
