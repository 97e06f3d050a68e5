"""The `/__admin/` routes: health, scenarios (list, load, clear), the request journal, and reset.

WireMock's admin API is the model (clients-and-style §2.6): JSON in and out, loopback by default, no
secrets echoed (the journal already redacts credential headers). Loading a scenario builds the new world
in a worker thread, so requests keep being served meanwhile; a load that fails answers 422 with every
problem (file, line, column, field) and leaves the previous world serving. Documented in docs/admin.md.

Every route is behind `AdminGuard` (docs/security.md): the API can replace the world and read files, so
it is closed to the network unless a token is set, closed to web pages (Host, Origin and media-type
checks against DNS rebinding and cross-site requests), and reads bodies and files only up to a limit.

| route | what |
|---|---|
| `GET /__admin/health` | liveness, the snapshot generation, the loaded scenario names, cache and journal bytes |
| `GET /__admin/scenarios` | loaded scenarios, behaviours with call counts, the last load error |
| `POST /__admin/scenarios` | load a scenario: YAML body, or JSON `{"path"|"paths", "replace"}` |
| `POST /__admin/scenarios/reload` | re-read the loaded files |
| `DELETE /__admin/scenarios` (or `POST …/reset`) | back to the default world, no scenarios |
| `GET /__admin/requests` | the journal, filtered by `method`, `path`, `operation_id`, `status`, `limit` |
| `GET /__admin/requests/count` | how many journal entries match the same filters |
| `DELETE /__admin/requests` | clear the journal |
| `POST /__admin/reset` | everything: startup scenarios, fresh sequence counters, empty journal |
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import logging
from urllib.parse import urlsplit

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver import limits, memory, shared_state
from mockserver.auth import claims_cache_stats
from mockserver.scenarios.manager import PathRefused, manager_of
from mockserver.scenarios.problems import ScenarioError
from mockserver.settings import Settings, is_loopback
from mockserver.state import runtime_of

log = logging.getLogger("mockserver.admin")

JSON_TYPES = frozenset({"application/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
# Methods a web page can send cross-site without a CORS preflight (which this API never grants).
SIMPLE_METHODS = frozenset({"GET", "HEAD", "POST"})
READ_METHODS = frozenset({"GET", "HEAD"})
TOKEN_FLAG = "--admin-token or MOCKSERVER_ADMIN_TOKEN"


def _json(data, status: int = 200, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json", headers=headers)


def media_type(content_type: str) -> str | None:
    """The exact JSON or YAML media type of a `Content-Type`, else None.

    Exact: `text/plain; charset=json` is text/plain, whatever its parameters say. A charset other than
    UTF-8 is refused too (the body is decoded as UTF-8).
    """
    mime, _, params = content_type.partition(";")
    mime = mime.strip().lower()
    if mime not in JSON_TYPES | YAML_TYPES:
        return None
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return None
    return mime


class AdminGuard:
    """Who may use the admin API of one server: the checks every admin route runs first, in this order.

    1. A non-loopback bind without a token: nobody (the banner says so and names the flag).
    2. A loopback bind: the `Host` must be a loopback name (DNS rebinding: a page on evil.example that
       rebinds its name to 127.0.0.1 sends `Host: evil.example`).
    3. An `Origin`, when sent, must be the server's own (a cross-site request from a browser).
    4. With a token configured: `Authorization: Bearer <token>` (constant-time compare), else 401.
    5. A POST with a body or a Content-Type needs an exact JSON or YAML media type (what a cross-site
       "simple" request cannot send without a preflight).
    """

    def __init__(self, settings: Settings):
        self.token = settings.admin_token
        self.loopback = settings.loopback
        self.bind = settings.host
        self.hosts = frozenset({"localhost", "127.0.0.1", "[::1]", *(h.lower() for h in settings.allowed_hosts)})
        self.closed = not self.loopback and not self.token

    def refusal(self, request: Request) -> Response | None:
        """The answer refusing `request`, or None when it may go on."""
        if self.closed:
            return _json({"error": f"the admin API is disabled: mockserver is bound to {self.bind} (not loopback) "
                                   f"without an admin token; start it with {TOKEN_FLAG}"}, 403)
        host = request.headers.get("host")
        if self.loopback and (host is None or _hostname(host) not in self.hosts):
            return _json({"error": "the admin API of a loopback server answers only Host localhost, 127.0.0.1 or "
                                   "[::1] (add names with --allowed-host)"}, 403)
        origin = request.headers.get("origin")
        if origin is not None and not _same_origin(origin, host, request.url.scheme):
            return _json({"error": "cross-origin requests to the admin API are refused"}, 403)
        if self.token is not None and not _bearer_matches(request.headers.get("authorization", ""), self.token):
            return _json({"error": "the admin API needs Authorization: Bearer <admin token>"}, 401,
                         {"WWW-Authenticate": 'Bearer realm="mockserver-admin"'})
        if request.method not in READ_METHODS and request.method in SIMPLE_METHODS:
            content_type = request.headers.get("content-type")
            has_body = _declares_body(request.headers)
            if (content_type is not None or has_body) and media_type(content_type or "") is None:
                return _json({"error": "send Content-Type: application/json or application/yaml "
                                       f"(not {content_type or 'none'})"}, 415)
        return None

    def describe(self) -> str:
        """One line for the start-up banner."""
        if self.closed:
            return f"DISABLED: bound to {self.bind} without an admin token (set {TOKEN_FLAG})"
        if self.token:
            return "needs Authorization: Bearer <admin token>"
        return "open to loopback clients only (set --admin-token to require a token)"


DEFAULT_PORTS = {"http": 80, "https": 443}


def _hostname(host: str) -> str:
    return _host_port(host, "")[0]


def _host_port(netloc: str, scheme: str) -> tuple[str, int | None]:
    """(lower-case host name, port) of a `Host` value or an origin's netloc; the port defaults by `scheme`."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):  # an IPv6 literal: `[::1]` or `[::1]:8000`
        end = netloc.find("]")
        name, rest = (netloc[: end + 1], netloc[end + 1:]) if end >= 0 else (netloc, "")
        port = rest[1:] if rest.startswith(":") else None
    elif netloc.count(":") == 1:
        name, port = netloc.split(":")
    else:
        name, port = netloc, None
    if port is None or port == "":
        return name, DEFAULT_PORTS.get(scheme)
    return name, int(port) if port.isdigit() and len(port) <= 5 else -1  # -1: no port ever equals it


