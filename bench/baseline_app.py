"""Baseline for the benchmarks: bare Starlette serving precomputed bytes (the machine's ceiling).

Run in the same session as the mock so that the ratio, not the absolute number, is what we compare.
"""

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = b'{"count": 1, "next": null, "previous": null, "results": [{"id": 1, "name": "All Courses"}]}'


async def page(request):
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/bench", page)])
