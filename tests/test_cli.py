"""The `mockserver` command as a user meets it: help, --version, start-up errors, and what only a real server
shows (the banner once listening, proxy headers off unless asked for, journal operation ids over a socket)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.request

import httpx
import pytest

from _serve import serve_process

from mockserver import __version__
from mockserver.cli import build_parser, main
from mockserver.settings import ENVIRONMENT, PROJECT_ROOT
from mockserver.testing import free_port

CATALOGS = "/catalog/v1/catalogs/?limit=1"


def _serve(port: int, *flags: str) -> subprocess.Popen:
    return serve_process(port, "--size", "small", *flags)


@pytest.mark.parametrize("flags,scheme", [((), "http"), (("--proxy-headers",), "https"),
                                          (("--forwarded-allow-ips", "10.0.0.1"), "http")])
def test_forwarded_proto_is_trusted_only_with_proxy_headers_from_an_allowed_address(flags, scheme):
    port = free_port()
    proc = _serve(port, *flags)
    try:
        token = httpx.post(f"http://127.0.0.1:{port}/oauth2/v1/access_token", data={
            "grant_type": "client_credentials", "client_id": "cli", "token_type": "jwt"}).json()["access_token"]
        page = httpx.get(f"http://127.0.0.1:{port}{CATALOGS}", headers={
            "Authorization": f"JWT {token}", "X-Forwarded-Proto": "https"}).json()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert page["next"].startswith(f"{scheme}://127.0.0.1:{port}/catalog/v1/catalogs/")


MOCKSERVER = [sys.executable, "-m", "mockserver"]


def cli(*args, env=None, timeout=120):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    return subprocess.run([*MOCKSERVER, *args], capture_output=True, text=True, timeout=timeout,
                          env={**environ, **(env or {})}, cwd=PROJECT_ROOT)


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"mockserver {__version__}"


def _subparsers(parser):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            yield from action.choices.items()


def _commands(parser, prefix=()):
    for name, sub in _subparsers(parser):
        yield (*prefix, name), sub
        yield from _commands(sub, (*prefix, name))


def test_every_subcommand_and_flag_has_help():
    commands = dict(_commands(build_parser()))
    assert {("serve",), ("scenario", "check"), ("contract",), ("docs", "deviations")} <= set(commands)
    for path, parser in commands.items():
        assert parser.description or parser.format_usage(), path
        for action in parser._actions:
            if action.option_strings and action.help != "==SUPPRESS==":
                assert action.help, f"{' '.join(path)} {action.option_strings[0]} has no help"


def test_serve_help_states_every_default_and_env_var():
    serve = dict(_commands(build_parser()))[("serve",)]
    text = " ".join(serve.format_help().split())
    assert "(default 127.0.0.1; env MOCKSERVER_HOST)" in text
    assert "(default 8000; env MOCKSERVER_PORT)" in text
    assert "(default 1; env MOCKSERVER_SEED)" in text
    for action in serve._actions:
        if action.option_strings and action.dest != "help":
            assert "default" in " ".join(action.help.split()), f"serve {action.option_strings[0]}: no default stated"


@pytest.mark.parametrize("argv, message", [
    (["serve", "--seed", "-1"], "--seed: -1 must be 0 or more"),
    (["serve", "--seed", "x"], "--seed: 'x' is not an integer"),
    (["serve", "--size", "huge"], "--size: 'huge' is not small, default, large or a number of courses"),
    (["serve", "--port", "70000"], "--port: 70000 is not a TCP port"),
    (["serve", "--clock", "yesterday"], "--clock: 'yesterday' is not an ISO 8601"),
    (["scenario", "check", "--seed", "-5", str(PROJECT_ROOT / "scenarios" / "empty-results.yaml")],
     "--seed: -5 must be 0 or more"),
])
def test_bad_flags_exit_2_naming_the_flag(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1, err


@pytest.mark.parametrize("field", ["port", "seed", "clock", "size", "auth_mode", "enterprise_default_format"])
def test_env_var_errors_name_the_env_var(field, monkeypatch, capsys):
    name = ENVIRONMENT[field][0]
    monkeypatch.setenv(name, "not-valid-here")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mockserver: not started: {name}: "), err


def test_a_bad_startup_scenario_is_reported_once_in_true_words(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: -3\n", encoding="utf-8")
    result = cli("serve", "--port", "0", "--scenario", str(bad))
    assert result.returncode == 2
    assert result.stderr.count("seed: -3 is less than the minimum of 0") == 1, result.stderr
    assert "keeps serving" not in result.stderr
    assert result.stderr.startswith("mockserver: not started: ")
    assert "serving on" not in result.stdout


def test_a_missing_scenario_file_exits_2(tmp_path, capsys):
    missing = str(tmp_path / "nope.yaml")
    assert main(["scenario", "check", missing]) == 2
    assert f"no such file: {missing}" in capsys.readouterr().err
    assert main(["serve", "--port", "0", "--scenario", missing]) == 2


def test_a_busy_port_is_one_line_and_exit_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("serve", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr == f"mockserver: not started: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    assert result.stdout == "", "no banner, no sample token, before the socket listens"


def test_serve_prints_the_banner_once_listening_and_journals_operation_ids():
    server = subprocess.Popen([*MOCKSERVER, "serve", "--port", "0", "--size", "small"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    try:
        first = server.stdout.readline()
        match = re.match(rf"mockserver {re.escape(__version__)} serving on http://127\.0\.0\.1:(\d+) ", first)
        assert match, first
        base = f"http://127.0.0.1:{match.group(1)}"
        # the banner promises a listening socket: the first request needs no retry
        token = next(line for line in iter(server.stdout.readline, "") if "Authorization: JWT" in line).split()[-1]
        request = urllib.request.Request(f"{base}/catalog/v1/catalogs/", headers={"Authorization": f"JWT {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
        url = f"{base}/__admin/requests/count?operation_id=catalog.list_catalogs"
        with urllib.request.urlopen(url, timeout=30) as response:
            assert json.loads(response.read())["count"] == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
