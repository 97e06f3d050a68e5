"""Load benchmark: the mock against bare Starlette, measured side by side in the same run.

    make bench                    # default: 5 s per row, 32 connections
    .venv/bin/python bench/run.py --seconds 10 --connections 64 [--only mixed|single]

Two kinds of rows, each with its baseline from the same run:

- single routes (a catalog list, a page, a BlendX filter, a 404 ...) against bare Starlette serving one
  precomputed page (the machine's ceiling);
- a mixed workload per API (catalog, enterprise, BlendX, edx-search: lists, pages and details round-robin)
  against bare Starlette replaying the mock's own recorded answers to the same requests, byte for byte
  (`bench/baseline_app.py`): "mock / baseline" is what the mock's pipeline costs over serving the same bytes.

The mock and the baseline each run in their own uvicorn process (httptools, no access log) on 127.0.0.1,
loaded by `wrk` (Debian package). Printed: req/s, p50, p99, the ratio to the row's baseline and the server's
CPU time per request (user + system, read from /proc around each run: on a shared 2-core machine req/s
moves with whatever else runs, CPU per request much less), and the baseline's CPU per request over the
row's (the throughput ratio the two would have on a core of their own). `--repeat N` alternates each mixed
pair N times and keeps each side's best run. `--against DIR` also serves another checkout of mockserver (with
its own `.venv`, e.g. a `git worktree` at an older commit) on the same mixed workloads, alternating with this
one: a before/after comparison measured in one run. They are information, never assertions. Traffic
stays on loopback and every run is bounded by `--seconds`. `--markdown` prints the table as Markdown (the
form docs/performance.md quotes).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def revision(checkout: Path) -> str:
    """The commit a checkout is at (short id), or its directory name outside git."""
    done = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or checkout.name


def start(command: list[str], port: int, env=None, cwd: Path = ROOT) -> subprocess.Popen:
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-2000:])
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server on {port} did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 where it is not available)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(proc: subprocess.Popen, url: str, seconds: int, connections: int, headers: dict[str, str],
             script: str | None = None) -> dict:
    """One wrk run, with the server's CPU time per request over the same run."""
    before = cpu_seconds(proc.pid)
    result = wrk(url, seconds, connections, headers, script)
    requests = result["rps"] * seconds
    result["cpu_us"] = (cpu_seconds(proc.pid) - before) / requests * 1e6 if requests else 0.0
    return result


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str], script: str | None = None) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": lat.get("50", "?"), "p99": lat.get("99", "?"), "errors": int(non2xx.group(1)) if non2xx else 0}


def mixed_workloads(url: str, jwt: dict, secret: dict) -> dict[str, list[tuple[str, str, dict, dict | None]]]:
    """Per API, the requests of a mixed workload (method, path with query, headers, form): lists, pages and
    details a client pages through, taken from what the mock serves."""
    catalogs = httpx.get(f"{url}/catalog/v1/catalogs/?limit=100", headers=jwt).json()["results"]
    ent = httpx.get(f"{url}/enterprise/v1/enterprise-catalogs", headers=jwt).json()["results"]
    items = httpx.get(f"{url}/enterprise/v2/enterprise-catalogs/{ent[0]['uuid']}", headers=jwt).json()["results"]
    courses = [item for item in items if item["content_type"] == "course"]
    bx = httpx.get(f"{url}/blendxapi/discovery/courses/?limit=12", headers=secret).json()["courses"]
    catalog = [("GET", "/catalog/v1/catalogs/", jwt, None)]
    catalog += [("GET", f"/catalog/v1/catalogs/{c['id']}/", jwt, None) for c in catalogs[:6]]
    catalog += [("GET", f"/catalog/v1/catalogs/{c['id']}/courses/?limit=5&offset={n}", jwt, None)
                for c in catalogs[:4] for n in (0, 5)]
    enterprise = [("GET", "/enterprise/v1/enterprise-catalogs", jwt, None)]
    enterprise += [("GET", f"/enterprise/v2/enterprise-catalogs/{c['uuid']}", jwt, None) for c in ent[:5]]
    enterprise += [("GET", f"/enterprise/v2/enterprise-catalogs/{ent[0]['uuid']}/courses/{c['key']}", jwt, None)
                   for c in courses[:6]]
    enterprise += [("GET", "/enterprise/v3/enterprise-customer/58152f7f-6d0e-41cf-862d-0a27c6fad72c/learner-summary",
                    jwt, None)]
    blendx = [("GET", f"/blendxapi/discovery/courses/?limit=20&page={n}", secret, None) for n in (1, 2, 3)]
    blendx += [("GET", f"/blendxapi/discovery/courses/?tags={t}&order_by=display_name.asc", secret, None)
               for t in ("health", "python", "ai")]
    blendx += [("GET", f"/blendxapi/discovery/course/{c['openedx_course_id']}/", secret, None) for c in bx[:8]]
    search = [("POST", "/search/course_discovery/", {}, form) for form in (
        {"search_string": "python"}, {"search_string": "data"}, {"page_size": "20"}, {"org": "MITx"},
        {"search_string": "health", "page_size": "10", "page_index": "1"})]
    return {"catalog": catalog, "enterprise": enterprise, "blendx": blendx, "search": search}


