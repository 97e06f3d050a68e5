"""Fingerprints of a world and of the app's answers on it, to prove a change left every byte alone.

    .venv/bin/python bench/fingerprint.py                  # the 100,000-course world (a few minutes)
    .venv/bin/python bench/fingerprint.py --size default   # quick check while working

Prints two digests for `(seed 1, clock 2026-01-15, size)`:

- `world`: `World.fingerprint()`, the repr of every entity and every query result;
- `responses`: blake2b over status, content type and body of a fixed list of requests through the whole
  app (lists, pages, details of courses and runs spread over the world, BlendX filters, edx-search,
  enterprise catalogs and learner summaries, 404s and 401s);
- `search`: the same over text searches (BlendX needles, edx-search texts of every kind), once with the
  Elasticsearch backend and once with the Meilisearch backend.

Run it before and after a change to the world or the pipeline: equal digests, same answers. Responses
are fetched before the world fingerprint (which materialises every entity), so the first digest also
covers answers given by a world that has materialised nothing yet.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLOCK = datetime(2026, 1, 15, tzinfo=timezone.utc)
SECRET = {"actionsecret": "your_secret"}


def requests_for(world) -> list[tuple[str, str, dict, dict | None]]:
    """(method, path, headers, form) of the fixed request list; `headers` may name the JWT as "jwt"."""
    n_courses, n_runs = len(world.courses), len(world.runs)
    step_c, step_r = max(1, n_courses // 40), max(1, n_runs // 40)
    course_keys = world.courses.ids
    run_keys = world.runs.ids
    out: list[tuple[str, str, dict, dict | None]] = []
    jwt = {"Authorization": "jwt"}
    out.append(("GET", "/catalog/v1/catalogs/", jwt, None))
    for catalog in world.catalogs:
        out.append(("GET", f"/catalog/v1/catalogs/{catalog.id}/", jwt, None))
        out.append(("GET", f"/catalog/v1/catalogs/{catalog.id}/courses/", jwt, None))
        out.append(("GET", f"/catalog/v1/catalogs/{catalog.id}/courses/?page=2&page_size=3", jwt, None))
    out += [("GET", "/catalog/v1/catalogs/1/courses/?page=999999", jwt, None),
            ("GET", "/catalog/v1/catalogs/1/courses/?limit=50&offset=40", jwt, None)]
    out.append(("GET", "/enterprise/v1/enterprise-catalogs", jwt, None))
    for cat in world.enterprise_catalogs:
        out.append(("GET", f"/enterprise/v2/enterprise-catalogs/{cat.uuid}", jwt, None))
        out.append(("GET", f"/enterprise/v2/enterprise-catalogs/{cat.uuid}?page=2&page_size=5", jwt, None))
        out.append(("GET", f"/enterprise/v2/enterprise-catalogs/{cat.uuid}/", jwt, None))
        for ref in cat.content[:6]:
            kind = {"course": "courses", "courserun": "course-runs", "program": "programs"}[ref.content_type]
            out.append(("GET", f"/enterprise/v2/enterprise-catalogs/{cat.uuid}/{kind}/{ref.key}", jwt, None))
    for customer in world.enterprise_customers:
        out.append(("GET", f"/enterprise/v3/enterprise-customer/{customer.uuid}/learner-summary", jwt, None))
        out.append(("GET", f"/enterprise/v3/enterprise-customer/{customer.uuid}/learner-summary?page=1"
                    "&page_size=5&ordering=-enrollment_date", jwt, None))
    for key in course_keys[::step_c]:
        runs = world.course(key).course_runs
        for cat in list(world.enterprise_catalogs)[:1]:
            out.append(("GET", f"/enterprise/v2/enterprise-catalogs/{cat.uuid}/courses/{key}", jwt, None))
        if runs:
            out.append(("GET", f"/blendxapi/discovery/course/{runs[0]}/", SECRET, None))
    for key in run_keys[::step_r]:
        out.append(("GET", f"/blendxapi/discovery/course/{key}/", SECRET, None))
    for query in ["", "?limit=20", "?limit=20&page=7", "?org=MITx,HarvardX&tags=python,ai&search=python"
                  "&order_by=display_name.asc", "?tags=health&order_by=price.desc", "?search=data&order_by=start.asc",
                  "?org=DelftX&order_by=avg_rating.desc&page=2", "?order_by=end.asc&limit=50&page=3",
                  "?search=learn&order_by=created_at.asc"]:
        out.append(("GET", f"/blendxapi/discovery/courses/{query}", SECRET, None))
    for form in [{}, {"search_string": "python"}, {"search_string": "health data"}, {"org": "MITx"},
                 {"search_string": "the", "page_size": "30", "page_index": "2"}, {"language": "es"}]:
        out.append(("POST", "/search/course_discovery/", {}, form))
    out += [("GET", "/catalog/v1/nothing/", {}, None), ("GET", "/catalog/v1/catalogs/", {}, None),
            ("GET", "/blendxapi/discovery/courses/", {"actionsecret": "wrong"}, None),
            ("GET", "/catalog/v1/catalogs/", {"Authorization": "Bearer x"}, None),
            ("DELETE", "/catalog/v1/catalogs/", jwt, None), ("GET", "/catalog/v1/catalogs", jwt, None)]
    return out


# The text searches of the `search` digest: BlendX needles (common ones on deep pages, fragments across words,
# accents, a newline, with filters), then edx-search texts of every kind, asked of each search backend.
BLENDX_SEARCHES = ["?search=e&limit=20&page=200", "?search=the&order_by=price.asc&page=3", "?search=ta%20sci",
                   "?search=ci%C3%B3n&order_by=display_name.desc", "?search=%C3%A9", "?search=art&page=50",
                   "?search=python&tags=ai", "?search=learn&org=MITx&order_by=start.asc",
                   "?search=the&org=MITx,HarvardX,DelftX&limit=100&page=2", "?search=ing%0Athe", "?search=%28",
                   "?search=a.b*&limit=3", "?search=DATA%20SCIENCE&order_by=avg_rating.desc"]
SEARCH_TEXTS = ["python", "health data", "history of art", '"machine learning"', "energy -solar", "finance OR law",
                "design AND math", "introduction to programming", "musci theory", "climat", "the", "",
                "-python", "learn*", "Data Science", "prog", "ción"]


def search_requests() -> list[tuple[str, str, dict, dict | None]]:
    out = [("GET", f"/blendxapi/discovery/courses/{query}", SECRET, None) for query in BLENDX_SEARCHES]
    for text in SEARCH_TEXTS:
        out.append(("POST", "/search/course_discovery/", {}, {"search_string": text, "page_size": "20"}))
        out.append(("POST", "/search/course_discovery/", {}, {"search_string": text, "org": "MITx",
                                                               "page_size": "10", "page_index": "3"}))
    return out


async def responses_digest(app, world, requests=None) -> tuple[str, int]:
    h = hashlib.blake2b(digest_size=16)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        # No answer in the list carries a claim of the token, so a fresh one gives the same bytes.
        from mockserver.auth import issue_token
        token = issue_token(app.runtime.snapshot.auth, "fingerprint", "", "http://127.0.0.1")["access_token"]
        requests = requests_for(world) if requests is None else requests
        for method, path, headers, form in requests:
            if headers.get("Authorization") == "jwt":
                headers = {"Authorization": f"JWT {token}"}
            response = await client.request(method, path, headers=headers, data=form)
            h.update(f"{method} {path} {response.status_code} {response.headers.get('content-type')}\n".encode())
            h.update(response.content)
    return h.hexdigest(), len(requests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100000", help="world size: small, default, large or a number")
    parser.add_argument("--no-world", action="store_true", help="only the responses digest")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from mockserver.app import create_app
    from mockserver.settings import Settings

    size = int(args.size) if args.size.isdigit() else args.size
    app = create_app(Settings(size=size, clock=CLOCK))
    world = app.runtime.snapshot.world
    digest, count = asyncio.run(responses_digest(app, world))
    print(f"responses {digest} ({count} requests, size {args.size})")
    digests = []
    for backend in ("elasticsearch", "meilisearch"):
        app.runtime.snapshot = dataclasses.replace(app.runtime.snapshot, search_backend=backend)
        digests.append(asyncio.run(responses_digest(app, world, search_requests())))
    print(f"search    {digests[0][0]} {digests[1][0]} ({digests[0][1]} requests under each search backend)")
    if not args.no_world:
        print(f"world     {world.fingerprint()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
