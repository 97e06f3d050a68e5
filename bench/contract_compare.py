"""Plain `schemathesis run` with our specs vs `mockserver contract`: true drifts found and false positives.

Both tools run, in the same process run and with the same seed, against:

- the drift fixture (`tests/contract/apps/drift.py`: the mock, small world, strict auth, made to drift in
  named ways, each with the operation, check and JSON pointer where it must be reported);
- the clean mock in strict auth mode (same world, no drift);
- the clean mock in its default permissive auth mode (`mockserver contract` is told so with
  `--permissive-auth`; plain schemathesis has no way to be told).

Scoring:
- `mockserver contract` finds a drift when it reports it at its operation, check and pointer (`EXPECTED`);
- plain schemathesis reports no pointers in a form we can read back, so it is credited at each operation
  with as many drifts as it reports distinct failure codes there that it does not also report at that
  operation on the clean strict mock (at most the drifts made there; generous to it);
- a false positive is a reported failure (schemathesis: a `<failure>` of its JUnit report; ours: a
  finding) that the drift did not cause: at an operation no drift touches (`EXPECTED` and `COLLATERAL`),
  or, for schemathesis, of a code it also reports there on the clean mock; on a clean mock, every one.
  Should the strict mock take a session cookie it never issued, that true finding is counted apart
  ("+N known").

    .venv/bin/python bench/contract_compare.py [--seeds 1,2,3] [--max-examples 20] [--markdown]

Figures depend on the machine only through time; they were taken on a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import httpx  # noqa: E402

from contract.apps.drift import COLLATERAL, EXPECTED, DriftMiddleware  # noqa: E402
from contract.conftest import ACTION_SECRET, CLIENT_ID, CLIENT_SECRET, small_settings  # noqa: E402
from mockserver.app import create_app  # noqa: E402
from mockserver.contract import ContractOptions, Credentials, run_contract  # noqa: E402
from mockserver.contract.credentials import exchange_client_credentials  # noqa: E402
from mockserver.specs import CONTRACT_APIS, DEFAULT_SPECS_DIR, base_path, load_spec  # noqa: E402
from mockserver.testing import LiveServer  # noqa: E402


def _shape(pointer: str) -> str:
    import re

    return re.sub(r"/\d+(?=/|$)", "/*", pointer)


def _schemathesis() -> list[str]:
    script = Path(sys.executable).with_name("schemathesis")
    return [str(script)] if script.exists() else [shutil.which("schemathesis") or "schemathesis"]


def plain_schemathesis(url: str, seed: int, max_examples: int, workdir: Path) -> list[tuple[str, str]]:
    """`(operation label, failure code)` of every failure `schemathesis run --checks all` reports."""
    token = exchange_client_credentials(url, CLIENT_ID, CLIENT_SECRET, 10)
    labels: list[tuple[str, str]] = []
    for api in CONTRACT_APIS:
        raw = load_spec(api)
        header = f"Authorization: JWT {token}" if api != "blendx" else f"actionsecret: {ACTION_SECRET}"
        # A fresh directory per run: schemathesis replays the crashes it cached in ./.schemathesis/ on later runs.
        cwd = Path(tempfile.mkdtemp(dir=workdir))
        report = cwd / f"st-{api}-{seed}.xml"
        subprocess.run([*_schemathesis(), "run", str(DEFAULT_SPECS_DIR / f"{api}.yaml"), "--url",
                        url + base_path(raw), "--checks", "all", "-H", header, "-n", str(max_examples), "--seed",
                        str(seed), "--report", "junit", "--report-junit-path", str(report)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=cwd,
                       env={**os.environ, "SCHEMATHESIS_HOOKS": ""}, timeout=600)
        if not report.exists():
            raise SystemExit(f"schemathesis wrote no report for {api}")
        for case in ElementTree.parse(report).getroot().iter("testcase"):
            labels += [(case.get("name", ""), failure.get("message", "")) for failure in case.findall("failure")]
    return labels


def ours(url: str, seed: int, max_examples: int, permissive: bool) -> list[tuple[str, str, str]]:
    credentials = Credentials(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, action_secret=ACTION_SECRET)
    result = run_contract(ContractOptions(base_url=url, seed=seed, max_examples=max_examples, credentials=credentials,
                                          permissive_auth=permissive))
    if result.setup_error or result.errors:
        raise SystemExit(f"mockserver contract could not run: {result.setup_error or result.errors[:2]}")
    return [(f.operation, f.check, _shape(f.pointer)) for f in result.findings]


def _session_probe_lets_in(url: str) -> bool:
    from mockserver.contract.probes import PROBE_SESSION

    return httpx.get(f"{url}/blendxapi/discovery/courses/", headers={"Cookie": PROBE_SESSION}).status_code == 200


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds (default 1,2,3)")
    parser.add_argument("--max-examples", type=int, default=20)
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for docs/contract.md)")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    touched = {op for op, _, _ in EXPECTED.values()} | set().union(*COLLATERAL.values())
    rows = []
    with tempfile.TemporaryDirectory() as tmp, \
            LiveServer(DriftMiddleware(create_app(small_settings()))) as drifted, \
            LiveServer(create_app(small_settings())) as strict, \
            LiveServer(create_app(small_settings(auth_mode="permissive"))) as permissive:
        workdir = Path(tmp)
        known_session = _session_probe_lets_in(strict.url)
        for seed in seeds:
            started = time.monotonic()
            st_drift = plain_schemathesis(drifted.url, seed, args.max_examples, workdir)
            st_strict = plain_schemathesis(strict.url, seed, args.max_examples, workdir)
            st_permissive = plain_schemathesis(permissive.url, seed, args.max_examples, workdir)
            st_time = time.monotonic() - started
            started = time.monotonic()
            ms_drift = ours(drifted.url, seed, args.max_examples, False)
            ms_strict = ours(strict.url, seed, args.max_examples, False)
            ms_permissive = ours(permissive.url, seed, args.max_examples, True)
            ms_time = time.monotonic() - started
            found_ms = {(op, check, _shape(ptr)) for op, check, ptr in ms_drift}
            known = sum(1 for f in ms_strict if f[1] == "auth_rejection" and f[0].startswith("GET /blendxapi/")) \
                if known_session else 0
            clean = set(st_strict)
            caused = [(op, code) for op, code in st_drift if op in touched and (op, code) not in clean]
            per_op = {op: sum(1 for d in EXPECTED.values() if d[0] == op) for op, _, _ in EXPECTED.values()}
            st_found = sum(min(per_op[op], len({c for o, c in caused if o == op})) for op in per_op)
            rows.append({
                "seed": seed,
                "st": (st_found, len(st_drift) - len(caused), len(st_strict), len(st_permissive), st_time),
                "ms": (sum(1 for d in EXPECTED.values() if (d[0], d[1], _shape(d[2])) in found_ms),
                       sum(1 for f in ms_drift if f[0] not in touched), len(ms_strict) - known, len(ms_permissive),
                       ms_time, known),
            })
    total = len(EXPECTED)
    if args.markdown:
        print(f"| tool | seed | true drifts found (of {total}) | false positives on the drift fixture | "
              "findings on the clean mock, strict | findings on the clean mock, permissive | time |")
        print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        for tool, key in (("`schemathesis run --checks all`", "st"), ("`mockserver contract`", "ms")):
            found, fp, strict_n, permissive_n, took = row[key][:5]
            extra = f" (+{row[key][5]} known)" if key == "ms" and row[key][5] else ""
            if args.markdown:
                print(f"| {tool} | {row['seed']} | {found} | {fp} | {strict_n}{extra} | {permissive_n} | {took:.0f}s |")
            else:
                print(f"{tool.strip('`'):<32} seed {row['seed']}: {found}/{total} drifts found, {fp} false positives "
                      f"on the fixture, {strict_n}{extra} on the clean strict mock, {permissive_n} on the clean "
                      f"permissive mock, {took:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
