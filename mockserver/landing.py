"""The landing page at `/`: what this server serves and where, for a person with a browser or a script.

Built from the loaded specs when the app is built (each API's title, base URL, Swagger UI and `openapi.json`),
plus the admin API and the version; HTML when the client asks for HTML (a browser), JSON otherwise. It is
one more route of the route table, so API requests never look at it.
"""

from __future__ import annotations

import html

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver import specs
from mockserver.admin import PREFIX as ADMIN_PREFIX
from mockserver.version import __version__

ADMIN_PATH = ADMIN_PREFIX + "/"
ADMIN_DOCS = "docs/admin.md"


def describe(loaded: list[tuple[str, dict]]) -> dict:
    """The page's content as data: one entry per API spec, relative URLs (the client knows the host)."""
    apis = []
    for name, spec in loaded:
        base = specs.base_path(spec)
        apis.append({"name": name, "title": spec.get("info", {}).get("title", name),
                     "base_url": base + "/", "swagger_ui": base + "/ui/", "openapi": base + "/openapi.json",
                     "operations": [f"{op.method} {op.path}" for op in specs.operations(name, spec)]})
    return {"service": "mockserver", "version": __version__, "apis": apis,
            "admin": {"base_url": ADMIN_PATH, "health": ADMIN_PATH + "health", "docs": ADMIN_DOCS}}


def _html(page: dict) -> str:
    e = html.escape
    rows = []
    for api in page["apis"]:
        ops = "".join(f"<li><code>{e(op)}</code></li>" for op in api["operations"])
        rows.append(
            f"<section><h2>{e(api['title'])}</h2>"
            f"<p>base URL <code>{e(api['base_url'])}</code> · "
            f"<a href=\"{e(api['swagger_ui'])}\">Swagger UI</a> · "
            f"<a href=\"{e(api['openapi'])}\">openapi.json</a></p><ul>{ops}</ul></section>")
    admin = page["admin"]
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>mockserver {e(page['version'])}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "code{background:#f4f4f4;padding:0 .2rem}li{margin:.1rem 0}</style></head><body>"
        f"<h1>mockserver {e(page['version'])}</h1>"
        "<p>An offline emulator of the edX Course Catalog, edX Enterprise and BlendX Discovery APIs. "
        "A JWT for the edX routes: <code>POST /oauth2/v1/access_token</code> with "
        "<code>grant_type=client_credentials&amp;token_type=jwt</code>, then "
        "<code>Authorization: JWT &lt;token&gt;</code>.</p>"
        + "".join(rows)
        + f"<section><h2>Admin API</h2><p><code>{e(admin['base_url'])}</code> · "
        f"<a href=\"{e(admin['health'])}\">health</a> · described in <code>{e(admin['docs'])}</code></p>"
        "</section></body></html>")


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "application/xhtml+xml" in accept


def routes(loaded: list[tuple[str, dict]]) -> list[Route]:
    """The `/` route over the loaded specs (both renderings are built once, here)."""
    page = describe(loaded)
    as_json, as_html = orjson.dumps(page), _html(page).encode("utf-8")

    async def landing(request: Request) -> Response:
        if _wants_html(request):
            return Response(as_html, media_type="text/html; charset=utf-8", headers={"Vary": "Accept"})
        return Response(as_json, media_type="application/json", headers={"Vary": "Accept"})

    return [Route("/", landing, methods=["GET", "HEAD"])]
