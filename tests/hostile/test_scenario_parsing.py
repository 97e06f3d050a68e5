"""Issue 8's parsing findings, replayed through every way a scenario comes in: a billion laughs, 20,000
nested `[`, NUL and other control characters, a FIFO and /dev/zero on the command line, a NUL byte in a
watched file (that one in tests/scenarios/test_reload.py).

Each exhausting input runs in a child process with an address-space limit and a timeout (`guarded`), so a
regression fails the test instead of taking the suite down with it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap

import pytest


MEMORY_LIMIT = 1536 * 1024 * 1024  # address space of the child: the interpreter and the app fit well inside
TIMEOUT = 60

LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""  # 342 bytes, 10^9 nodes expanded
DEEP = "[" * 20_000 + "]" * 20_000 + "\n"
DEEP_MAPPINGS = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n"
NUL = 'name: nul\ndescription: "a\x00b"\n'
CONTROL = "name: ctl\ndescription: x\x1b[31m\n"

HOSTILE = {"laughs": (LAUGHS, "expands to more than"), "deep": (DEEP, "nested deeper than"),
           "deep-mappings": (DEEP_MAPPINGS, "nested deeper than"), "nul": (NUL, "U+0000"),
           "control": (CONTROL, "U+001B")}


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def guarded(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """`python -m mockserver ARGS` (or `python -c`) under the memory limit and timeout."""
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=TIMEOUT,
                          preexec_fn=_limit_memory, **kwargs)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_scenario_check_reports_a_problem_with_line_and_column_and_exits_1(tmp_path, name):
    text, expected = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    result = guarded("-m", "mockserver", "scenario", "check", str(path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path.name}:") or first.startswith(f"{path}:")
    assert expected in first
    line, column = first.split(":")[1:3]
    assert int(line) >= 1 and int(column) >= 1


def test_control_characters_are_placed_exactly(tmp_path):
    path = tmp_path / "nul.yaml"
    path.write_text(NUL, encoding="utf-8")
    result = guarded("-m", "mockserver", "scenario", "check", str(path))
    assert ":2:16: " in result.stderr  # the NUL is the 16th character of line 2


@pytest.mark.parametrize("name", ["laughs", "deep", "nul"])
def test_serve_refuses_to_start_with_exit_2(tmp_path, name):
    text, expected = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    result = guarded("-m", "mockserver", "serve", "--size", "small", "--port", "1", "--scenario", str(path))
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_scenario_check_refuses_a_fifo_and_dev_zero_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = guarded("-m", "mockserver", "scenario", "check", str(fifo), "/dev/zero")
    assert result.returncode == 1
    assert result.stderr.count("not a regular file") == 2


ADMIN_PROBE = textwrap.dedent("""
    import sys
    from starlette.testclient import TestClient
    from mockserver.app import create_app
    from mockserver.settings import Settings
    client = TestClient(create_app(Settings(size="small")), base_url="http://localhost")
    response = client.post("/__admin/scenarios", content=sys.stdin.buffer.read(),
                           headers={"content-type": "application/yaml"})
    print(response.status_code)
    print(response.text)
    print(client.get("/__admin/scenarios").json()["last_error"] is not None)
""")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_admin_api_answers_422(name):
    text, expected = HOSTILE[name]
    result = guarded("-c", ADMIN_PROBE, input=text)
    assert result.returncode == 0, result.stderr[-2000:]
    status, body, recorded = result.stdout.splitlines()[:3]
    assert status == "422" and expected in body and recorded == "True"
