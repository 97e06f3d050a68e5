"""docs/record.md's worked examples work as written (ports moved to free ones)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.settings import PROJECT_ROOT
from mockserver.testing import free_port

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def examples() -> dict[str, str]:
    text = (PROJECT_ROOT / "docs" / "record.md").read_text(encoding="utf-8")
    found = {}
    for section in text.split("\n## ")[1:]:
        title = section.splitlines()[0]
        if title.startswith("Worked example"):
            found[title] = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return found


def run(script: str, cwd: Path) -> subprocess.CompletedProcess:
    for port in ("8001", "8002", "8400"):
        free = str(free_port())
        script = script.replace(f":{port}", f":{free}").replace(f"--port {port}", f"--port {free}")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_both_modes_have_a_worked_example():
    assert set(examples()) == {"Worked example: crawl", "Worked example: proxy"}


def test_the_crawl_example_works_as_written(tmp_path):
    result = run(examples()["Worked example: crawl"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 differ" in result.stdout and "ok: 1 scenario file(s)" in result.stdout
    assert '"results":[{"uuid"' in result.stdout.replace(" ", "")
    assert (tmp_path / "staging.yaml").read_text().startswith("# Recorded by `mockserver record` (crawl)")


def test_the_proxy_example_works_as_written(tmp_path):
    result = run(examples()["Worked example: proxy"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ok: 1 scenario file(s)" in result.stdout
    text = (tmp_path / "used.yaml").read_text()
    assert "(proxy)" in text and "0e871df0-6e43-4cfc-92cc-357ebf1fda75" in text
