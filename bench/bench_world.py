"""Benchmark of the seeded world: build times and query times, printed as a table.

    .venv/bin/python bench/bench_world.py            # default, large, 100k
    .venv/bin/python bench/bench_world.py --quick    # default and large only

Rows: cold start of the default world in a fresh interpreter (import + Faker pools + build, what
`mockserver serve` pays), in-process builds of each size, and on the biggest world the queries the
handlers run per request (BlendX filtered page, edx-search, a catalog page, a learner summary).
Each query is timed cold (first call, includes materializing the page's entities) and warm (median
of 20). Timings depend on the machine and its load; nothing here asserts a threshold.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mockserver.world import build_world  # noqa: E402
from mockserver.world.pools import get_pools  # noqa: E402

CLOCK = datetime(2025, 6, 2, tzinfo=timezone.utc)


def cold_start() -> float:
    code = ("import time; t = time.perf_counter(); from mockserver.world import build_world; "
            "build_world(size='default'); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    return float(out.stdout.strip())


def timed(fn) -> tuple[float, float]:
    t = time.perf_counter()
    fn()
    cold = time.perf_counter() - t
    warm = []
    for _ in range(20):
        t = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t)
    return cold, statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-course world")
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = [("cold start, default world (fresh process)", f"{cold_start():.2f} s", "")]
    get_pools()
    sizes: list[str | int] = ["default", "large"] + ([] if args.quick else [100_000])
    world = None
    for size in sizes:
        t = time.perf_counter()
        world = build_world(seed=1, clock=CLOCK, size=size)
        elapsed = time.perf_counter() - t
        rows.append((f"build {size} ({len(world.courses):,} courses, {len(world.runs):,} runs)",
                     f"{elapsed:.2f} s", f"{elapsed / len(world.courses) * 1e6:.0f} us/course"))
    assert world is not None
    label = f"{len(world.courses):,}-course world"
    queries = {
        "blendx_query org+tags+search+order_by, page of 8": lambda: world.blendx_query(
            search="python", orgs=["MITx", "HarvardX"], tags=["python", "ai"], order_by=("display_name", "asc"))[:8],
        "blendx_query default, page of 8": lambda: world.blendx_query()[:8],
        "blendx_query org only, page 3 of 20": lambda: world.blendx_query(orgs=["TestOrg", "DelftX"])[40:60],
        "search_documents search_string=AI, page of 20": lambda: world.search_documents("AI")[:20],
        "search_documents org filter, page of 20": lambda: world.search_documents(filters={"org": "MITx"})[:20],
        "catalog_active_courses(1), page of 20": lambda: world.catalog_active_courses(1)[:20],
        "enrollments(degreed-company)": lambda: world.enrollments("58152f7f-6d0e-41cf-862d-0a27c6fad72c")[:10],
    }
    for name, fn in queries.items():
        cold, warm = timed(fn)
        rows.append((f"{name} [{label}]", f"{cold * 1000:.1f} ms cold", f"{warm * 1000:.2f} ms warm"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'time':>14}  {'':>16}")
    print("-" * (width + 34))
    for name, a, b in rows:
        print(f"{name:<{width}}  {a:>14}  {b:>16}")


if __name__ == "__main__":
    main()
