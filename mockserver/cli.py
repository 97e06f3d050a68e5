"""The `mockserver` command: `serve`, `scenario check|schema`, `contract`, `record`, `docs deviations`.

Each subcommand parses its flags into `Settings` (settings.settings_from_args) or its own options and calls
into the package; no behaviour lives here. `serve` owns the process's start-up story: every start-up
problem (a setting, a scenario file, missing specs, a port it cannot bind) is one report on stderr and exit
status 2, and the banner is printed only once the socket is listening.
"""

from __future__ import annotations

import argparse
import socket
import sys
import warnings
from pathlib import Path

from mockserver.version import __version__
from mockserver.contract import command as contract_command
from mockserver.record import command as record_command
from mockserver.scenarios import command as scenario_command
from mockserver.search import BACKENDS
from mockserver.settings import (AUTH_MODES, ENTERPRISE_FORMATS, Settings, SettingsError, add_world_arguments,
                                 env_help, settings_from_args)

_FORMATTER = argparse.RawDescriptionHelpFormatter


def _serve_parser(sub) -> None:
    p = sub.add_parser(
        "serve", help="serve the three APIs on a seeded world", formatter_class=_FORMATTER,
        description="Serve the edX Course Catalog, edX Enterprise and BlendX Discovery APIs (with edx-search "
                    "and the OAuth2 token route) on one seeded, coherent world, with Swagger UI for each and "
                    "the admin API under /__admin/.",
        epilog="Flags with an environment variable name it in their help; a flag wins over it.\n"
               "Exit status: 2 when the server cannot start (a bad setting or scenario file, a port it cannot bind).")
    p.add_argument("--host", help="interface to bind " + env_help("host"))
    p.add_argument("--port", metavar="PORT", help="TCP port; 0 picks a free one " + env_help("port"))
    add_world_arguments(p)
    p.add_argument("--scenario", action="append", type=Path, metavar="FILE",
                   help="scenario file to load (repeatable; later files win; default none)")
    p.add_argument("--watch", action="store_true", help="reload the scenario files when they change (default off)")
    p.add_argument("--auth-mode", choices=AUTH_MODES,
                   help="permissive: any unexpired, well-formed JWT; strict: only tokens this mock signed "
                        + env_help("auth_mode"))
    p.add_argument("--enterprise-format", choices=ENTERPRISE_FORMATS,
                   help="default format of the enterprise routes " + env_help("enterprise_default_format"))
    p.add_argument("--search-backend", choices=BACKENDS,
                   help="engine edx-search emulates " + env_help("search_backend"))
    p.add_argument("--access-log", action="store_true", help="log every request (default off; halves throughput)")
    _add_safety_flags(p)
    p.add_argument("--proxy-headers", action="store_true",
                   help="behind a reverse proxy: take the client address and scheme from X-Forwarded-For/-Proto "
                        "sent by --forwarded-allow-ips (off by default: nothing in front rewrites them)")
    p.add_argument("--forwarded-allow-ips", metavar="IPS",
                   help="comma-separated proxy addresses trusted for X-Forwarded-* (default 127.0.0.1; "
                        "implies --proxy-headers)")
    p.add_argument("--state", metavar="URL",
                   help="share scenarios, sequences and the journal with other replicas: redis://host:port/db "
                        "(env MOCKSERVER_STATE; default: in this process) — docs/deploy.md")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="serve with N processes sharing state (--state, else a private redis-server; default 1) — "
                        "docs/deploy.md")
    p.add_argument("--session-ttl", type=float, metavar="SECONDS", help="idle seconds before a session is forgotten (default 900)")
    p.add_argument("--max-sessions", type=int, metavar="N", help="sessions that may live at once (default 64)")
    p.add_argument("--max-session-worlds", type=int, metavar="N",
                   help="sessions that may hold a world of their own: records, seed, clock or size (default 8)")
    p.set_defaults(func=cmd_serve)


def _add_safety_flags(parser: argparse.ArgumentParser) -> None:
    # docs/security.md explains each of these.
    g = parser.add_argument_group("exposure and limits (docs/security.md)")
    g.add_argument("--admin-token", help="require 'Authorization: Bearer TOKEN' on /__admin/ (prefer env "
                                         "MOCKSERVER_ADMIN_TOKEN: flags show in ps); needed off loopback; default none")
    g.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="extra Host name the admin API accepts on a loopback bind (repeatable; default none)")
    g.add_argument("--scenario-dir", action="append", default=[], type=Path, metavar="DIR",
                   help="directory the admin API may load scenario files from (repeatable; default: the "
                        "--scenario files' directories and ./scenarios)")
    g.add_argument("--max-scenario-bytes", type=int, metavar="N", help="largest scenario file or admin body (default 1 MiB)")
    g.add_argument("--max-header-bytes", type=int, metavar="N", help="largest request header block; more is 431 (default 64 KiB)")
    g.add_argument("--cache-bytes", type=int, metavar="N", help="response cache budget (default 64 MiB; 0: no cache)")
    g.add_argument("--journal-bytes", type=int, metavar="N", help="request journal budget (default 16 MiB)")


