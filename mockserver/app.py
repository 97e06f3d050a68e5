"""Builds the ASGI app: the request pipeline (`MIDDLEWARES`), one `add_api` per spec, the dispatch.

The request pipeline is `MIDDLEWARES`, outermost first, then `routing.Dispatch` runs the handler the routing
step chose: parse → query the world → shape → render. connexion runs it in middleware mode
(`ConnexionMiddleware` builds the stack): its error middlewares, its docs (each API's `openapi.json` and
Swagger UI) and its security middleware, fed by our routing step in connexion's own scope format. A step
that takes a `runtime` or `routes` keyword gets this app's when the stack is built. Request validation is
left out on purpose (the real servers are lenient; handlers parse with `params.py`); response validation is
for tests (`validate_responses=True`).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
import time
from pathlib import Path

from connexion import ConnexionMiddleware
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionResponse
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIAPI, SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from connexion.security import ApiKeySecurityHandler
from connexion.spec import Specification
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.templating import Jinja2Templates

from mockserver import errors, landing, limits, specs
from mockserver.admin import is_admin, routes as admin_routes
from mockserver.auth import SCHEME_FUNCTIONS, AuthConfig
from mockserver.journal import Journal
from mockserver.routing import Dispatch, RouteTable, Routing, build_routes
from mockserver.scenarios.behaviours import BehaviourMiddleware
from mockserver.security import SecurityMiddleware
from mockserver.scenarios.manager import install as install_scenarios
from mockserver.sessions import Sessions
from mockserver.sessions import routes as session_routes
from mockserver.settings import DEFAULT_SPECS_DIR, Settings
from mockserver.shared_state import open_state
from mockserver.state import Runtime, Snapshot
from mockserver.search.index import warm as warm_search
from mockserver.world import build_world

DOCS_UI_TEMPLATES = Path(__file__).resolve().parent / "docs_ui"


class DocsAPI(SwaggerUIAPI):
    """connexion's docs routes of one API, with the served spec built once per base path.

    connexion clones the whole specification (deep copy, meta-schema validation, `$ref` resolution) for
    every `openapi.json` / `openapi.yaml` request, 40-90 ms each; the result only depends on the base path.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._served: dict[str, dict] = {}
        # Our page template (mockserver/docs_ui/index.j2); the assets still come from swagger_ui_bundle.
        self._templates = Jinja2Templates(directory=str(DOCS_UI_TEMPLATES))

    def _spec_for_prefix(self, request) -> dict:
        base_path = self._base_path_for_prefix(request)
        spec = self._served.get(base_path)
        if spec is None:
            spec = self._served[base_path] = _named_servers(super()._spec_for_prefix(request))
        return spec


def _named_servers(spec: dict) -> dict:
    """Every server entry of a served spec has a URL Swagger UI can show and call.

    connexion rewrites `servers` to the API's base path; at the root (BlendX) that is the empty string,
    which Swagger UI shows as a blank server dropdown.
    """
    for server in spec.get("servers") or []:
        if not server.get("url"):
            server["url"] = "/"
        server.setdefault("description", "this mockserver")
    return spec


class DocsMiddleware(SwaggerUIMiddleware):
    """connexion's Swagger UI and `openapi.json`, consulted only for paths that can be documentation.

    connexion's version runs every request through a router of every API's docs routes (and again with
    the trailing slash toggled) before passing it on. Its routes are `<base>/openapi.json|yaml` and
    `<base>/ui…`, so a path containing neither `/openapi.` nor `/ui` can match none of them, in either
    slash form, and goes straight on, as it would after the router's miss.
    """

    def add_api(self, specification, base_path=None, arguments=None, **kwargs) -> None:
        # As connexion's add_api, with DocsAPI for SwaggerUIAPI.
        api = DocsAPI(specification, base_path=base_path, arguments=arguments, default=self.default_fn, **kwargs)
        self.router.mount(api.base_path, app=api.router)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and "/ui" not in (path := scope["path"]) and "/openapi." not in path:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class ApiKeyHandler(ApiKeySecurityHandler):
    """connexion's apiKey handler, asking once per auth function which keyword arguments it takes.

    connexion inspects the function's signature twice on every secured request (`required_scopes`?
    `request`?), 15% of a JWT request's CPU; the functions of `auth.py` never change their signatures.
    Installed with `add_api(security_map=…)`, connexion's extension point for security handlers.
    """

    _accepts_kwarg = staticmethod(functools.lru_cache(maxsize=None)(ApiKeySecurityHandler._accepts_kwarg))


SECURITY_MAP = {"apiKey": ApiKeyHandler}


