"""Our router, built from the specs: which handler answers a request, or the 404 / 405.

connexion routes a request to an operation for its security middleware; this router dispatches the same
paths to the handler functions named by the operationIds (`catalog.list_catalogs` is
`mockserver.apis.catalog.list_catalogs`). A path with no route is a 404, a known path with another method
a 405 with `Allow`, both decided before any auth check, as at the real gateway.

It also owns trailing-slash tolerance: real clients call `/catalog/v1/catalogs` and
`/enterprise/v1/enterprise-catalogs/` as often as the documented forms, so a path that only matches with
its trailing slash toggled is rewritten to the spec's form before anything routes it.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Callable, Iterable

from connexion.frameworks.starlette import FloatConverter, IntegerConverter, starlettify_path
from starlette.convertors import register_url_convertor
from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse
from starlette.routing import Route, Router

from mockserver.sessions import public_path
from mockserver.specs import Operation, resolve_ref

_PATH_TYPES = {"integer": "integer", "number": "number"}

# connexion's converters for `int` and `float` path parameters (a signed integer, a number), registered here as
# connexion's RoutingMiddleware registers them, but before any route of ours is compiled: an app built first
# in a process used to compile its routes with Starlette's unsigned `int`.
register_url_convertor("int", IntegerConverter())
register_url_convertor("float", FloatConverter())


def path_types(spec: dict, operation: Operation) -> dict[str, str]:
    """Types of the path parameters, for the same converters connexion uses (so both agree on a match)."""
    item = spec["paths"][operation.spec_path]
    params = [*item.get("parameters", []), *operation.definition.get("parameters", [])]
    types = {}
    for raw in params:
        param = resolve_ref(spec, raw)
        if param.get("in") == "path":
            schema = resolve_ref(spec, param.get("schema", {}))
            if schema.get("format") == "path":
                types[param["name"]] = "path"
            elif schema.get("type") in _PATH_TYPES:
                types[param["name"]] = _PATH_TYPES[schema["type"]]
    return types


def handler_for(operation: Operation) -> Callable:
    """The handler named by an operationId (`catalog.list_catalogs` → `mockserver.apis.catalog.list_catalogs`).

    A spec operation without one is a mistake in the spec or the package, reported when the app is built.
    """
    module_name, _, function = operation.operation_id.rpartition(".")
    try:
        return getattr(importlib.import_module(f"mockserver.apis.{module_name}"), function)
    except (ImportError, AttributeError):
        raise LookupError(f"{operation.method} {operation.path}: no handler for operationId "
                          f"{operation.operation_id!r} in mockserver.apis") from None


def build_routes(entries: Iterable[tuple[dict, Operation]]) -> list[Route]:
    """One Starlette route per operation, with connexion's path converters."""
    routes = []
    for spec, operation in entries:
        path = starlettify_path(operation.path, path_types(spec, operation))
        routes.append(Route(path, handler_for(operation), methods=[operation.method], name=operation.operation_id))
    return routes


@dataclass(frozen=True, slots=True)
class Matched:
    """What one request path matches: its canonical form and the routes for that path, with their parameters."""

    path: str
    """The path as a route has it: as requested, or with its trailing slash toggled."""
    routes: tuple[tuple[Route, dict], ...]
    """(route, path parameters) of every route whose template matches `path`, in route order."""
    redirect: str | None = None
    """For a path no route has in either form: Starlette's redirect-slashes target (all trailing slashes
    stripped, or one added) when a route has that one."""

    def route_for(self, method: str) -> tuple[Route, dict] | None:
        """The route answering `method` (Starlette's FULL match), else the first one for the path (PARTIAL,
        whose `handle` raises the 405 with `Allow`), else None (404)."""
        for found in self.routes:
            methods = found[0].methods
            if methods is None or method in methods:
                return found
        return self.routes[0] if self.routes else None


