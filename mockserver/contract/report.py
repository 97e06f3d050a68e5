"""Reports of a contract run: JUnit XML for CI, a drift report in Markdown and HTML, a one-screen summary.

Every report is built from `ContractResult` (already redacted at collection time) and passed through
the run's `Redactor` once more before it is written, so a secret that slipped into a server's answer
or a library message still never reaches a file.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from mockserver.contract.checks import DOMAIN_CHECKS
from mockserver.contract.failures import AuthBypassDrift
from mockserver.contract.probes import PROBES
from mockserver.contract.redact import REDACTED, Redactor
from mockserver.contract.runner import ContractResult, Finding, OperationResult

__all__ = ["write_reports", "junit_xml", "markdown", "html_report", "summary", "rule_of", "REPORT_FILES"]

REPORT_FILES = {"junit": "contract-junit.xml", "markdown": "contract-drift.md", "html": "contract-drift.html"}

_VERDICT = {0: "CONFORMS", 1: "DRIFT FOUND", 2: "COULD NOT RUN"}


# What schemathesis' own checks enforce, in words for someone who has not read its documentation.
_BUILTIN_RULES = {
    "not_a_server_error": "A request the spec allows is not answered with a server error (5xx).",
    "status_code_conformance": "The status code is one the operation declares in the spec.",
    "content_type_conformance": "The Content-Type is one the spec declares for that status.",
    "response_headers_conformance": "Headers the spec declares as required for that status are present and valid.",
    "response_schema_conformance": "The JSON body validates against the response schema in the spec.",
    "positive_data_acceptance": "A request the spec allows is not rejected as invalid (400/422).",
    "allow_header_conformance": "A 405 answer carries an Allow header listing the methods the spec declares.",
}

_HOW_TO_READ = (
    "Each drift names the operation (method and path as written in `specs/<api>.yaml`), the rule it breaks, "
    "and a JSON pointer (RFC 6901) to where it breaks: into the response body (`/results/0/key`), or "
    "`/status` for the status code, `/headers/<name>` for a header, `/query/<name>`, `/path/<name>` or "
    "`/body/<name>` for a request parameter the check varied. *expected* is what the contract says, "
    "*actual* what the target answered (JSON values are shown as JSON, so `\"38\"` is a string and `38` a "
    "number). The curl reproduces the request that showed the drift; credentials are shown as "
    f"`{REDACTED}`: put your own back to run it. The same rule broken at several items is reported once, "
    "with the number of test cases that found it."
)


def rule_of(check: str) -> str:
    """The rule a check enforces, in one paragraph (a domain check's or probe's docstring, or our words for
    schemathesis')."""
    if check in _BUILTIN_RULES:
        return _BUILTIN_RULES[check] + " (schemathesis check)"
    if check == "replay":
        return ("A request a client really made (`--requests`) is answered by the target as by the mock: the same "
                "status, the same media type, and every field the client reads present with the same JSON type.")
    doc = getattr(DOMAIN_CHECKS.get(check) or PROBES.get(check), "__doc__", None) or ""
    return " ".join(doc.split()) or check


def _kind(check: str) -> str:
    if check == "replay":
        return "replay"
    return "schemathesis check" if check in _BUILTIN_RULES else "probe" if check in PROBES else "domain check"


def _bypass(finding: Finding) -> bool:
    return finding.code == AuthBypassDrift.code


def _ordered(result: ContractResult) -> list[tuple[OperationResult, list[Finding]]]:
    """Operations with drifts, those with an authentication bypass first; in each, bypasses first."""
    ops = [op for op in result.operations.values() if op.findings]
    ops.sort(key=lambda op: not any(_bypass(f) for f in op.findings))
    return [(op, sorted(op.findings, key=lambda f: not _bypass(f))) for op in ops]


def _anchor(op: OperationResult) -> str:
    return "op-" + re.sub(r"[^a-z0-9]+", "-", f"{op.api} {op.operation}".lower()).strip("-")


def _not_checked(op: OperationResult) -> str:
    return "; ".join(([op.skipped] if op.skipped else []) + op.notes)


_INLINE = re.compile(r"``\s?(.+?)\s?``|`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*")


def _inline_html(text: str) -> str:
    """Markdown inline formatting (code, bold, emphasis) as HTML; everything else escaped."""
    out, last = [], 0
    for match in _INLINE.finditer(text):
        out.append(html.escape(text[last:match.start()]))
        code = match.group(1) or match.group(2)
        if code is not None:
            out.append(f"<code>{html.escape(code)}</code>")
        elif match.group(3) is not None:
            out.append(f"<strong>{html.escape(match.group(3))}</strong>")
        else:
            out.append(f"<em>{html.escape(match.group(4))}</em>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)


def _code(value: Any) -> str:
    """`value` as Markdown inline code, whatever backticks it holds."""
    text = _text(value).replace("\n", " ")
    if "`" not in text:
        return f"`{text}`"
    return f"`` {text} ``"


def _seen(finding: Finding) -> str:
    if finding.occurrences > 1:
        return f"found by {finding.occurrences} test cases (the first is shown)"
    return "found by 1 test case"


def write_reports(result: ContractResult, report_dir: Path, redactor: Redactor) -> dict[str, Path]:
    """Write the JUnit, Markdown and HTML reports into `report_dir`; return their paths."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind, render in (("junit", junit_xml), ("markdown", markdown), ("html", html_report)):
        path = report_dir / REPORT_FILES[kind]
        path.write_text(redactor.text(render(result)), encoding="utf-8")
        paths[kind] = path
    return paths


def junit_xml(result: ContractResult) -> str:
    """One `<testcase>` per operation: a `<failure>` per drift, `<skipped>` for refused operations."""
    suites = ElementTree.Element("testsuites")
    by_api: dict[str, list] = {}
    # Authentication bypasses first: the APIs, operations and failures that have one lead.
    bypassed = [op for op, _ in _ordered(result) if any(_bypass(f) for f in op.findings)]
    for op in [*bypassed, *(op for op in result.operations.values() if op not in bypassed)]:
        by_api.setdefault(op.api, []).append(op)
    if result.setup_error:
        suite = ElementTree.SubElement(suites, "testsuite", name="contract", tests="1", failures="0", errors="1",
                                       skipped="0")
        case = ElementTree.SubElement(suite, "testcase", classname="contract", name="setup")
        ElementTree.SubElement(case, "error", message=result.setup_error).text = result.setup_error
    for api, operations in by_api.items():
        failures = sum(1 for op in operations if op.findings)
        skipped = sum(1 for op in operations if op.skipped)
        suite = ElementTree.SubElement(suites, "testsuite", name=f"contract.{api}", tests=str(len(operations)),
                                       failures=str(failures), errors="0", skipped=str(skipped))
        for op in operations:
            case = ElementTree.SubElement(suite, "testcase", classname=f"contract.{api}", name=op.operation)
            if op.skipped:
                ElementTree.SubElement(case, "skipped", message=op.skipped)
            for finding in sorted(op.findings, key=lambda f: not _bypass(f)):
                message = f"{finding.check} {finding.pointer or '/'}: {finding.title}"
                ElementTree.SubElement(case, "failure", message=message, type=finding.code).text = _finding_text(finding)
    if result.errors:
        suite = ElementTree.SubElement(suites, "testsuite", name="contract.errors", tests=str(len(result.errors)),
                                       failures="0", errors=str(len(result.errors)), skipped="0")
        for index, error in enumerate(result.errors, 1):
            case = ElementTree.SubElement(suite, "testcase", classname="contract.errors", name=f"error {index}")
            ElementTree.SubElement(case, "error", message=error.splitlines()[0] if error else "").text = error
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"


def _finding_text(finding: Finding) -> str:
    return (f"{finding.message}\n\nrule:     {rule_of(finding.check)}\npointer:  {finding.pointer or '/'}\n"
            f"expected: {_text(finding.expected)}\nactual:   {_text(finding.actual)}\n({_seen(finding)})\n\n"
            f"reproduce:\n{finding.curl}\n")


def markdown(result: ContractResult) -> str:
    """The drift report: per operation the cases run and the drifts, each with pointer, expected, actual, curl."""
    bypasses = [f for f in result.findings if _bypass(f)]
    lines = [
        "# Contract drift report",
        "",
        f"- target: `{result.base_url}`",
        f"- verdict: **{_VERDICT[result.exit_code]}** (exit {result.exit_code})"
        + (f", **{len(bypasses)} authentication bypass(es)**" if bypasses else ""),
        f"- operations: {len(result.operations)}, cases: {result.cases}, drifts: {len(result.findings)}, "
        f"errors: {len(result.errors)}, time: {result.elapsed:.1f}s"
        + (f", seed: {result.seed}" if result.seed is not None else ""),
        *(f"- {note}" for note in result.notes),
    ]
    if result.generation:
        lines.append(f"- generation: {result.generation}")
    if result.checks:
        lines.append(f"- checks that ran: {', '.join(f'`{c}`' for c in result.checks)}")
    lines.append("")
    if result.findings:
        lines += [_HOW_TO_READ, ""]
    if result.setup_error:
        lines += ["## Could not run", "", result.setup_error, ""]
    if result.operations:
        lines += ["## Operations", "", "| API | operation | cases | drifts | not checked, and why |",
                  "|---|---|---:|---:|---|"]
        for op in result.operations.values():
            name = f"[`{op.operation}`](#{_anchor(op)})" if op.findings else f"`{op.operation}`"
            note = _not_checked(op).replace("|", "\\|")
            lines.append(f"| {op.api} | {name} | {op.cases} | {len(op.findings)} | {note} |")
        lines.append("")
    for op, findings in _ordered(result):
        lines += [f'<a id="{_anchor(op)}"></a>', "", f"## `{op.operation}` ({op.api})", ""]
        for index, f in enumerate(findings, 1):
            lines += [
                f"### {index}. {f.title} at `{f.pointer or '/'}` — `{f.check}` ({f.code})",
                "",
                f"- operation: `{op.operation}`",
                f"- pointer: `{f.pointer or '/'}`",
                f"- expected: {_code(f.expected)}",
                f"- actual: {_code(f.actual)}",
                f"- {_seen(f)}",
                "",
                "```",
                f.message,
                "```",
                "",
                "Reproduce:",
                "",
                "```sh",
                f.curl or "# no request was recorded for this case",
                "```",
                "",
            ]
    if result.replays:
        works = sum(1 for v in result.replays if v.works)
        lines += ["## Replayed requests", "",
                  f"{works} of {len(result.replays)} requests the client made still work on the target.", "",
                  "| # | request | recorded | mock | target | verdict |", "|---:|---|---:|---:|---:|---|"]
        for v in result.replays:
            lines.append(f"| {v.recorded.index} | `{v.recorded.method} {v.recorded.target}` | "
                         f"{v.recorded.status or ''} | {v.mock_status or ''} | {v.target_status or ''} | "
                         f"{v.verdict.replace('|', '/')} |")
        lines.append("")
    broken = sorted({f.check for f in result.findings})
    if broken:
        lines += ["## The rules broken in this run", ""]
        lines += [f"- `{check}`: {rule_of(check)}" for check in broken] + [""]
    if result.checks:
        lines += ["## The checks that ran", ""]
        lines += [f"- `{check}` ({_kind(check)}): {rule_of(check)}" for check in result.checks] + [""]
    if result.errors:
        lines += ["## Errors", ""] + [f"- {e.splitlines()[0] if e else ''}" for e in result.errors] + [""]
    if result.seed is not None:
        lines += [f"Re-run exactly: add `--seed {result.seed}` to the same `mockserver contract` command.", ""]
    return "\n".join(lines)


def html_report(result: ContractResult) -> str:
    """The drift report as one self-contained HTML page."""
    e = html.escape
    md = _inline_html

    def row(op: OperationResult) -> str:
        name = f"<code>{e(op.operation)}</code>"
        if op.findings:
            name = f"<a href='#{_anchor(op)}'>{name}</a>"
        return (f"<tr><td>{e(op.api)}</td><td>{name}</td><td>{op.cases}</td>"
                f"<td class='{'bad' if op.findings else 'ok'}'>{len(op.findings)}</td>"
                f"<td>{md(_not_checked(op))}</td></tr>")

    rows = "".join(row(op) for op in result.operations.values())
    sections = []
    for op, findings in _ordered(result):
        items = "".join(
            f"<li><h3>{e(f.title)} at <code>{e(f.pointer or '/')}</code> — <code>{e(f.check)}</code> "
            f"({e(f.code)})</h3>"
            f"<dl><dt>operation</dt><dd><code>{e(op.operation)}</code></dd>"
            f"<dt>rule</dt><dd>{md(rule_of(f.check))}</dd>"
            f"<dt>pointer</dt><dd><code>{e(f.pointer or '/')}</code></dd>"
            f"<dt>expected</dt><dd><code>{e(_text(f.expected))}</code></dd>"
            f"<dt>actual</dt><dd><code>{e(_text(f.actual))}</code></dd>"
            f"<dt>seen</dt><dd>{e(_seen(f))}</dd></dl>"
            f"<pre>{e(f.message)}</pre><p>Reproduce:</p><pre>{e(f.curl)}</pre></li>"
            for f in findings
        )
        sections.append(f"<section id='{_anchor(op)}'><h2><code>{e(op.operation)}</code> ({e(op.api)})</h2>"
                        f"<ol>{items}</ol></section>")
    setup = f"<h2>Could not run</h2><p>{e(result.setup_error)}</p>" if result.setup_error else ""
    errors = "".join(f"<li><pre>{e(err)}</pre></li>" for err in result.errors)
    checks = "".join(f"<li><code>{e(c)}</code> ({_kind(c)}): {md(rule_of(c))}</li>" for c in result.checks)
    replays = "".join(
        f"<tr><td>{v.recorded.index}</td><td><code>{e(v.recorded.method)} {e(v.recorded.target)}</code></td>"
        f"<td>{v.recorded.status or ''}</td><td>{v.mock_status or ''}</td><td>{v.target_status or ''}</td>"
        f"<td class='{'ok' if v.works else 'bad' if v.broken else ''}'>{e(v.verdict)}</td></tr>" for v in result.replays)
    if replays:
        replays = (f"<h2>Replayed requests</h2><p>{sum(1 for v in result.replays if v.works)} of {len(result.replays)} "
                   "requests the client made still work on the target.</p><table><tr><th>#</th><th>request</th>"
                   f"<th>recorded</th><th>mock</th><th>target</th><th>verdict</th></tr>{replays}</table>")
    bypasses = sum(1 for f in result.findings if _bypass(f))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contract drift report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:80em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}}.bad{{color:#b00;font-weight:bold}}.ok{{color:#070}}
pre{{background:#f5f5f5;padding:.5em;white-space:pre-wrap}}dt{{font-weight:bold}}code{{background:#f5f5f5}}</style>
</head>
<body><h1>Contract drift report</h1>
<p>Target <code>{e(result.base_url)}</code>: <strong>{_VERDICT[result.exit_code]}</strong> (exit {result.exit_code}){
f", <strong class='bad'>{bypasses} authentication bypass(es)</strong>" if bypasses else ""}.
{len(result.operations)} operations, {result.cases} cases, {len(result.findings)} drifts, {len(result.errors)} errors,
{result.elapsed:.1f}s{f", seed {result.seed}" if result.seed is not None else ""}.</p>
{f"<p>Generation: {e(result.generation)}</p>" if result.generation else ""}
{f"<p>{md(_HOW_TO_READ)}</p>" if result.findings else ""}
{setup}
<table><tr><th>API</th><th>operation</th><th>cases</th><th>drifts</th><th>not checked, and why</th></tr>{rows}</table>
{replays}
{''.join(sections)}
{'<h2>Errors</h2><ul>' + errors + '</ul>' if errors else ''}
{'<h2>The checks that ran</h2><ul>' + checks + '</ul>' if checks else ''}
</body></html>
"""


_SUMMARY_DRIFTS = 12


def summary(result: ContractResult, paths: dict[str, Path] | None = None) -> str:
    """A one-screen console summary (at most about 24 lines), authentication bypasses first."""
    lines = [f"Contract run against {result.base_url}: {_VERDICT[result.exit_code]} (exit {result.exit_code})"]
    if result.setup_error:
        lines.append(f"  could not run: {result.setup_error}")
    bypasses = [(op, f) for op, fs in _ordered(result) for f in fs if _bypass(f)]
    lines.append(f"  {len(result.operations)} operations, {result.cases} cases, {len(result.findings)} drifts"
                 f"{f' ({len(bypasses)} AUTH BYPASS)' if bypasses else ''}, {len(result.errors)} errors in "
                 f"{result.elapsed:.1f}s (seed {result.seed})")
    if result.replays:
        broken = [v for v in result.replays if v.broken]
        lines.append(f"  replayed {len(result.replays)} requests: {sum(1 for v in result.replays if v.works)} still "
                     f"work, {len(broken)} broken, {sum(1 for v in result.replays if v.skipped)} not replayed")
        for v in broken[:5]:
            lines.append(f"  BROKEN #{v.recorded.index} {v.recorded.method} {v.recorded.target[:70]}: "
                         f"{'; '.join(v.broken)[:90]}")
    lines += [f"  {note}" for note in result.notes]
    drifts = [(op, f) for op, fs in _ordered(result) for f in fs]
    for op, f in drifts[:_SUMMARY_DRIFTS]:
        tag = "AUTH BYPASS" if _bypass(f) else "DRIFT"
        lines.append(f"  {tag} {op.operation} {f.pointer or '/'}  [{f.check}] expected "
                     f"{_text(f.expected)[:60]}, got {_text(f.actual)[:40]}")
    if len(drifts) > _SUMMARY_DRIFTS:
        lines.append(f"  … and {len(drifts) - _SUMMARY_DRIFTS} more (see the drift report)")
    unchecked = sum(1 for op in result.operations.values() if op.notes)
    if unchecked:
        lines.append(f"  {unchecked} operation(s) not fully checked: the report's table says what and why")
    for error in result.errors[:3]:
        lines.append(f"  ERROR {error.splitlines()[0][:150] if error else ''}")
    for kind, path in (paths or {}).items():
        lines.append(f"  {kind}: {path}")
    return "\n".join(lines)
