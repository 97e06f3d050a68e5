"""Start-up benchmark: how long the mock takes from a cold interpreter to its first answer.

    .venv/bin/python bench/startup.py              # 5 fresh processes per measure, default world
    .venv/bin/python bench/startup.py --runs 3 --size large

Two measures, each in fresh interpreters (what a developer pays on `make serve` or a pytest fixture):

- in-process phases (`python -c` style): `import mockserver.app`, `create_app()`, the first request through
  the ASGI app (httpx's ASGI transport, no socket), and the total;
- `mockserver serve` wall time: from spawning the command to the first 200 answer on 127.0.0.1.

The median of `--runs` is printed with the minimum and maximum, and the phases' CPU time beside their wall
time: other processes on a shared 2-core machine stretch wall time (the load average is printed), while the
CPU time of the process barely moves. Numbers are information, never assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent

# Runs in the child interpreter; prints one JSON object of phase timings.
PHASES = r"""
import time
t0, c0 = time.perf_counter(), time.process_time()
import asyncio, json, warnings
warnings.simplefilter("ignore")
import mockserver.app
t1, c1 = time.perf_counter(), time.process_time()
from mockserver.settings import Settings
app = mockserver.app.create_app(Settings(size=SIZE))
t2, c2 = time.perf_counter(), time.process_time()
import httpx

async def first():
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        r = await client.get("/blendxapi/discovery/courses/?limit=8", headers={"actionsecret": "your_secret"})
        assert r.status_code == 200, r.status_code

asyncio.run(first())
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({"wall": {"import": t1 - t0, "create_app": t2 - t1, "first request": t3 - t2, "total": t3 - t0},
                  "cpu": {"import": c1 - c0, "create_app": c2 - c1, "first request": c3 - c2, "total": c3 - c0}}))
"""


def phases(size: str) -> dict[str, dict[str, float]]:
    code = PHASES.replace("SIZE", repr(size))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_to_first_answer(size: str) -> float:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--port", str(port), "--size", size],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        deadline = started + 60
        while time.perf_counter() < deadline:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/blendxapi/discovery/courses/?limit=8",
                              headers={"actionsecret": "your_secret"}, timeout=1)
                if r.status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                if proc.poll() is not None:
                    raise RuntimeError("mockserver serve exited before answering") from None
                time.sleep(0.02)
        raise RuntimeError("mockserver serve did not answer within 60 s")
    finally:
        proc.terminate()
        proc.wait()


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} s  (min {min(values):.2f}, max {max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="default")
    args = parser.parse_args()

    runs = [phases(args.size) for _ in range(args.runs)]
    serve = [serve_to_first_answer(args.size) for _ in range(args.runs)]
    print(f"start-up, {args.size} world, median of {args.runs} fresh processes "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"  {'phase':32} {'wall':>6}{'':24} {'cpu':>6}")
    for name in ("import", "create_app", "first request", "total"):
        print(f"  {'in-process ' + name:32} {summary([r['wall'][name] for r in runs])}  "
              f"{statistics.median(r['cpu'][name] for r in runs):6.2f} s")
    print(f"  {'mockserver serve → first 200':32} {summary(serve)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