def record(url: str, requests: list, path: Path) -> None:
    """The mock's answers to `requests`, written for the bare-Starlette replay (bench/baseline_app.py)."""
    entries = []
    for method, target, headers, form in requests:
        response = httpx.request(method, url + target, headers=headers, data=form)
        kept = {k: v for k, v in response.headers.items() if k not in ("content-length", "date", "server")}
        entries.append({"method": method, "target": target, "status": response.status_code, "headers": kept,
                        "body": base64.b64encode(response.content).decode()})
    path.write_text(json.dumps(entries), encoding="utf-8")


def lua_script(requests: list, path: Path) -> str:
    """A wrk script that sends `requests` round-robin (each connection starting at its own offset)."""
    def lua(text: str) -> str:
        return "[==[" + text + "]==]"

    lines = ["local reqs = {}", "local i = 0", "function init(args)"]
    for method, target, headers, form in requests:
        body = urlencode(form) if form is not None else None
        hdrs = dict(headers)
        if body is not None:
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        table = "{" + ", ".join(f"[ {lua(k)} ] = {lua(v)}" for k, v in hdrs.items()) + "}"
        lines.append(f"  reqs[#reqs + 1] = wrk.format({lua(method)}, {lua(target)}, {table}, "
                     f"{lua(body) if body is not None else 'nil'})")
    lines += ["  i = math.random(#reqs)", "end", "function request()", "  i = i % #reqs + 1", "  return reqs[i]",
              "end"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def cpu_ratio(result: dict, baseline: dict) -> str:
    """Baseline CPU per request over this row's: the req/s ratio the two would reach on an idle core."""
    return f"{baseline['cpu_us'] / result['cpu_us']:.2f}" if result["cpu_us"] else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--size", default="default", help="world size of the mock under test")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--only", choices=("mixed", "single"), help="run one half of the table")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each mixed pair N times, alternating, and keep each side's best run")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="another mockserver checkout (with its .venv) to serve side by side on the mixed rows")
    args = parser.parse_args()
    if args.against is not None and not (args.against / ".venv" / "bin" / "python").exists():
        print(f"--against {args.against}: no .venv/bin/python there (run `make .venv/.installed` in it)",
              file=sys.stderr)
        return 2
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="mockserver-bench-"))
    rows: list[tuple[str, dict, dict]] = []  # (label, result, its baseline's result)
    port = free_port()
    mock = start([PY, "-m", "mockserver", "serve", "--port", str(port), "--size", str(args.size),
                  "--clock", "2026-01-15"], port)
    base = other = None
    try:
        url = f"http://127.0.0.1:{port}"
        token = httpx.post(f"{url}/oauth2/v1/access_token",
                           data={"grant_type": "client_credentials", "client_id": "bench", "token_type": "jwt"}).json()["access_token"]
        jwt = {"Authorization": f"JWT {token}"}
        secret = {"actionsecret": "your_secret"}
        workloads = mixed_workloads(url, jwt, secret)
        record(url, [r for reqs in workloads.values() for r in reqs], work / "replay.json")
        base_port = free_port()
        base = start([PY, "-m", "uvicorn", "bench.baseline_app:app", "--port", str(base_port), "--no-access-log",
                      "--log-level", "warning", "--http", "httptools"], base_port,
                     env={**os.environ, "BENCH_REPLAY": str(work / "replay.json")})
        base_url = f"http://127.0.0.1:{base_port}"
        if args.against is not None:
            other_port = free_port()
            other = start([str(args.against / ".venv" / "bin" / "python"), "-m", "mockserver", "serve", "--port",
                           str(other_port), "--size", str(args.size), "--clock", "2026-01-15"], other_port,
                          cwd=args.against)
            other_url = f"http://127.0.0.1:{other_port}"
            other_label = revision(args.against)
        time.sleep(0.5)

        if args.only != "mixed":
            wrk(f"{base_url}/bench", 1, args.connections, {})
            ceiling = measured(base, f"{base_url}/bench", args.seconds, args.connections, {})
            rows.append(("bare Starlette, precomputed bytes (ceiling)", ceiling, ceiling))
            targets = [
                ("catalog list", "/catalog/v1/catalogs/", jwt),
                ("catalog courses page", "/catalog/v1/catalogs/1/courses/", jwt),
                ("enterprise catalog page", "/enterprise/v2/enterprise-catalogs/3f56a21c-76c8-47c0-add8-a99714d40d94", jwt),
                ("learner summary page", "/enterprise/v3/enterprise-customer/58152f7f-6d0e-41cf-862d-0a27c6fad72c/learner-summary", jwt),
                ("blendx filtered page", "/blendxapi/discovery/courses/?limit=20&tags=health&order_by=display_name.asc", secret),
                ("404 (no auth needed)", "/catalog/v1/nothing/", {}),
            ]
            for label, path, headers in targets:
                wrk(url + path, 1, args.connections, headers)
                rows.append((f"mock: {label}", measured(mock, url + path, args.seconds, args.connections, headers),
                             ceiling))

        if args.only != "single":
            for api, requests in workloads.items():
                script = lua_script(requests, work / f"{api}.lua")
                wrk(base_url + "/", 1, args.connections, {}, script)
                wrk(url + "/", 1, args.connections, {}, script)
                if other is not None:
                    wrk(other_url + "/", 1, args.connections, {}, script)
                replays, serves, others = [], [], []
                for _ in range(max(1, args.repeat)):
                    replays.append(measured(base, base_url + "/", args.seconds, args.connections, {}, script))
                    serves.append(measured(mock, url + "/", args.seconds, args.connections, {}, script))
                    if other is not None:
                        others.append(measured(other, other_url + "/", args.seconds, args.connections, {}, script))
                replayed = max(replays, key=lambda r: r["rps"])
                served = max(serves, key=lambda r: r["rps"])
                rows.append((f"mixed {api} ({len(requests)} requests): bare Starlette replay", replayed, replayed))
                rows.append((f"mixed {api}: mock", served, replayed))
                if other is not None:
                    rows.append((f"mixed {api}: mock at {other_label}", max(others, key=lambda r: r["rps"]),
                                 replayed))
    finally:
        for proc in (mock, base, other):
            if proc is not None:
                proc.terminate()
                proc.wait()
        shutil.rmtree(work, ignore_errors=True)

    load = os.getloadavg()[0]
    if args.markdown:
        print("\n| target | req/s | p50 | p99 | req/s vs baseline | server CPU/req | CPU: baseline / this | non-2xx |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|")
        for label, r, b in rows:
            print(f"| {label} | {r['rps']:,.0f} | {r['p50']} | {r['p99']} | {r['rps'] / b['rps']:.2f} | "
                  f"{r['cpu_us']:.0f} us | {cpu_ratio(r, b)} | {r['errors']} |")
    else:
        print(f"\n{'target':58} {'req/s':>9} {'p50':>9} {'p99':>9} {'vs base':>8} {'CPU/req':>9} {'CPU ratio':>9} "
              f"{'non-2xx':>8}")
        for label, r, b in rows:
            print(f"{label:58} {r['rps']:>9.0f} {r['p50']:>9} {r['p99']:>9} {r['rps'] / b['rps']:>8.2f} "
                  f"{r['cpu_us']:>6.0f} us {cpu_ratio(r, b):>9} {r['errors']:>8}")
    print(f"\nBaselines: the single routes are compared with bare Starlette's precomputed page (the ceiling), each "
          f"mixed workload with bare Starlette replaying the mock's recorded answers to the same requests.\n"
          f"{args.connections} connections, {args.seconds} s per row; load average at the end: {load:.1f} on "
          f"{os.cpu_count()} cores.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
