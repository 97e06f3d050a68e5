"""`mockserver record`: flags and environment in, a scenario file and a summary out.

Two modes share one pipeline (`mockserver/record/__init__.py`): `--base-url URL` crawls the target
read-only; `--proxy URL --port P` forwards a client's traffic and records what it used (until Ctrl-C).
Exit codes: 0 the file was written and loads, 1 it was written but `--strict` found answers it cannot
reproduce, or it does not load, 2 the recording could not happen (bad flags, unreachable target, refused
credentials). Credentials come from flags or the environment and are never printed or written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

from mockserver.contract.safety import DEFAULT_TIMEOUT

__all__ = ["register", "run"]

SALT_ENV = "MOCKSERVER_RECORD_SALT"


def register(subparsers) -> argparse.ArgumentParser:
    """Add the `record` subcommand to the CLI (cli.py calls this)."""
    p = subparsers.add_parser(
        "record", help="record a deployment into an anonymised, validated scenario file",
        description="Crawl a deployment read-only (--base-url) or proxy a client's traffic to it (--proxy), "
                    "and write what it answered as scenario records, learners anonymised. Exit 0 written, "
                    "1 written with problems (--strict) or not loadable, 2 could not record.")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--base-url", help="crawl this deployment, e.g. https://staging.example.org")
    source.add_argument("--proxy", metavar="URL", help="forward a client's traffic to URL and record it")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.yaml", help="scenario file to write")
    p.add_argument("--api", choices=("catalog", "enterprise", "blendx", "all"), default="all",
                   help="which API to crawl (blendx includes edx-search; default all)")
    p.add_argument("--only", action="append", default=[], metavar="KIND:VALUE",
                   help="start from these ids instead of the lists (repeatable): catalog:ID, enterprise-catalog:UUID,"
                        " enterprise-customer:UUID, blendx-course:RUN_KEY, search:TEXT")
    p.add_argument("--max-requests", type=int, default=2000, help="stop after this many requests (default 2000)")
    p.add_argument("--max-records", type=int, default=5000, help="follow at most this many listed items (default 5000)")
    p.add_argument("--port", type=int, default=8400, help="proxy mode: port to listen on (default 8400)")
    p.add_argument("--host", default="127.0.0.1", help="proxy mode: interface to bind (default 127.0.0.1)")
    p.add_argument("--jwt", help="JWT for the edX routes (default: $MOCKSERVER_JWT)")
    p.add_argument("--client-id", help="OAuth client id, exchanged for a JWT (default: $MOCKSERVER_CLIENT_ID)")
    p.add_argument("--client-secret", help="OAuth client secret (default: $MOCKSERVER_CLIENT_SECRET)")
    p.add_argument("--action-secret", help="BlendX action secret (default: $ACTION_SECRET)")
    p.add_argument("--rate-limit", help="e.g. 10/s; default: none on loopback, 5/s elsewhere")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="per-request timeout in seconds")
    p.add_argument("--salt", help=f"key of the pseudonyms (default: ${SALT_ENV}, else this user's own random salt, made once in $XDG_CONFIG_HOME/mockserver/record-salt)")
    p.add_argument("--keep", action="append", default=[], metavar="FIELD", help="do not anonymise FIELD (repeatable)")
    p.add_argument("--anonymise", action="append", default=[], metavar="FIELD",
                   help="also anonymise FIELD wherever it appears (repeatable)")
    p.add_argument("--seed", type=int, default=1, help="seed of the generated world around the records (default 1)")
    p.add_argument("--clock", help="the recording's clock, ISO 8601 (default: the target's day, from its Date header)")
    p.add_argument("--size", default="0",
                   help="world size written into the file: 0 (default) the world holds only what was recorded, so "
                        "lists answer exactly as recorded; small, default, large or N add generated records around it")
    p.add_argument("--no-verify", action="store_true", help="skip replaying the recorded requests against the file")
    p.add_argument("--strict", action="store_true", help="exit 1 when any recorded answer cannot be reproduced")
    p.add_argument("--quiet", action="store_true", help="no progress lines, only the summary")
    p.set_defaults(func=run)
    return p


def _clock(args, server_date: str | None) -> datetime:
    from mockserver.settings import parse_clock

    if args.clock:
        return parse_clock(args.clock)
    try:
        moment = parsedate_to_datetime(server_date) if server_date else datetime.now(timezone.utc)
    except (TypeError, ValueError):
        moment = datetime.now(timezone.utc)
    # The mock's own default clock: the start of the (UTC) day.
    return moment.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)


def run(args: argparse.Namespace) -> int:
    from mockserver.contract.credentials import Credentials, CredentialsError, exchange_client_credentials
    from mockserver.contract.redact import Redactor
    from mockserver.record.anonymise import AnonymiseError, Anonymiser
    from mockserver.record.crawl import CrawlError, CrawlOptions, crawl
    from mockserver.record.proxy import ProxyError, serve_proxy
    from mockserver.record.summary import Summary
    from mockserver.settings import SettingsError, parse_size

    def fail(message: str) -> int:
        print(f"mockserver record: {redactor.text(message)}", file=sys.stderr)
        return 2

    credentials = Credentials.from_sources(jwt=args.jwt, action_secret=args.action_secret,
                                           client_id=args.client_id, client_secret=args.client_secret)
    redactor = Redactor(credentials.secrets() + [args.salt or os.environ.get(SALT_ENV)])
    try:
        anonymiser = Anonymiser(args.salt or os.environ.get(SALT_ENV), keep=args.keep, anonymise=args.anonymise)
        size = 0 if str(args.size).strip() == "0" else parse_size(args.size)
        clock_flag = _clock(args, None) if args.clock else None
    except (AnonymiseError, SettingsError) as exc:
        return fail(str(exc))
    for name in ("max_requests", "max_records"):
        if getattr(args, name) < 1:
            return fail(f"--{name.replace('_', '-')} must be at least 1")
    if args.out.exists() and args.out.is_dir():
        return fail(f"--out {args.out}: is a directory")

    def progress(line: str) -> None:
        if not args.quiet:
            print(redactor.text(line), file=sys.stderr, flush=True)

    summary = Summary(output=str(args.out))
    target = args.base_url or args.proxy
    if not target.startswith(("http://", "https://")):
        return fail(f"{'--base-url' if args.base_url else '--proxy'} {target!r}: expected an http(s) URL")
    if not credentials.jwt and credentials.client_id and credentials.client_secret:
        try:
            jwt = exchange_client_credentials(target, credentials.client_id, credentials.client_secret, args.timeout)
        except CredentialsError as exc:
            return fail(str(exc))
        redactor.add(jwt)
        credentials = Credentials(jwt=jwt, action_secret=credentials.action_secret)
    try:
        if args.base_url:
            options = CrawlOptions(base_url=args.base_url, credentials=credentials,
                                   apis=("catalog", "enterprise", "blendx") if args.api == "all" else (args.api,),
                                   only=tuple(args.only), max_requests=args.max_requests, max_records=args.max_records,
                                   rate_limit=args.rate_limit, timeout=args.timeout, progress=progress)
            exchanges, server_date = crawl(options, summary)
            mode = "crawl"
        else:
            exchanges, server_date = serve_proxy(args.proxy, args.host, args.port, args.timeout, summary, progress,
                                                 max_requests=args.max_requests)
            mode = "proxy"
    except CrawlError as exc:
        return fail(str(exc))
    except ProxyError as exc:
        return fail(str(exc))
    if not exchanges:
        return fail(f"nothing recorded from {target} (" + ("; ".join(f"{n} {w}: {r}" for (w, r), n in
                                                                     summary.skipped.items()) or "no requests") + ")")
    if not any(x.status == 200 for x in exchanges):
        statuses = ", ".join(f"{status} x{n}" for status, n in sorted(Counter(x.status for x in exchanges).items()))
        hint = " (check the credentials: --jwt, --client-id/--client-secret, --action-secret)" \
            if any(x.status in (401, 403) for x in exchanges) else ""
        return fail(f"nothing to record from {target}: every answer was an error ({statuses}){hint}")
    return finish(args, exchanges, server_date, clock_flag, size, target, mode, anonymiser, summary, redactor)


def finish(args, exchanges, server_date, clock_flag, size, target, mode, anonymiser, summary, redactor) -> int:
    """Anonymise, convert, write, verify and summarise (both modes)."""
    from mockserver.record.convert import convert
    from mockserver.record.verify import RecordingRefused, origin_of, replay
    from mockserver.record.writer import scenario_text, source_host

    summary.requests = len(exchanges)
    clock = clock_flag or _clock(args, server_date)
    summary.clock = f"{clock.date().isoformat()} (" + ("--clock" if clock_flag else "the target's Date header"
                                                      if server_date else "today, the target sent no Date") + \
        "; derived values such as availability are computed at it)"
    anonymiser.exchanges(exchanges, summary)
    records = convert(exchanges, summary, clock, args.seed)
    text = scenario_text(records=records, seed=args.seed, size=size, clock=clock, source=source_host(target),
                         mode=mode, out=args.out, summary=summary, default_salt=anonymiser.default_salt)
    tmp = args.out.with_name(args.out.name + ".tmp")
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(redactor.text(text), encoding="utf-8")
        tmp.replace(args.out)
    except OSError as exc:
        print(f"mockserver record: could not write {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    status = 0
    if not args.no_verify:
        try:
            replay(args.out, exchanges, origin_of(target), summary)
        except RecordingRefused as exc:
            print(redactor.text(summary.render()), file=sys.stderr)
            print(f"mockserver record: {args.out} was written but {exc}:", file=sys.stderr)
            for line in exc.problems[:20]:
                print(f"  {line}", file=sys.stderr)
            return 1
        if args.strict and not summary.complete:
            status = 1
    print(redactor.text(summary.render()))
    return status