class RouteTable:
    """Every route of the app, matched once per request: trailing-slash tolerance, operation and 404 / 405.

    A path is matched against the route templates once; if nothing matches, once more with its trailing slash
    toggled (then the request is rewritten to that form). The answer is a pure function of the path, and
    real traffic repeats a few paths (a list, its pages, some detail ids), so it is remembered: a bounded LRU
    of paths up to `MEMO_PATH_LIMIT` characters (a longer path is matched again each time, so the memo holds
    at most MEMO_SIZE x MEMO_PATH_LIMIT characters of paths).
    """

    MEMO_SIZE = 4096
    MEMO_PATH_LIMIT = 512

    def __init__(self, routes: Iterable[Route]):
        self.routes: tuple[Route, ...] = tuple(routes)
        self._memo = functools.lru_cache(maxsize=self.MEMO_SIZE)(self._match)

    def match(self, path: str) -> Matched:
        return self._memo(path) if len(path) <= self.MEMO_PATH_LIMIT else self._match(path)

    def _candidates(self, path: str) -> tuple[tuple[Route, dict], ...]:
        found = []
        for route in self.routes:
            m = route.path_regex.match(path)
            if m:
                params = {key: route.param_convertors[key].convert(value) for key, value in m.groupdict().items()}
                found.append((route, params))
        return tuple(found)

    def _match(self, path: str) -> Matched:
        found = self._candidates(path)
        if found or len(path) <= 1:
            return Matched(path, found)
        toggled = path[:-1] if path.endswith("/") else path + "/"
        found = self._candidates(toggled)
        if found:
            return Matched(toggled, found)
        # Starlette's router would redirect here: slashes stripped, not toggled, so `//` endings differ.
        target = path.rstrip("/") if path.endswith("/") else toggled
        return Matched(path, (), redirect=target if target and self._candidates(target) else None)


class Routing:
    """Pipeline step: routes a request once, before anything looks at it.

    Puts the canonical slash form in the scope, the chosen route and its path parameters (the innermost app,
    `Dispatch`, runs it), and the operation in connexion's own scope extension (`connexion_routing`:
    `api_base_path`, `operation_id`), which is all connexion's routed middlewares (security, response
    validation) and ours (behaviours, journal) read. It takes the place of connexion's RoutingMiddleware,
    which matched the same templates with the same converters a second time.
    """

    def __init__(self, app, *, table: RouteTable, operations: dict[str, str]):
        self.app = app
        self.table = table
        self.operations = operations  # operationId -> base path of its API, as connexion keys its APIs

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        matched = self.table.match(path)
        if matched.path != path:
            scope["path"] = matched.path
            raw = scope.get("raw_path")
            if raw is not None:
                scope["raw_path"] = raw + b"/" if matched.path.endswith("/") else raw[:-1]
        scope["mockserver.matched"] = matched
        found = matched.route_for(scope["method"])
        operation_id = base_path = None
        if found is not None:
            route, params = found
            scope["route"] = route
            scope["endpoint"] = route.endpoint
            scope["path_params"] = {**scope.get("path_params", {}), **params}
            if route.methods is None or scope["method"] in route.methods:
                base_path = self.operations.get(route.name)
                operation_id = route.name if base_path is not None else None
        extensions = scope.get("extensions")
        if extensions is None:
            extensions = scope["extensions"] = {}
        extensions["connexion_routing"] = {"api_base_path": base_path, "operation_id": operation_id}
        await self.app(scope, receive, send)


class Dispatch:
    """The innermost app: runs the route `Routing` chose, or answers the 404 / 405 / slash redirect.

    connexion raises instead of answering when `scope["app"]` is set (it always is under
    ConnexionMiddleware), so the 404 and 405 go through the error handler like every other error.
    """

    def __init__(self):
        self._lifespan = Router()  # startup / shutdown only

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self._lifespan(scope, receive, send)
            return
        route = scope.get("route")
        if route is not None:
            await route.handle(scope, receive, send)  # a method it does not take: HTTPException(405)
            return
        matched = scope.get("mockserver.matched")
        if matched is not None and matched.redirect is not None:
            # A session's client is sent back into its session (the prefix was taken off before routing).
            target = URL(scope={**scope, "path": public_path(scope, matched.redirect)})
            await RedirectResponse(url=str(target))(scope, receive, send)
            return
        raise HTTPException(status_code=404)
