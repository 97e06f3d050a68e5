"""The `mockserver` command: `serve`, `scenario check`, `contract`, `docs deviations`.

Each subcommand parses its flags into `Settings` (or its own options) and calls into the package; no
behaviour lives here.
"""

from __future__ import annotations

import argparse
import gc
import sys
import warnings
from pathlib import Path

from mockserver.contract import command as contract_command
from mockserver.record import command as record_command
from mockserver.scenarios import command as scenario_command
from mockserver.search import BACKENDS, DEFAULT_BACKEND
from mockserver.settings import Settings, SettingsError, parse_clock, parse_size


def _add_world_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, help="seed of the world (default 1, env MOCKSERVER_SEED)")
    parser.add_argument("--clock", help="the world's 'now', ISO 8601 (default: start of the current UTC day)")
    parser.add_argument("--size", help="small, default, large, or a number of courses")


def _serve_parser(sub) -> None:
    p = sub.add_parser("serve", help="serve the three APIs on a seeded world")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000)
    _add_world_flags(p)
    p.add_argument("--scenario", action="append", default=[], type=Path, metavar="FILE",
                   help="scenario file to load (repeatable; later files win)")
    p.add_argument("--watch", action="store_true", help="reload scenario files when they change")
    p.add_argument("--auth-mode", choices=("permissive", "strict"), help="permissive: any unexpired JWT; strict: only ours")
    p.add_argument("--enterprise-format", choices=("json", "xml"), help="default format of the enterprise routes")
    p.add_argument("--search-backend", choices=BACKENDS,
                   help=f"engine edx-search emulates (default {DEFAULT_BACKEND}, env MOCKSERVER_SEARCH_BACKEND)")
    p.add_argument("--access-log", action="store_true", help="log every request (halves throughput)")
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
                   help="serve with N processes sharing state (--state, else a private redis-server) — docs/deploy.md")
    p.add_argument("--session-ttl", type=float, metavar="SECONDS", help="idle seconds before a session is forgotten (default 900)")
    p.add_argument("--max-sessions", type=int, metavar="N", help="sessions that may live at once (default 64)")
    p.add_argument("--max-session-worlds", type=int, metavar="N",
                   help="sessions that may hold a world of their own: records, seed, clock or size (default 8)")
    p.set_defaults(func=cmd_serve)


def _add_safety_flags(parser: argparse.ArgumentParser) -> None:
    # docs/security.md explains each of these.
    g = parser.add_argument_group("exposure and limits (docs/security.md)")
    g.add_argument("--admin-token", help="require 'Authorization: Bearer TOKEN' on /__admin/ (prefer env "
                                         "MOCKSERVER_ADMIN_TOKEN: flags show in ps); needed off loopback")
    g.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="extra Host name the admin API accepts on a loopback bind (repeatable)")
    g.add_argument("--scenario-dir", action="append", default=[], type=Path, metavar="DIR",
                   help="directory the admin API may load scenario files from (repeatable; default: the "
                        "--scenario files' directories and ./scenarios)")
    g.add_argument("--max-scenario-bytes", type=int, metavar="N", help="largest scenario file or admin body (1 MiB)")
    g.add_argument("--max-header-bytes", type=int, metavar="N", help="largest request header block; more is 431 (64 KiB)")
    g.add_argument("--cache-bytes", type=int, metavar="N", help="response cache budget (64 MiB; 0: no cache)")
    g.add_argument("--journal-bytes", type=int, metavar="N", help="request journal budget (16 MiB)")


def settings_from_args(args) -> Settings:
    return Settings.from_env(
        host=getattr(args, "host", None), port=getattr(args, "port", None), seed=args.seed,
        clock=parse_clock(args.clock), size=parse_size(args.size) if args.size else None,
        auth_mode=getattr(args, "auth_mode", None),
        enterprise_default_format=getattr(args, "enterprise_format", None),
        search_backend=getattr(args, "search_backend", None),
        scenarios=tuple(getattr(args, "scenario", ()) or ()) or None, watch=getattr(args, "watch", None) or None,
        admin_token=getattr(args, "admin_token", None),
        allowed_hosts=tuple(getattr(args, "allowed_host", ()) or ()) or None,
        scenario_dirs=tuple(getattr(args, "scenario_dir", ()) or ()) or None,
        max_scenario_bytes=getattr(args, "max_scenario_bytes", None),
        max_header_bytes=getattr(args, "max_header_bytes", None),
        cache_bytes=getattr(args, "cache_bytes", None), journal_bytes=getattr(args, "journal_bytes", None),
        state=getattr(args, "state", None), session_ttl=getattr(args, "session_ttl", None),
        max_sessions=getattr(args, "max_sessions", None), max_session_worlds=getattr(args, "max_session_worlds", None),
    )


def banner(settings: Settings, app) -> str:
    """What `serve` prints at start-up: where each API is and how to call it."""
    from mockserver.admin import AdminGuard
    from mockserver.auth import issue_session, sample_token

    base = f"http://{settings.host}:{settings.port}"
    token = sample_token(app.runtime.auth, f"{base}/oauth2")
    world = app.runtime.world
    clock = getattr(world, "clock", None)
    lines = [
        f"mockserver serving on {base}  (seed {settings.seed}, size {settings.size}"
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

    from mockserver.app import create_app

    settings = settings_from_args(args)
    if args.workers < 1:
        raise SettingsError(f"--workers: {args.workers} must be at least 1")
    if args.workers > 1:
        return _serve_workers(settings, args)
    app = create_app(settings)
    print(banner(settings, app), flush=True)
    # The world and specs live for the whole process: move them out of the collector's way, so full
    # collections stay short instead of stalling requests (docs/performance.md).
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info" if args.access_log else "warning",
                access_log=args.access_log, lifespan="on",
                proxy_headers=args.proxy_headers or args.forwarded_allow_ips is not None,
                forwarded_allow_ips=args.forwarded_allow_ips)
    return 0


def _serve_workers(settings: Settings, args) -> int:
    from types import SimpleNamespace

    from mockserver import workers
    from mockserver.app import initial_snapshot
    from mockserver.state import Runtime

    # Every worker must build the same world: fix the clock here, once, rather than at each worker's start.
    runtime = Runtime(settings, initial_snapshot(settings))
    settings = settings.replace(clock=runtime.world.clock)
    print(banner(settings, SimpleNamespace(runtime=runtime)), flush=True)
    from mockserver.shared_state.redis_backend import safe_url

    shared = safe_url(settings.state) if settings.state else "a private redis-server"
    print(f"  {args.workers} workers sharing state through {shared}", flush=True)
    del runtime
    workers.serve(settings, args.workers, log_level="info" if args.access_log else "warning",
                  access_log=args.access_log)
    return 0


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
    parser = argparse.ArgumentParser(prog="mockserver", description=__doc__.splitlines()[0])
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
