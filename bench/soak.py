"""Soak benchmark: sustained mixed load while scenarios are rewritten and reloaded and the admin API resets.

    .venv/bin/python bench/soak.py                       # the issue's run: 60 s, 64 connections
    .venv/bin/python bench/soak.py --seconds 10          # a short run (shared machines: keep wrk short)

One `mockserver serve` (default world, a scenario file with records and a behaviour) is loaded by `wrk`
with the mixed workload of every API (bench/run.py's `mixed_workloads`), while a second thread, every
`--every` seconds, rewrites the scenario file (alternating two versions: a record's title and a
behaviour's latency change, so every reload builds a new world) and calls `POST /__admin/scenarios/reload`,
and half a period later `POST /__admin/reset`.

Two phases under the same load and churn: a warm-up (`--warmup`, 30 s: six reloads and six resets, so that
what the steady state holds is there — the cache and journal at their working size, a loaded world and its
search index, the moment of a reload that holds two of them, and the allocators' free lists as churn leaves
them; RSS levels off after about 25 s), then the measured window (`--seconds`). RSS is
read from /proc three times: after start-up (before any request), at the end of the warm-up, at the end;
and every `--every` seconds in between. Printed:

- requests, req/s, and wrk's non-2xx count (none is expected: the scenario forces no failure on the
  workload's routes) and socket errors (connect, read, write, timeout), for the measured window, and the
  same counts for the warm-up;
- the admin calls made in both phases and how many did not answer 200;
- RSS growth from start-up to the end: everything serving this load takes on (information, no target);
- RSS growth over the measured window (from the end of the warm-up): what a leak shows (target < 5%);
- the RSS timeline, and the server's own counters at the end (`/__admin/health` `memory`).

Figures are information, not assertions; exit status 1 when a target is missed. Traffic stays on loopback.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PY, free_port, lua_script, mixed_workloads, start  # noqa: E402

SCENARIO = """\
name: soak
records:
  courses:
    edX+DemoX:
      title: {title}
behaviours:
  - operation: oauth.issue_token_v1
    name: slow
    latency: {latency}
