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
from mockserver.settings import add_world_arguments, settings_from_args


def register(subparsers) -> None:
    """Add the `scenario` command to the CLI (cli.py calls this)."""
    parser = subparsers.add_parser("scenario", help="scenario files: check them, print their JSON Schema")
    sub = parser.add_subparsers(dest="scenario_command", required=True)
    check = sub.add_parser("check", help="validate scenario files without serving (exit 1 on any problem)")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add_world_arguments(check)  # the world the files are checked against, chosen as `serve` chooses it
    check.add_argument("--separately", action="store_true",
                       help="check each file on its own world instead of all of them stacked")
    check.set_defaults(func=cmd_check)
    schema = sub.add_parser("schema", help="print the scenario JSON Schema (schemas/scenario.schema.json)")
    schema.set_defaults(func=cmd_schema)


def cmd_check(args: argparse.Namespace) -> int:
    from mockserver.app import ProbeRenderer
    from mockserver.scenarios.loader import build_snapshot, read_files

    missing = [str(f) for f in args.files if not f.exists()]
    if missing:  # a file that is not there is a usage error (exit 2), as with `serve --scenario`
        print(f"mockserver scenario check: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    settings = settings_from_args(args)
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
