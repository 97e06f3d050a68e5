"""Every shell command in README.md and docs/*.md runs as written, in the order shown.

A command block is a fence tagged `sh`/`bash`, or a bare fence whose commands start with `$ ` (the lines
without it are the output shown). Each document runs top to bottom in a scratch directory that links the
checkout's top-level files, with `.venv/bin` first on PATH (the README says to activate the venv):

- `mockserver serve …` / `make serve` start the documented server (on a free port instead of 8000, which
  every later `127.0.0.1:8000` / `localhost:8000` then means); a block that calls port 8000 before any
  `serve` gets a default server, as the docs say "with `make serve` running";
- every command must exit 0;
- a block is skipped only when the line before its fence says `<!-- docs-test: skip: <reason> -->`, and the
  reason is reported.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from mockserver.settings import PROJECT_ROOT

DOCS = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
SKIP = re.compile(r"<!--\s*docs-test:\s*skip:\s*(.+?)\s*-->")
FENCE = re.compile(r"^(`{3,})(\w*)\s*$")
SERVE = re.compile(r"^(?:\.venv/bin/)?mockserver serve\b(.*)$|^make serve\b(.*)$")
LOCAL = re.compile(r"(?:127\.0\.0\.1|localhost):8000")
VENV_BIN = PROJECT_ROOT / ".venv" / "bin"


@dataclass
class Block:
    doc: Path
    line: int
    commands: list[str]
    skip: str | None

    def __str__(self) -> str:
        return f"{self.doc.relative_to(PROJECT_ROOT)}:{self.line}"


def blocks(doc: Path) -> list[Block]:
    lines = doc.read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, lang = match.groups()
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith(fence) and not lines[j][len(fence):].strip())
        body = lines[i + 1:end]
        previous = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        skip = SKIP.search(previous)
        commands = _commands(body, lang)
        if commands:
            found.append(Block(doc, i + 1, commands, skip.group(1) if skip else None))
        i = end + 1
    return found


def _commands(body: list[str], lang: str) -> list[str]:
    """The commands of a block, continuation lines joined."""
    if lang in ("sh", "bash", "shell"):
        text = "\n".join(body)
        return [text] if text.strip() else []
    if lang or not any(line.startswith("$ ") for line in body):
        return []
    commands, current = [], None
    for line in body:
        if line.startswith("$ "):
            current = [line[2:]]
            commands.append(current)
        elif current is not None and current[-1].endswith("\\"):
            current.append(line)
        else:
            current = None
    return ["\n".join(parts) for parts in commands]


class Server:
    """The documented server, started by a `serve` command of a document (or by default)."""

    def __init__(self, args: str, cwd: Path, env: dict):
        argv = [str(VENV_BIN / "mockserver"), "serve", *shlex.split(args, comments=True), "--port", "0"]
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        first = self.proc.stdout.readline()
        match = re.search(r"serving on http://[^:]+:(\d+)", first)
        if not match:
            self.stop()
            raise AssertionError(f"`mockserver serve {args}` did not start: {first}{self.proc.stderr.read()}")
        self.port = match.group(1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def scratch(tmp_path: Path) -> Path:
    for entry in PROJECT_ROOT.iterdir():
        if entry.name not in (".git", "reports"):
            (tmp_path / entry.name).symlink_to(entry)
    return tmp_path


def run_doc(doc: Path, tmp_path: Path) -> list[str]:
    cwd = scratch(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_") and k != "ACTION_SECRET"}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    server, skipped, shell_state = None, [], ""
    try:
        for block in blocks(doc):
            if block.skip:
                skipped.append(f"{block}: {block.skip}")
                continue
            for command in block.commands:
                script = []
                for line in command.splitlines():
                    serve = SERVE.match(line.strip())
                    if serve:
                        if server:
                            server.stop()
                        server = Server((serve.group(1) or "").strip() or _make_args(serve.group(2)), cwd, env)
                        continue
                    script.append(line)
                text = "\n".join(script)
                if LOCAL.search(text) and server is None:
                    server = Server("", cwd, env)
                if server:
                    text = LOCAL.sub(f"127.0.0.1:{server.port}", text)
                if not text.strip():
                    continue
                # variables a block sets (TOKEN=…) stay set for the blocks after it, as in one terminal
                result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c",
                                         f"{shell_state}\n{text}\ndeclare -p | grep -E '^declare -x? ?-?-? [A-Z_]+=' "
                                         "> .docs-test-vars || true"],
                                        cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
                assert result.returncode == 0, (
                    f"{block}: exit {result.returncode}\n$ {text}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
                shell_state = _exported(cwd)
    finally:
        if server:
            server.stop()
    return skipped


def _make_args(make_tail: str | None) -> str:
    """`make serve PORT=9000 ARGS="--seed 7"` → the flags the Makefile passes."""
    args = dict(re.findall(r'(\w+)="?([^"]*)"?', make_tail or ""))
    return args.get("ARGS", "")


def _exported(cwd: Path) -> str:
    path = cwd / ".docs-test-vars"
    lines = path.read_text().splitlines() if path.exists() else []
    keep = [line for line in lines if re.match(r"declare -\S* (TOKEN|RUN|[A-Z][A-Z0-9_]*_URL)=", line)]
    return "\n".join(keep)


TOOLS = ("curl", "jq")
"""Commands the docs use besides the project's own (.ci/run installs them when missing)."""


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_command_runs_as_written(doc, tmp_path, capsys):
    text = " ".join(c for block in blocks(doc) for c in block.commands)
    missing = [tool for tool in TOOLS if re.search(rf"\b{tool}\b", text) and not shutil.which(tool)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (.ci/run installs them)")
    skipped = run_doc(doc, tmp_path)
    with capsys.disabled():
        for line in skipped:
            print(f"\n  docs-test skipped {line}", end="")


def test_commands_are_found_and_skips_carry_a_reason():
    every = [block for doc in DOCS for block in blocks(doc)]
    assert len(every) >= 6
    assert any("mockserver contract" in c for block in every for c in block.commands)
    for block in every:
        assert block.skip is None or len(block.skip) > 10, f"{block}: a skip needs its reason"
