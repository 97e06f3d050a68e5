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
import re
from typing import Callable, Iterable

from connexion.frameworks.starlette import starlettify_path
from starlette.routing import Route, compile_path

from mockserver.specs import Operation, resolve_ref

_PATH_TYPES = {"integer": "integer", "number": "number"}


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


class SlashCanonicaliser:
    """Maps a request path to the spec's trailing-slash form when only the other form matches a route."""

    # The answer is a pure function of the path, and real traffic repeats a few paths (a list, its pages,
    # some detail ids): remembered answers turn up to two scans of every route pattern into a dict lookup.
    MEMO_SIZE = 4096

    def __init__(self, templates: Iterable[str]):
        self._patterns: list[re.Pattern] = [compile_path(t)[0] for t in templates]
        self._memo = functools.lru_cache(maxsize=self.MEMO_SIZE)(self._canonical)

    def _known(self, path: str) -> bool:
        return any(p.match(path) for p in self._patterns)

    def canonical(self, path: str) -> str:
        """`path` in the form a route has: as it is, or with its trailing slash toggled."""
        return self._memo(path)

    def _canonical(self, path: str) -> str:
        if len(path) <= 1 or self._known(path):
            return path
        toggled = path[:-1] if path.endswith("/") else path + "/"
        return toggled if self._known(toggled) else path
