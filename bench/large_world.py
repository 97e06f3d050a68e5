"""Large-world benchmark: the whole app on a 100,000-course world, timed per request through ASGI.

    .venv/bin/python bench/large_world.py                 # 100,000 courses
    .venv/bin/python bench/large_world.py --size large    # 10,000

What `bench_world.py` times at the world's query level, this times as a client sees it: the full pipeline
(routing, auth, handler, shaping, JSON) in process, through httpx's ASGI transport, no socket. Rows:

- `create_app` on the large world (the world build dominates);
- the filtered BlendX page (`org` + `tags` + `search` + `order_by`): the very first request (cold: the query
  and the page's entities are computed), the same request again (a response-cache hit), and other pages of
  other filtered queries (uncached answers from a warm world: what a client paging through sees);
- a BlendX `search` with no org/tag filter (over the world's distinct texts: `world/textscan.py`), first and
  uncached-warm, and deep pages of needles most courses match and of needles few match; a BlendX page with
  no filter, a catalog page and an edx-search query, first and uncached-warm;
- the edx-search index built in the background after `create_app`: when it is ready, and how long BlendX
  pages wait meanwhile; then, per search backend (Elasticsearch, Meilisearch), the median and slowest
  uncached answer over texts of every kind (`SEARCH_TEXTS`), with and without an org filter.

Medians (p50) over `--repeat` distinct requests, wall clock and the process's CPU time (`time.process_time`,
which the other processes of a shared machine distort least), then the process's peak RSS after the build
and over the whole run; numbers are information, never assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLOCK = datetime(2026, 1, 15, tzinfo=timezone.utc)
SECRET = {"actionsecret": "your_secret"}
FILTERED = "/blendxapi/discovery/courses/?org=MITx,HarvardX&tags=python,ai&search=python&order_by=display_name.asc"
# Distinct filtered queries for the uncached-warm rows: each one misses the response cache.
OTHER_FILTERS = [f"/blendxapi/discovery/courses/?org={org}&tags={tag}&search={word}&order_by={order}&page={page}"
                 for org, tag, word, order, page in [
                     ("DelftX", "data", "data", "start.desc", 1), ("MITx", "ai", "learn", "price.asc", 2),
                     ("HarvardX", "health", "health", "display_name.desc", 1), ("UQx", "finance", "the", "end.asc", 1),
                     ("MITx,DelftX", "python,ai", "python", "avg_rating.desc", 1),
                     ("BerkeleyX", "programming", "web", "created_at.asc", 1),
                     ("GTx", "statistics", "statistics", "start.asc", 1), ("MITx", "physics", "quantum", "price.desc", 1),
                     ("HarvardX,MITx", "history", "world", "display_name.asc", 1),
                     ("UBCx", "climate", "climate", "end.desc", 1), ("EPFLx", "ai", "intelligence", "start.desc", 1)]]


async def timed(client: httpx.AsyncClient, method: str, url: str, **kwargs) -> tuple[float, float]:
    """(wall clock, process CPU time) of one request; the CPU figure is what a shared machine distorts least."""
    started, cpu = time.perf_counter(), time.process_time()
    response = await client.request(method, url, **kwargs)
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    if response.status_code != 200:
        raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:200]}")
    return elapsed, used


def p50(samples: list[tuple[float, float]]) -> tuple[float, float]:
    """Medians of wall clock and of CPU time, each over its own samples."""
    return statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples)


async def measure(app, repeat: int) -> list[tuple[str, float, float]]:
    rows = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        token = (await client.post("/oauth2/v1/access_token", data={
            "grant_type": "client_credentials", "client_id": "bench", "token_type": "jwt"})).json()["access_token"]
        jwt = {"Authorization": f"JWT {token}"}
        rows.append(("BlendX filtered page, first request (cold)", *await timed(client, "GET", FILTERED, headers=SECRET)))
        hits = [await timed(client, "GET", FILTERED, headers=SECRET) for _ in range(repeat)]
        rows.append(("BlendX filtered page, same request again (cache hit)", *p50(hits)))
        others = [await timed(client, "GET", url, headers=SECRET) for url in OTHER_FILTERS[:repeat]]
        rows.append((f"BlendX filtered page, other filters (uncached, median of {len(others)})", *p50(others)))
        words = ["python", "health", "data", "history", "music", "finance", "law", "energy", "design", "math", "art"]
        rows.append(("BlendX search-only filter, first search", *await timed(
            client, "GET", f"/blendxapi/discovery/courses/?search={words[0]}", headers=SECRET)))
        searches = [await timed(client, "GET", f"/blendxapi/discovery/courses/?search={w}", headers=SECRET)
                    for w in words[1:1 + repeat]]
        rows.append(("BlendX search-only filter, other words (uncached)", *p50(searches)))
        # Deep pages: of needles most courses match (a walk of the order's front), and of needles few match
        # (the matches marked in order: a walk would cross most of the order). Pages 200-202 of each.
        for label, needles in (("common needles", ("the", "art", "e")),
                               ("uncommon needles", ("python", "health", "music"))):
            deep = [await timed(client, "GET", f"/blendxapi/discovery/courses/?search={w}&limit=20&page={page}",
                                headers=SECRET) for w in needles for page in (200, 201, 202)]
            rows.append((f"BlendX search-only, {label}, page 200-202 ({', '.join(needles)})", *p50(deep)))
        rows.append(("BlendX unfiltered page 1 (cold)",
                     *await timed(client, "GET", "/blendxapi/discovery/courses/?limit=20", headers=SECRET)))
        pages = [await timed(client, "GET", f"/blendxapi/discovery/courses/?limit=20&page={p}", headers=SECRET)
                 for p in range(2, 2 + repeat)]
        rows.append(("BlendX unfiltered, other pages (uncached)", *p50(pages)))
        rows.append(("catalog courses page 1 (cold)",
                     *await timed(client, "GET", "/catalog/v1/catalogs/1/courses/", headers=jwt)))
        pages = [await timed(client, "GET", f"/catalog/v1/catalogs/1/courses/?page={p}", headers=jwt)
                 for p in range(2, 2 + repeat)]
        rows.append(("catalog courses, other pages (uncached)", *p50(pages)))
        first = await timed(client, "POST", "/search/course_discovery/", data={"search_string": words[0]})
        rows.append(("edx-search search_string, first search", *first))
        searches = [await timed(client, "POST", "/search/course_discovery/", data={"search_string": w})
                    for w in words[1:1 + repeat]]
        rows.append(("edx-search, other words (uncached)", *p50(searches)))
    return rows


# edx-search texts for the per-backend rows: single and several words, operators, phrases, typos, a prefix,
# the commonest word and no text at all (every enrollable course: the largest facets).
SEARCH_TEXTS = ["python", "health data", "history of art", '"machine learning"', "energy -solar", "finance OR law",
                "design AND math", "introduction to programming", "musci theory", "climat", "the", ""]


async def measure_index_build(app) -> list[tuple[str, float, float]]:
    """How long after create_app the search index is ready (0 since it is built with a large world: no rows
    below then), and, if it were still building, the longest a BlendX page request waits meanwhile."""
    from mockserver.search.index import ready

    world = app.runtime.world
    started = time.perf_counter()
    waits, after = [], []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        page = 2
        while not ready(world):
            waits.append(await timed(client, "GET", f"/blendxapi/discovery/courses/?limit=20&page={page}",
                                     headers=SECRET))
            page += 1
            await asyncio.sleep(0.05)
        ready_after = time.perf_counter() - started
        # The same-run baseline: as many other pages once the index is built, paced the same way.
        for _ in waits:
            after.append(await timed(client, "GET", f"/blendxapi/discovery/courses/?limit=20&page={page}",
                                     headers=SECRET))
            page += 1
            await asyncio.sleep(0.05)
    rows = [("edx-search index: ready after create_app returned", ready_after, float("nan"))]
    if waits:
        rows += [(f"  BlendX page while it builds: longest of {len(waits)}", *max(waits)),
                 ("  BlendX page while it builds: median", *p50(waits)),
                 (f"  BlendX page after it is built (baseline): longest of {len(after)}", *max(after)),
                 ("  BlendX page after it is built (baseline): median", *p50(after))]
    return rows


async def measure_search(app) -> list[tuple[str, float, float]]:
    """edx-search per backend over `SEARCH_TEXTS` (each an uncached answer): p50 and slowest."""
    import dataclasses

    rows = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        for backend in ("elasticsearch", "meilisearch"):
            app.runtime.snapshot = dataclasses.replace(app.runtime.snapshot, search_backend=backend)
            plain = [await timed(client, "POST", "/search/course_discovery/",
                                 data={"search_string": text, "page_size": "20"}) for text in SEARCH_TEXTS]
            filtered = [await timed(client, "POST", "/search/course_discovery/",
                                    data={"search_string": text, "org": "MITx", "page_size": "20", "page_index": "1"})
                        for text in SEARCH_TEXTS]
            for label, samples in ((f"{len(SEARCH_TEXTS)} texts", plain),
                                   ("the same with org filter, page 2", filtered)):
                rows.append((f"edx-search {backend}, {label}: p50 (uncached)", *p50(samples)))
                rows.append(("  slowest", max(w for w, _ in samples), max(c for _, c in samples)))
    return rows


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float | None:
    """Resident set size of this process now (Linux), None elsewhere."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return None