class BindError(SettingsError):
    """The server's socket could not be opened; the message says what and where."""


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: a free one), or BindError in one line."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise BindError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise BindError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def banner(settings: Settings, app, port: int | None = None) -> str:
    """What `serve` prints at start-up: where each API is and how to call it (`port`: the one bound)."""
    from mockserver.admin import AdminGuard
    from mockserver.auth import issue_session, sample_token

    base = f"http://{settings.host}:{settings.port if port is None else port}"
    token = sample_token(app.runtime.auth, f"{base}/oauth2")
    world = app.runtime.world
    clock = getattr(world, "clock", None)
    lines = [
        f"mockserver {__version__} serving on {base}  (seed {settings.seed}, size {settings.size}"
        + (f", clock {clock.isoformat()}" if clock else "") + ")",
        "",
        f"  edX Course Catalog   {base}/catalog/v1/catalogs/            docs {base}/catalog/v1/ui/",
        f"  edX Enterprise       {base}/enterprise/v1/enterprise-catalogs  docs {base}/enterprise/ui/",
        f"  BlendX Discovery     {base}/blendxapi/discovery/courses/     docs {base}/ui/",
        f"  edx-search           {base}/search/course_discovery/ (POST)",
        f"  OAuth2 token         {base}/oauth2/v1/access_token (POST)    docs {base}/oauth2/ui/",
        f"  admin                {base}/__admin/health",
        f"    admin API: {AdminGuard(settings).describe()}",
        "",
        f"  sample JWT (valid {settings.token_lifetime}s):",
        f"    Authorization: JWT {token}",
        f"  BlendX action secret (env ACTION_SECRET): actionsecret: {app.runtime.auth.action_secret}",
        f"  BlendX session cookie (strict mode takes only issued ones): sessionid={issue_session(app.runtime.auth)}",
        "",
        f"  curl -H 'Authorization: JWT {token[:16]}…' {base}/catalog/v1/catalogs/",
    ]
    return "\n".join(lines)


def cmd_serve(args) -> int:
    import uvicorn

    from mockserver import memory
    from mockserver.app import create_app
    from mockserver.protocol import uvicorn_options

    try:
        settings = settings_from_args(args)
        if args.workers < 1:
            raise SettingsError(f"--workers: {args.workers} must be at least 1")
        if args.workers > 1:
            return _serve_workers(settings, args)
        sock = listen(settings.host, settings.port)  # first: a busy port fails before the world is built
        memory.tune_allocator()  # before the world is built: every thread's allocations follow it
        app = create_app(settings)
    except SettingsError as exc:
        print(f"mockserver: not started: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    memory.settle()  # the world and specs live for the whole process: out of the collector's way
    config = uvicorn.Config(app, log_level="info" if args.access_log else "warning", access_log=args.access_log,
                            lifespan="on", **_proxy_options(args), **uvicorn_options(settings.max_header_bytes))
    _run_server(config, sock, on_ready=lambda: print(banner(settings, app, port), flush=True))
    return 0


def _serve_workers(settings: Settings, args) -> int:
    from types import SimpleNamespace

    from mockserver import workers
    from mockserver.app import initial_snapshot
    from mockserver.state import Runtime

    # Every worker must build the same world: fix the clock here, once, rather than at each worker's start.
    runtime = Runtime(settings, initial_snapshot(settings))
    settings = settings.replace(clock=runtime.world.clock)
    from mockserver.shared_state.redis_backend import safe_url

    shared = safe_url(settings.state) if settings.state else "a private redis-server"
    text = banner(settings, SimpleNamespace(runtime=runtime)) + \
        f"\n  {args.workers} workers sharing state through {shared}"
    del runtime
    workers.serve(settings, args.workers, log_level="info" if args.access_log else "warning",
                  access_log=args.access_log, **_proxy_options(args), on_listening=lambda: print(text, flush=True))
    return 0


def _proxy_options(args) -> dict:
    """uvicorn's proxy-header options from `--proxy-headers` / `--forwarded-allow-ips` (off unless asked)."""
    return {"proxy_headers": args.proxy_headers or args.forwarded_allow_ips is not None,
            "forwarded_allow_ips": args.forwarded_allow_ips}


def _run_server(config, sock: socket.socket, on_ready) -> None:
    """uvicorn on the already-listening `sock`, calling `on_ready` once it serves (never when start-up failed)."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if self.started and not self.should_exit:
                on_ready()

    Server(config).run(sockets=[sock])


def _docs_parser(sub) -> None:
    p = sub.add_parser("docs", help="generated documentation")
    dsub = p.add_subparsers(dest="docs_command", required=True)
    d = dsub.add_parser("deviations", help="docs/deviations.md from the specs' x-doc-deviation entries")
    d.add_argument("--write", action="store_true", help="write docs/deviations.md instead of printing it")
    d.add_argument("--check", action="store_true", help="exit 1 if docs/deviations.md is stale")
    d.set_defaults(func=cmd_docs_deviations)


def cmd_docs_deviations(args) -> int:
    from mockserver import deviations

    text = deviations.render_page()
    target = deviations.PAGE_PATH
    if (args.check or args.write) and target is None:
        print("mockserver: docs deviations --write/--check update docs/deviations.md of a source checkout; "
              "this is an installed package (run it without them to print the page)", file=sys.stderr)
        return 2
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is stale: run `mockserver docs deviations --write`", file=sys.stderr)
            return 1
        print(f"{target} is up to date")
        return 0
    if args.write:
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="An offline emulator and contract tester for the edX Course Catalog, edX Enterprise and "
                    "BlendX Discovery APIs. `mockserver COMMAND --help` describes each command.")
    parser.add_argument("--version", action="version", version=f"mockserver {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_parser(sub)
    _docs_parser(sub)
    scenario_command.register(sub)
    contract_command.register(sub)
    record_command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # starlette warns about its test client's httpx use on every connexion import; not our users' concern.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except SettingsError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