def _same_origin(origin: str, host: str | None, scheme: str) -> bool:
    """Whether a browser's `Origin` is this server's own: same scheme, host name and port as the request."""
    if host is None:
        return False
    try:
        parts = urlsplit(origin.strip())
    except ValueError:
        return False
    if not parts.netloc or parts.scheme.lower() != scheme:
        return False  # `Origin: null` (a sandboxed page, a file://) is nobody's own origin
    return _host_port(parts.netloc, scheme) == _host_port(host, scheme)


def _declares_body(headers) -> bool:
    """Whether the request says it carries a body. An unreadable Content-Length counts as one (fail closed)."""
    if "transfer-encoding" in headers:
        return True
    length = headers.get("content-length", "0").strip()
    return not (length.isdigit() and int(length) == 0)


def _bearer_matches(header: str, token: str) -> bool:
    scheme, _, value = header.strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


def guarded(endpoint):
    """An admin endpoint behind the app's `AdminGuard` (built once per app, on the runtime)."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        runtime = runtime_of(request)
        guard = runtime.admin_guard
        if guard is None:
            guard = runtime.admin_guard = AdminGuard(runtime.settings)
        refused = guard.refusal(request)
        if refused is not None:
            return refused
        return await endpoint(request)

    return wrapper


async def _body(request: Request) -> bytes:
    return await limits.read_body(request.receive, request.scope["headers"],
                                  runtime_of(request).settings.max_scenario_bytes, "the admin request body")


def _refused(exc: ScenarioError) -> Response:
    return _json({"error": "scenario refused; the previous world keeps serving",
                  "problems": [p.as_dict() for p in exc.problems]}, 422)


async def health(request: Request) -> Response:
    runtime = runtime_of(request)
    snapshot = runtime.snapshot
    return _json({"status": "ok", "generation": snapshot.generation, "scenarios": list(snapshot.scenarios),
                  "world": snapshot.world is not None,
                  "memory": {"cache": runtime.cache.stats(), "journal": runtime.journal.stats(),
                             "jwt_claims": claims_cache_stats(), "process": memory.stats()},
                  **await asyncio.to_thread(shared_state.health, runtime)})


async def list_scenarios(request: Request) -> Response:
    return _json(manager_of(runtime_of(request)).describe())


def _flag(value) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


async def load_scenario(request: Request) -> Response:
    manager = manager_of(runtime_of(request))
    kind = media_type(request.headers.get("content-type", ""))
    if kind is None:
        return _json({"error": "send the scenario as YAML (Content-Type: application/yaml) or JSON "
                               "{\"path\": ...} (Content-Type: application/json)"}, 415)
    try:
        body = await _body(request)
    except limits.TooLarge as exc:
        return _json({"error": str(exc)}, 413)
    replace = _flag(request.query_params.get("replace", "false"))
    try:
        if kind in JSON_TYPES:
            try:
                payload = orjson.loads(body or b"{}")
            except orjson.JSONDecodeError as exc:
                return _json({"error": f"invalid JSON body: {exc}"}, 400)
            if not isinstance(payload, dict):
                return _json({"error": "expected a JSON object with `path` or `paths`"}, 400)
            paths = payload.get("paths") or ([payload["path"]] if payload.get("path") else [])
            if not paths or not all(isinstance(p, str) for p in paths):
                return _json({"error": "give `path` (a string) or `paths` (a list of strings)"}, 400)
            replace = _flag(payload.get("replace", replace))
            await asyncio.to_thread(manager.add_paths, paths, replace=replace)
        else:
            text = body.decode("utf-8", errors="replace")
            name = request.query_params.get("name", "posted")
            await asyncio.to_thread(manager.add_text, text, name=name, replace=replace)
    except PathRefused as exc:
        # Nothing of the file (not even whether it exists) is in the answer, `last_error` or the log.
        log.warning("admin: refused to load a scenario path outside the allowed directories")
        return _json({"error": str(exc)}, 403)
    except ScenarioError as exc:
        return _refused(exc)
    return _json(manager.describe())


async def reload_scenarios(request: Request) -> Response:
    manager = manager_of(runtime_of(request))
    try:
        await asyncio.to_thread(manager.reload)
    except ScenarioError as exc:
        return _refused(exc)
    return _json(manager.describe())


async def clear_scenarios(request: Request) -> Response:
    manager = manager_of(runtime_of(request))
    await asyncio.to_thread(manager.clear)
    return _json(manager.describe())


def _filters(request: Request):
    params = request.query_params
    status = params.get("status")
    try:
        status = int(status) if status else None
        limit = int(params["limit"]) if params.get("limit") else None
    except ValueError:
        return None
    return params.get("method"), params.get("path"), params.get("operation_id"), status, limit


def _matching(request: Request):
    filters = _filters(request)
    if filters is None:
        return None
    method, path, operation_id, status, limit = filters
    entries = runtime_of(request).journal.entries(method=method, path=path, operation_id=operation_id)
    if status is not None:
        entries = [e for e in entries if e.status == status]
    return entries, limit


# The journal calls below run in a thread: a shared journal waits for the other replicas to ship theirs and
# reads up to its byte cap from Redis, which must not hold up the requests the event loop is serving.

def _listing(request: Request) -> Response:
    found = _matching(request)
    if found is None:
        return _json({"error": "`status` and `limit` must be integers"}, 400)
    entries, limit = found
    shown = entries[-limit:] if limit else entries
    return _json({"total": len(entries), "requests": [e.as_dict() for e in shown]})


async def list_requests(request: Request) -> Response:
    return await asyncio.to_thread(_listing, request)


async def count_requests(request: Request) -> Response:
    found = await asyncio.to_thread(_matching, request)
    if found is None:
        return _json({"error": "`status` and `limit` must be integers"}, 400)
    return _json({"count": len(found[0])})


async def clear_requests(request: Request) -> Response:
    await asyncio.to_thread(runtime_of(request).journal.clear)
    return _json({"cleared": True})


async def reset(request: Request) -> Response:
    runtime = runtime_of(request)
    manager = manager_of(runtime)
    try:
        await asyncio.to_thread(manager.reset)
    except ScenarioError as exc:
        return _refused(exc)
    await asyncio.to_thread(runtime.journal.clear)
    return _json(manager.describe())


PREFIX = "/__admin"
"""Every control route's path starts with this; the pipeline neither journals nor pins a snapshot for them."""


def is_admin(path: str) -> bool:
    """Whether `path` is a control call (the admin API's, sessions' listing and deletion included)."""
    return path.startswith(PREFIX)


def routes() -> list[Route]:
    """The admin routes, mounted by `create_app` ahead of the API routes."""
    table = [
        ("/__admin/health", health, "GET"),
        ("/__admin/scenarios", list_scenarios, "GET"),
        ("/__admin/scenarios", load_scenario, "POST"),
        ("/__admin/scenarios", clear_scenarios, "DELETE"),
        ("/__admin/scenarios/reset", clear_scenarios, "POST"),
        ("/__admin/scenarios/reload", reload_scenarios, "POST"),
        ("/__admin/requests", list_requests, "GET"),
        ("/__admin/requests", clear_requests, "DELETE"),
        ("/__admin/requests/count", count_requests, "GET"),
        ("/__admin/reset", reset, "POST"),
    ]
    return [Route(path, guarded(endpoint), methods=[method]) for path, endpoint, method in table]
