"""The `mockserver contract` command: flags and environment in, reports and an exit code out.

`register(subparsers)` adds the subcommand to the project CLI; `run(args)` executes it. Exit codes:
0 the target conforms, 1 drift found, 2 the run could not happen (unreachable target, missing or
rejected credentials, missing spec). Secrets are read from flags or the environment and never echoed.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from mockserver.contract.redact import RedactingFilter, Redactor
from mockserver.contract.safety import DEFAULT_TIMEOUT
from mockserver.search import BACKENDS
from mockserver.specs import CONTRACT_APIS as APIS
from mockserver.specs import DEFAULT_SPECS_DIR

__all__ = ["register", "build_parser", "run", "main"]


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api", choices=[*APIS, "all"], default="all", help="which API to test (default: all)")
    parser.add_argument("--base-url", required=True, help="target root, e.g. https://staging.example.org")
    parser.add_argument("--jwt", help="JWT for the edX routes (default: $MOCKSERVER_JWT)")
    parser.add_argument("--client-id", help="OAuth client id, exchanged for a JWT (default: $MOCKSERVER_CLIENT_ID)")
    parser.add_argument("--client-secret", help="OAuth client secret (default: $MOCKSERVER_CLIENT_SECRET)")
    parser.add_argument("--action-secret", help="BlendX action secret (default: $ACTION_SECRET)")
    parser.add_argument("--max-examples", type=int, default=20, help="examples per operation and phase (default 20)")
    parser.add_argument("--seed", type=int, help="Hypothesis seed, for a reproducible run")
    parser.add_argument("--rate-limit", help="e.g. 10/s; default: none on loopback, 5/s elsewhere")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="per-request timeout in seconds")
    parser.add_argument("--report-dir", type=Path, default=Path("reports"), help="where reports go (default reports/)")
    parser.add_argument("--specs-dir", type=Path, default=DEFAULT_SPECS_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--allow-unsafe-methods", action="store_true",
                        help="also send methods other than GET and the read-only search POST")
    parser.add_argument("--permissive-auth", action="store_true",
                        help="the target accepts any unexpired JWT and any non-empty session cookie on purpose (the "
                             "mock's default auth mode): skip the probes it lets through by design, and say so")
    parser.add_argument("--accept-deprecated-keys", action="store_true",
                        help="also accept the deprecated slash forms of course and run keys (Org/Num, Org/Num/Run)")
    parser.add_argument("--requests", type=Path, metavar="FILE",
                        help="replay the requests a client made (GET /__admin/requests JSON, or a journal dump from "
                             "mockserver.testing.dump_journal) instead of generating cases; per request: does it "
                             "still work on the target?")
    parser.add_argument("--mock-url", metavar="URL",
                        help="with --requests: the mock to compare with (the one the client was recorded against); "
                             "default: this mock in-process with default settings")
    parser.add_argument("--search-backend", choices=BACKENDS,
                        help="the engine behind the target's edx-search (default: inferred from its first answer)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines, only the summary")


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `contract` subcommand; the parser's `func` default is `run`."""
    parser = subparsers.add_parser(
        "contract",
        help="contract-test a deployment (or the mock) against the specs",
        description="Fuzz a target with schemathesis against specs/*.yaml, read-only and rate-limited, "
        "and write JUnit, Markdown and HTML drift reports. Exit 0 conforms, 1 drift, 2 could not run.",
    )
    _add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """A standalone parser (`python -m mockserver.contract`)."""
    parser = argparse.ArgumentParser(prog="mockserver contract")
    _add_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the contract command described by `args`; return the exit code."""
    # schemathesis and httpx load only when a contract actually runs (keeps `mockserver serve` start-up lean).
    from mockserver.contract.credentials import Credentials
    from mockserver.contract.report import summary, write_reports
    from mockserver.contract.runner import ContractOptions, run_contract

    credentials = Credentials.from_sources(jwt=args.jwt, action_secret=args.action_secret,
                                           client_id=args.client_id, client_secret=args.client_secret)
    redactor = Redactor(credentials.secrets())
    log_filter = RedactingFilter(redactor)
    for handler in logging.getLogger().handlers:
        handler.addFilter(log_filter)

    def progress(line: str) -> None:
        if not args.quiet:
            print(redactor.text(line), file=sys.stderr, flush=True)

    options = ContractOptions(
        base_url=args.base_url,
        apis=APIS if args.api == "all" else (args.api,),
        credentials=credentials,
        specs_dir=args.specs_dir,
        max_examples=args.max_examples,
        seed=args.seed,
        rate_limit=args.rate_limit,
        timeout=args.timeout,
        allow_unsafe_methods=args.allow_unsafe_methods,
        permissive_auth=args.permissive_auth,
        accept_deprecated_keys=args.accept_deprecated_keys,
        requests_file=args.requests,
        mock_url=args.mock_url,
        search_backend=args.search_backend,
        progress=progress,
    )
    result = run_contract(options, redactor)
    try:
        paths = write_reports(result, args.report_dir, redactor)
    except OSError as exc:
        print(f"could not write reports to {args.report_dir}: {exc.strerror}", file=sys.stderr)
        paths = {}
    print(redactor.text(summary(result, paths)))
    return result.exit_code


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))
