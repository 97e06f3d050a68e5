"""The `/__admin/` routes: health, scenarios (list, load, clear), the request journal, and reset.

WireMock's admin API is the model (clients-and-style §2.6): JSON in and out, loopback by default, no
secrets echoed (the journal already redacts credential headers). Loading a scenario builds the new world
in a worker thread, so requests keep being served meanwhile; a load that fails answers 422 with every
problem (file, line, column, field) and leaves the previous world serving. Documented in docs/admin.md.

| route | what |
|---|---|
| `GET /__admin/health` | liveness, the snapshot generation and the loaded scenario names |
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

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.scenarios.manager import manager_of
from mockserver.scenarios.problems import ScenarioError
from mockserver.state import runtime_of

YAML_TYPES = ("yaml", "text/plain", "x-yaml")


def _json(data, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def _refused(exc: ScenarioError) -> Response:
    return _json({"error": "scenario refused; the previous world keeps serving",
                  "problems": [p.as_dict() for p in exc.problems]}, 422)


async def health(request: Request) -> Response:
    runtime = runtime_of(request)
    snapshot = runtime.snapshot
    return _json({"status": "ok", "generation": snapshot.generation, "scenarios": list(snapshot.scenarios),
                  "world": snapshot.world is not None})


async def list_scenarios(request: Request) -> Response:
    return _json(manager_of(runtime_of(request)).describe())


def _flag(value) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


async def load_scenario(request: Request) -> Response:
    manager = manager_of(runtime_of(request))
    content_type = request.headers.get("content-type", "").lower()
    body = await request.body()
    replace = _flag(request.query_params.get("replace", "false"))
    try:
        if "json" in content_type:
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
        elif not content_type or any(t in content_type for t in YAML_TYPES):
            text = body.decode("utf-8", errors="replace")
            name = request.query_params.get("name", "posted")
            await asyncio.to_thread(manager.add_text, text, name=name, replace=replace)
        else:
            return _json({"error": f"send YAML (application/yaml) or JSON, not {content_type}"}, 415)
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


async def list_requests(request: Request) -> Response:
    found = _matching(request)
    if found is None:
        return _json({"error": "`status` and `limit` must be integers"}, 400)
    entries, limit = found
    shown = entries[-limit:] if limit else entries
    return _json({"total": len(entries), "requests": [e.as_dict() for e in shown]})


async def count_requests(request: Request) -> Response:
    found = _matching(request)
    if found is None:
        return _json({"error": "`status` and `limit` must be integers"}, 400)
    return _json({"count": len(found[0])})


async def clear_requests(request: Request) -> Response:
    runtime_of(request).journal.clear()
    return _json({"cleared": True})


async def reset(request: Request) -> Response:
    runtime = runtime_of(request)
    manager = manager_of(runtime)
    try:
        await asyncio.to_thread(manager.reset)
    except ScenarioError as exc:
        return _refused(exc)
    runtime.journal.clear()
    return _json(manager.describe())


def routes() -> list[Route]:
    """The admin routes, mounted by `create_app` ahead of the API routes."""
    return [
        Route("/__admin/health", health, methods=["GET"]),
        Route("/__admin/scenarios", list_scenarios, methods=["GET"]),
        Route("/__admin/scenarios", load_scenario, methods=["POST"]),
        Route("/__admin/scenarios", clear_scenarios, methods=["DELETE"]),
        Route("/__admin/scenarios/reset", clear_scenarios, methods=["POST"]),
        Route("/__admin/scenarios/reload", reload_scenarios, methods=["POST"]),
        Route("/__admin/requests", list_requests, methods=["GET"]),
        Route("/__admin/requests", clear_requests, methods=["DELETE"]),
        Route("/__admin/requests/count", count_requests, methods=["GET"]),
        Route("/__admin/reset", reset, methods=["POST"]),
    ]