def print_memory(built_rss: float) -> None:
    """The memory rows: after the build, the peak over the build and every request above, and RSS now."""
    print(f"  {'peak RSS after create_app':66} {built_rss:9.0f} MB")
    print(f"  {'peak RSS over build and all requests above':66} {peak_rss_mb():9.0f} MB")
    now = rss_mb()
    if now is not None:
        print(f"  {'RSS at the end':66} {now:9.0f} MB")
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100000", help="world size: small, default, large or a number")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from mockserver.app import create_app
    from mockserver.settings import Settings

    started = time.perf_counter()
    app = create_app(Settings(size=args.size, clock=CLOCK))
    built = time.perf_counter() - started
    built_rss = peak_rss_mb()
    world = app.runtime.world
    rows = asyncio.run(measure_index_build(app))
    rows += asyncio.run(measure(app, args.repeat))
    rows += asyncio.run(measure_search(app))
    print(f"{len(world.courses):,}-course world ({len(world.runs):,} runs): create_app {built:.1f} s")
    print(f"  {'':66} {'wall':>12} {'CPU':>12}")
    for label, wall, cpu in rows:
        cpu_text = f"{cpu * 1000:9.2f} ms" if cpu == cpu else f"{'-':>12}"  # nan: not measured
        print(f"  {label:66} {wall * 1000:9.2f} ms {cpu_text}")
    print_memory(built_rss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
