"""`mockserver scenario check FILE…` (validate without serving) and `mockserver scenario schema`.

`check` runs the same checks as `serve --scenario`: each file on its own (syntax, schema, rules), then all
files together as one snapshot (world records, references, the API specs). Every problem is printed as
`file:line:column: field: message`; the exit status is 0 when all files are fine, 1 when any problem was
found, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mockserver.scenarios.problems import ScenarioError


def register(subparsers) -> None:
    """Add the `scenario` command to the CLI (cli.py calls this)."""
    parser = subparsers.add_parser("scenario", help="scenario files: check them, print their JSON Schema")
    sub = parser.add_subparsers(dest="scenario_command", required=True)
    check = sub.add_parser("check", help="validate scenario files without serving (exit 1 on any problem)")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.add_argument("--seed", type=int, help="seed the files are checked against (default as serve)")
    check.add_argument("--clock", help="the world's 'now' the files are checked against")
    check.add_argument("--size", help="small, default, large, or a number of courses")
    check.add_argument("--separately", action="store_true",
                       help="check each file on its own world instead of all of them stacked")
    check.set_defaults(func=cmd_check)
    schema = sub.add_parser("schema", help="print the scenario JSON Schema (schemas/scenario.schema.json)")
    schema.set_defaults(func=cmd_schema)


def cmd_check(args: argparse.Namespace) -> int:
    from mockserver.app import ProbeRenderer
    from mockserver.cli import settings_from_args
    from mockserver.scenarios.loader import build_snapshot, read_files

    settings = settings_from_args(argparse.Namespace(seed=args.seed, clock=args.clock, size=args.size))
    groups = [[f] for f in args.files] if args.separately else [list(args.files)]
    problems = []
    render = ProbeRenderer(settings)
    for files in groups:
        try:
            build_snapshot(read_files(files), settings, render=render)
        except ScenarioError as exc:
            problems += exc.problems
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        files = len({p.file for p in problems})
        print(f"{len(problems)} problem(s) in {files} file(s)", file=sys.stderr)
        return 1
    print(f"ok: {len(args.files)} scenario file(s)")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from mockserver.scenarios.schema import schema_text

    sys.stdout.write(schema_text())
    return 0