class RuntimeScope:
    """Pipeline step: the runtime and its current snapshot into the scope (a request keeps the snapshot it
    started with, whatever reloads meanwhile). A request naming a session gets the session's runtime, with
    the `/__session/<id>` path prefix taken off (`mockserver.sessions`)."""

    def __init__(self, app, *, runtime: Runtime):
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            runtime = await self.runtime.sessions.enter(scope, send)  # the global world or the session named
            if runtime is None:
                return  # a bad session id or too many sessions: answered
            scope["mockserver"] = runtime
            if not is_admin(scope["path"]):  # a control call must not pin the world it replaces
                scope["mockserver.snapshot"] = runtime.snapshot
            # connexion's router records the operationId in scope["extensions"] of its own copy of the
            # scope; a dict made here is shared with that copy, so the journal sees it (uvicorn sends none).
            scope.setdefault("extensions", {})
        await self.app(scope, receive, send)


class JournalStep:
    """Pipeline step: records every request but the admin API's in the journal, with its final status."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {}

        async def journaled_send(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, journaled_send)
        finally:
            if not is_admin(scope["path"]):
                scope["mockserver"].journal.record(scope, status.get("code"), started)  # the session's own


class RequestLimits:
    """Pipeline step: a request whose headers pass `--max-header-bytes` is a 431, and a path with an integer
    segment too long for `int()` is the API's 404 (Django's URL resolver: no match), before anything reads
    them. uvicorn (with httptools) sets no header limit of its own; the router's int converter would raise."""

    def __init__(self, app, *, runtime: Runtime):
        self.app = app
        self.max_header_bytes = runtime.settings.max_header_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            path = scope["path"]
            weight = scope[limits.HEADER_BYTES_KEY] = limits.header_bytes(scope["headers"])
            size = weight + len(scope.get("query_string", b"")) + len(path)
            kind = "header_too_large" if size > self.max_header_bytes else \
                "not_found" if limits.too_long_for_int(path) else None
            if kind is not None:
                await errors.send_error(send, *errors.error_response(path, kind))
                return
        await self.app(scope, receive, send)


# The whole request pipeline, outermost first (docs/architecture.md states the same order; a test holds it).
MIDDLEWARES = [
    RuntimeScope,  # the session (sessions.py), the runtime and the snapshot this request is served from
    JournalStep,  # the journal sees the final status, a last-resort 500 included
    RequestLimits,  # 431 past the header limit, the API's 404 for ids too long to be numbers
    ServerErrorMiddleware,  # last resort: an unhandled exception becomes a 500
    ExceptionMiddleware,  # every error goes through errors.handle_exception
    DocsMiddleware,  # /<base>/openapi.json and /<base>/ui/ per API
    Routing,  # route once: trailing-slash canonical form, operation, path parameters, 404 / 405
    SecurityMiddleware,  # the auth policies of auth.py (header apiKey schemes on a fast path)
    BehaviourMiddleware,  # scenario behaviours: latency, faults, forced status
]


def _bound(step, **available):
    """`step` with the per-app arguments (`runtime`, `table`, `operations`) it takes bound to it."""
    params = inspect.signature(step).parameters
    wanted = {name: value for name, value in available.items() if name in params}
    return functools.partial(step, **wanted) if wanted else step


async def _handle_exception(request, exc):
    # connexion runs a synchronous error handler in a worker thread; this one only formats bytes, so it
    # runs on the event loop and every 4xx skips the thread hop.
    return errors.handle_exception(request, exc)


async def _client_gone(_request, _exc):
    # The client went away before its whole body arrived (`limits.read_body`): nothing was done with the part
    # that came, nobody will read this answer, and it is no server error to log a traceback for.
    return ConnexionResponse(status_code=400, body=b"")


def _routed_elsewhere(*_args, **_kwargs):
    raise AssertionError("connexion only routes; our router calls the handlers")


# connexion resolves operationIds to functions even in middleware mode; ours are dispatched by routing.py.
_RESOLVER = Resolver(function_resolver=lambda _operation_id: _routed_elsewhere)


def _prepare_spec(spec: dict) -> dict:
    """Point each security scheme at its auth policy, so the spec files name no Python code."""
    schemes = spec.get("components", {}).get("securitySchemes", {})
    for name, scheme in schemes.items():
        if name in SCHEME_FUNCTIONS:
            scheme["x-apikeyInfoFunc"] = SCHEME_FUNCTIONS[name]
    return spec


@contextlib.contextmanager
def _trusting_shipped_specs(specs_dir: Path):
    """Skip connexion's meta-schema check of the specs we ship; keep it for any other specs directory.

    connexion re-validates every spec against the OpenAPI meta-schema with pure-Python jsonschema on each
    load (about half a second for our four, a quarter of start-up). The shipped specs are validated by the
    test suite with openapi-spec-validator (tests/specs/test_specs.py), which is the stricter check; a
    user's own specs directory is still checked here, where a mistake should surface.
    """
    # The switch is class-wide: the lock keeps an app built at the same time in another thread (a custom
    # specs directory among them) from loading its specs while it is off.
    with _SPEC_LOADING:
        if Path(specs_dir).resolve() != Path(DEFAULT_SPECS_DIR).resolve():
            yield
            return
        Specification._validate_spec = classmethod(lambda cls, spec: None)
        try:
            yield
        finally:
            Specification._validate_spec = _CONNEXION_VALIDATE_SPEC


