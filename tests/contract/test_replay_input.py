"""`mockserver contract --requests FILE` (mockserver/contract/replay.py) with a file that is odd or hostile: a FIFO,
a secret in a recorded query; a clear answer, never a hang or a leak."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mockserver.app import create_app
from mockserver.contract.command import build_parser, run
from mockserver.testing import LiveServer

from .conftest import ACTION_SECRET, CLIENT_ID, CLIENT_SECRET, small_settings

COURSES = "/blendxapi/discovery/courses/"


@pytest.fixture(scope="module")
def target():
    with LiveServer(create_app(small_settings())) as server:
        yield server.url


def replay(journal, url: str, report_dir, *extra: str) -> int:
    return run(build_parser().parse_args([
        "--requests", str(journal), "--base-url", url, "--mock-url", url, "--api", "blendx",
        "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, "--action-secret", ACTION_SECRET,
        "--report-dir", str(report_dir), *extra]))


def test_a_secret_in_a_recorded_query_is_redacted_on_the_console(target, tmp_path, capsys):
    # Placed across the 80th character of the line's target, where the console cut it before redacting.
    query = "search=" + "x" * (80 - len(COURSES) - len("?search=&actionsecret=") - 10) + f"&actionsecret={ACTION_SECRET}"
    journal = tmp_path / "journal.json"
    journal.write_text(json.dumps({"requests": [{"method": "GET", "path": COURSES, "query": query}]}))
    assert replay(journal, target, tmp_path) == 0
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "[replay] 1 requests" in out and ACTION_SECRET[:10] not in out, out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_as_the_requests_file_is_refused_not_waited_on(target, tmp_path):
    fifo = tmp_path / "requests.json"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "mockserver", "contract", "--requests", str(fifo),
                             "--base-url", target, "--api", "blendx", "--client-id", CLIENT_ID, "--client-secret",
                             CLIENT_SECRET, "--action-secret", ACTION_SECRET, "--report-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)  # the old reader blocked for ever
    assert result.returncode == 2 and "not a regular file" in result.stdout + result.stderr, result