"""
RSS_GROWTH_TARGET = 5.0


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def churn(url: str, scenario: Path, every: float, stop: threading.Event, outcome: dict) -> None:
    """Rewrite + reload, then reset, every `every` seconds until stopped."""
    version = 0
    with httpx.Client(base_url=url, timeout=60) as admin:
        while not stop.wait(every / 2):
            version += 1
            scenario.write_text(SCENARIO.format(title=f"Soak version {version}", latency=version % 3), encoding="utf-8")
            for call in ("/__admin/scenarios/reload", "/__admin/reset"):
                response = admin.post(call)
                outcome["admin"] += 1
                if response.status_code != 200:
                    outcome["admin_failed"] += 1
                    outcome.setdefault("admin_errors", []).append(f"{call}: {response.status_code} {response.text[:200]}")
                if stop.wait(every / 2):
                    return


def run_wrk(url: str, script: str, seconds: int, connections: int) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script, url + "/"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    total = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"requests": int(total.group(1)) if total else 0, "rps": float(rps.group(1)) if rps else 0.0,
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": dict(zip(("connect", "read", "write", "timeout"),
                                      map(int, sockets.groups()))) if sockets else {}, "raw": out}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="the measured window")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between scenario rewrites")
    parser.add_argument("--size", default="default")
    parser.add_argument("--warmup", type=int, default=30, help="seconds of the same load and churn before measuring")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="mockserver-soak-"))
    scenario = work / "soak.yaml"
    scenario.write_text(SCENARIO.format(title="Soak version 0", latency=0), encoding="utf-8")
    port = free_port()
    proc = start([PY, "-m", "mockserver", "serve", "--port", str(port), "--size", args.size,
                  "--clock", "2026-01-15", "--scenario", str(scenario)], port)
    try:
        url = f"http://127.0.0.1:{port}"
        startup_rss = rss_kib(proc.pid)
        token = httpx.post(f"{url}/oauth2/v1/access_token", data={"grant_type": "client_credentials",
                           "client_id": "soak", "token_type": "jwt"}).json()["access_token"]
        workloads = mixed_workloads(url, {"Authorization": f"JWT {token}"}, {"actionsecret": "your_secret"})
        script = lua_script([r for reqs in workloads.values() for r in reqs], work / "soak.lua")
        outcome = {"admin": 0, "admin_failed": 0}
        stop = threading.Event()
        churner = threading.Thread(target=churn, args=(url, scenario, args.every, stop, outcome), daemon=True)
        churner.start()
        timeline: list[int] = []
        warm = run_sampled(proc.pid, url, script, args.warmup, args.connections, args.every, timeline)
        warm_rss, warm_samples = rss_kib(proc.pid), len(timeline)
        result = run_sampled(proc.pid, url, script, args.seconds, args.connections, args.every, timeline)
        end_rss, peak_rss = rss_kib(proc.pid), rss_kib(proc.pid, "VmHWM")
        stop.set()
        churner.join(timeout=120)
        memory = httpx.get(f"{url}/__admin/health").json()["memory"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    overall = (end_rss - startup_rss) / startup_rss * 100
    window = (end_rss - warm_rss) / warm_rss * 100
    sockets = sum(result["socket_errors"].values())
    print(f"soak: {args.seconds} s measured after {args.warmup} s of warm-up, {args.connections} connections, "
          f"scenario rewrite + reload and a reset every {args.every:g} s, world {args.size}")
    print(f"  requests          {result['requests']} ({result['rps']:.0f} req/s)")
    print(f"  unexpected non-2xx {result['non2xx']}")
    print(f"  socket errors     {sockets} {result['socket_errors']}")
    warm_sockets = sum(warm["socket_errors"].values())
    print(f"  warm-up           {warm['requests']} requests, {warm['non2xx']} non-2xx, {warm_sockets} socket errors")
    print(f"  admin calls       {outcome['admin']} in both phases ({outcome['admin_failed']} not 200)")
    print(f"  RSS               {startup_rss / 1024:.1f} MB after start-up, {warm_rss / 1024:.1f} MB after warm-up, "
          f"{end_rss / 1024:.1f} MB at the end (peak {peak_rss / 1024:.1f} MB)")
    print(f"  RSS from start-up {overall:+.1f}% (what serving this load takes on: caches, journal, loaded worlds)")
    print(f"  RSS, measured     {window:+.1f}% over the {args.seconds} s after warm-up "
          f"(a leak shows here; target < {RSS_GROWTH_TARGET:g}%)")
    marks = [f"{kib / 1024:.0f}" for kib in timeline]
    marks.insert(warm_samples, "|")
    print(f"  RSS every {args.every:g} s  " + " ".join(marks) + " MB  (| = end of warm-up)")
    process = memory.get("process", {})
    print(f"  at the end        cache {memory['cache']['entries']} entries {memory['cache']['bytes']} B; "
          f"journal {memory['journal']['entries']} entries {memory['journal']['bytes']} B; "
          f"worlds alive {process.get('worlds', '?')}; allocator {process.get('allocator', '?')}")
    for error in outcome.get("admin_errors", [])[:5]:
        print(f"  admin error: {error}")
    missed = (result["non2xx"] or sockets or warm["non2xx"] or warm_sockets or outcome["admin_failed"]
              or window >= RSS_GROWTH_TARGET)
    return 1 if missed else 0


def run_sampled(pid: int, url: str, script: str, seconds: int, connections: int, every: float,
                timeline: list[int]) -> dict:
    """wrk for `seconds`, appending the server's RSS to `timeline` every `every` seconds meanwhile."""
    result: dict = {}
    wrk = threading.Thread(target=lambda: result.update(run_wrk(url, script, seconds, connections)))
    wrk.start()
    while wrk.is_alive():
        wrk.join(timeout=every)
        if wrk.is_alive():
            timeline.append(rss_kib(pid))
    return result


if __name__ == "__main__":
    sys.exit(main())