_CONNEXION_VALIDATE_SPEC = Specification.__dict__["_validate_spec"]
_SPEC_LOADING = threading.Lock()


def initial_snapshot(settings: Settings, world=None) -> Snapshot:
    """The snapshot of `settings` alone: their world (or `world`, already built), auth and format."""
    if world is None:
        world = build_world(seed=settings.seed, clock=settings.clock, size=settings.size)
    warm_search(world)
    return Snapshot(world=world,
                    auth=AuthConfig.from_settings(settings),
                    enterprise_format=settings.enterprise_default_format,
                    search_backend=settings.search_backend)


class MockApp:
    """The ASGI app: the pipeline connexion built from `MIDDLEWARES`, and the runtime it serves from."""

    def __init__(self, runtime: Runtime, app: ConnexionMiddleware):
        self.runtime = runtime
        self.app = app

    async def __call__(self, scope, receive, send):
        await self.app(scope, receive, send)


class ProbeRenderer:
    """Renders candidate snapshots through a private app of the same settings, for the scenario records
    check (`scenarios.records_check`): `with render(snapshot) as app:` serves that snapshot.

    The app is built on first use (most scenarios have no records) and is this renderer's alone; one
    candidate at a time (its lock), so concurrent reloads never mix their candidates. Between candidates it
    holds `world`, the serving app's default world, rather than a world of its own (one build and one
    world's memory fewer).
    """

    def __init__(self, settings: Settings, world=None):
        # No scenarios, no watching, no shared state: the probe app serves only what it is handed.
        self.settings = settings.replace(scenarios=(), watch=False, state=None)
        self._world = world
        self._app: MockApp | None = None
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def __call__(self, snapshot: Snapshot):
        with self._lock:
            if self._app is None:
                self._app = create_app(self.settings, world=self._world)
            runtime = self._app.runtime
            previous = runtime.snapshot
            runtime.swap(snapshot)
            try:
                yield self._app
            finally:
                runtime.swap(previous)


def create_app(settings: Settings | None = None, *, validate_responses: bool = False, world=None) -> MockApp:
    """The mock as an ASGI app. `validate_responses` adds connexion's response validation (tests only)."""
    settings = settings or Settings()
    runtime = Runtime(settings, initial_snapshot(settings, world), Journal(settings.journal_size, settings.journal_bytes))

    loaded = [(name, _prepare_spec(specs.load_spec(name, settings.specs_dir)))
              for name in specs.require_specs(settings.specs_dir)]
    entries = [(spec, op) for name, spec in loaded for op in specs.operations(name, spec)]
    table = RouteTable([*admin_routes(), *session_routes(), *landing.routes(loaded), *build_routes(entries)])
    # As connexion keys its APIs: the base path given to add_api below, without its trailing slash.
    operations = {op.operation_id: specs.base_path(spec) for spec, op in entries}

    middlewares = [_bound(step, runtime=runtime, table=table, operations=operations) for step in MIDDLEWARES]
    if validate_responses:
        middlewares.insert(MIDDLEWARES.index(BehaviourMiddleware), ResponseValidationMiddleware)
    connexion_app = ConnexionMiddleware(
        Dispatch(),
        import_name=__name__,
        middlewares=middlewares,
        swagger_ui_options=SwaggerUIOptions(swagger_ui=True, serve_spec=True),
    )
    with _trusting_shipped_specs(settings.specs_dir):
        for name, spec in loaded:
            # An explicit base path lets connexion order the APIs most specific first (BlendX lives at the root).
            connexion_app.add_api(spec, name=name, base_path=specs.base_path(spec), resolver=_RESOLVER,
                                  validate_responses=validate_responses, security_map=SECURITY_MAP)
    for exc_class in (ProblemException, HTTPException):
        connexion_app.add_error_handler(exc_class, _handle_exception)
    connexion_app.add_error_handler(ClientDisconnect, _client_gone)

    app = MockApp(runtime, connexion_app)
    # Scenario files (--scenario, --watch): checked and installed before the app serves anything.
    install_scenarios(runtime, settings, ProbeRenderer(settings, runtime.snapshot.world))
    # Scenarios, sequence counters and the journal, shared with other workers and replicas (--state).
    state = open_state(settings)
    state.attach(runtime)
    runtime.sessions = Sessions(runtime, state)
    state.start(runtime)
    return app
