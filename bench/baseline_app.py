"""Baseline for the benchmarks: bare Starlette serving precomputed bytes (the machine's ceiling).

- `/bench`: one small JSON page, the ceiling of the single-route rows.
- Every other path: with `BENCH_REPLAY=<file>` (written by `bench/run.py`), the recorded answers of the mock
  to a mixed workload, replayed byte for byte (status, headers, body) by method, path and query: what bare
  Starlette does with the same traffic and the same bytes, the baseline of the mixed-workload rows.

Run in the same session as the mock so that the ratio, not the absolute number, is what we compare.
"""

import base64
import json
import os

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = b'{"count": 1, "next": null, "previous": null, "results": [{"id": 1, "name": "All Courses"}]}'


async def page(request):
    return Response(BODY, media_type="application/json")


def _recorded() -> dict:
    path = os.environ.get("BENCH_REPLAY")
    if not path:
        return {}
    with open(path, encoding="utf-8") as fh:
        entries = json.load(fh)
    return {(e["method"], e["target"]): (e["status"], e["headers"], base64.b64decode(e["body"])) for e in entries}


RECORDED = _recorded()


async def replay(request):
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    found = RECORDED.get((request.method, target))
    if found is None:
        return Response(b"not recorded", status_code=404)
    if request.method == "POST":
        await request.body()  # the mock reads the form; so does the baseline
    status, headers, body = found
    return Response(body, status_code=status, headers=headers)


app = Starlette(routes=[Route("/bench", page), Route("/{path:path}", replay, methods=["GET", "POST"])])
