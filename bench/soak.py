"""Soak benchmark: sustained mixed load while scenarios are rewritten and reloaded and the admin API resets.

    .venv/bin/python bench/soak.py                       # the issue's run: 60 s, 64 connections
    .venv/bin/python bench/soak.py --seconds 10          # a short run (shared machines: keep wrk short)

One `mockserver serve` (default world, a scenario file with records and a behaviour) is loaded by `wrk`
with the mixed workload of every API (bench/run.py's `mixed_workloads`), while a second thread, every
`--every` seconds, rewrites the scenario file (alternating two versions: a record's title and a
behaviour's latency change, so every reload builds a new world) and calls `POST /__admin/scenarios/reload`,
and half a period later `POST /__admin/reset`. Printed:

- requests, req/s, and wrk's non-2xx count (none is expected: the scenario forces no failure on the
  workload's routes) and socket errors (connect, read, write, timeout);
- the admin calls made and how many did not answer 200;
- the server's RSS after warm-up, at the end and its peak, and the growth in percent (target: < 5%).

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
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between scenario rewrites")
    parser.add_argument("--size", default="default")
    parser.add_argument("--warmup-cycles", type=int, default=6, help="unloaded churn cycles before measuring")
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
        token = httpx.post(f"{url}/oauth2/v1/access_token", data={"grant_type": "client_credentials",
                           "client_id": "soak", "token_type": "jwt"}).json()["access_token"]
        workloads = mixed_workloads(url, {"Authorization": f"JWT {token}"}, {"actionsecret": "your_secret"})
        script = lua_script([r for reqs in workloads.values() for r in reqs], work / "soak.lua")
        # Warm-up: caches filled, and a few full churn cycles (rewrite, reload, reset) without load, so the
        # start figure holds what the steady state holds: the startup world, a scenario world, the probe app
        # that checks records, and the allocator's arenas they leave.
        with httpx.Client(base_url=url, timeout=60) as admin:
            for n in range(args.warmup_cycles):
                scenario.write_text(SCENARIO.format(title=f"Warm-up {n}", latency=0), encoding="utf-8")
                admin.post("/__admin/scenarios/reload")
                admin.post("/__admin/reset")
        run_wrk(url, script, 2, args.connections)
        start_rss = rss_kib(proc.pid)
        outcome = {"admin": 0, "admin_failed": 0}
        stop = threading.Event()
        churner = threading.Thread(target=churn, args=(url, scenario, args.every, stop, outcome), daemon=True)
        churner.start()
        # RSS every period while wrk runs: a leak climbs to the end, bounded buffers filling level off.
        timeline: list[int] = []
        loaded: dict = {}
        wrk = threading.Thread(target=lambda: loaded.update(run_wrk(url, script, args.seconds, args.connections)))
        wrk.start()
        while wrk.is_alive():
            wrk.join(timeout=args.every)
            timeline.append(rss_kib(proc.pid))
        result = loaded
        stop.set()
        churner.join(timeout=120)
        end_rss, peak_rss = rss_kib(proc.pid), rss_kib(proc.pid, "VmHWM")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    growth = (end_rss - start_rss) / start_rss * 100 if start_rss else 0.0
    sockets = sum(result["socket_errors"].values())
    print(f"soak: {args.seconds} s, {args.connections} connections, scenario rewrite + reload and a reset every "
          f"{args.every:g} s, world {args.size}")
    print(f"  requests          {result['requests']} ({result['rps']:.0f} req/s)")
    print(f"  unexpected non-2xx {result['non2xx']}")
    print(f"  socket errors     {sockets} {result['socket_errors']}")
    print(f"  admin calls       {outcome['admin']} ({outcome['admin_failed']} not 200)")
    print(f"  RSS               {start_rss / 1024:.1f} MB after warm-up -> {end_rss / 1024:.1f} MB at the end "
          f"(peak {peak_rss / 1024:.1f} MB): {growth:+.1f}% (target < {RSS_GROWTH_TARGET:g}%)")
    half = timeline[len(timeline) // 2:]
    print(f"  RSS every {args.every:g} s  " + " ".join(f"{kib / 1024:.0f}" for kib in timeline) + " MB")
    if len(half) > 1:
        print(f"  RSS, second half  {half[0] / 1024:.1f} -> {half[-1] / 1024:.1f} MB: "
              f"{(half[-1] - half[0]) / half[0] * 100:+.1f}% (a leak keeps climbing here; filling buffers do not)")
    for error in outcome.get("admin_errors", [])[:5]:
        print(f"  admin error: {error}")
    missed = result["non2xx"] or sockets or outcome["admin_failed"] or growth >= RSS_GROWTH_TARGET
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
