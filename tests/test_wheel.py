"""The installed product: the wheel, installed in a fresh venv outside the repository, used from another directory.

One module-scoped install (build the wheel, a new venv, `pip install` it), then what a new user does with it:
`mockserver --version`, the container's start command (read from the Dockerfile, so CI runs exactly what
the image runs) with one request per API, `scenario check` refusing a file by the specs, `contract` against
the running server, and an outside pytest file using the plugin's fixtures.

The dependencies come from this project's venv (a .pth line after the new venv's own site-packages) so
the test takes seconds, not a second pip install of the whole lock; the package itself, its data files,
its console script and its pytest11 entry point come only from the wheel: the test checks that
`mockserver` imports from the new venv and that the checkout is not on its path.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import sys
import sysconfig
import urllib.request
from pathlib import Path

import pytest

from mockserver.settings import PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / "Dockerfile"
BAD_SCENARIO = PROJECT_ROOT / "tests" / "scenarios" / "broken" / "31-forced-body-breaks-spec.yaml"
ADMIN_TOKEN = "smoke-admin-token"

OUTSIDE_TEST = '''
import pytest


def test_catalogs_through_the_fixtures(mockserver_client, mockserver_token):
    response = mockserver_client.get("/catalog/v1/catalogs/", headers={"Authorization": f"JWT {mockserver_token}"})
    assert response.status_code == 200
    assert response.json()["results"]


def test_a_real_socket(mockserver_server):
    import urllib.request
    with urllib.request.urlopen(mockserver_server.url + "/__admin/health") as response:
        assert response.status == 200
'''


def dockerfile_start() -> tuple[list[str], dict[str, str]]:
    """The image's start command (ENTRYPOINT + CMD, exec form) and the ENV it sets."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    command = []
    for instruction in ("ENTRYPOINT", "CMD"):
        found = re.findall(rf"^{instruction}\s+(\[.*\])\s*$", text, re.M)
        assert len(found) == 1, f"the Dockerfile has one exec-form {instruction}"
        command += json.loads(found[-1])
    env: dict[str, str] = {}
    for line in re.findall(r"^ENV\s+(.*)$", text, re.M):
        for item in shlex.split(line):
            key, _, value = item.partition("=")
            env[key] = value
    return command, env


def dockerfile_healthcheck() -> list[str]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    [check] = re.findall(r"^HEALTHCHECK\s.*?\bCMD\s+(\[.*\])\s*$", text, re.M)
    return json.loads(check)


def run(args, cwd, env, timeout=300, check=True):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check:
        assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin dir, an outside working directory, environment) of a fresh venv holding the wheel."""
    root = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "-w", str(root / "dist"), str(PROJECT_ROOT)], cwd=root, env=env)
    wheel = next((root / "dist").glob("mockserver-*.whl"))
    venv = root / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root, env=env)
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--disable-pip-version-check",
         "--no-deps", str(wheel)], cwd=root, env=env)
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    cwd=root, env=env).stdout.strip())
    (site / "zz_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    outside = root / "elsewhere"
    outside.mkdir()
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return venv / "bin", outside, env


def test_the_package_comes_from_the_wheel(installed):
    bin_dir, outside, env = installed
    where = run([str(bin_dir / "python"), "-c",
                 "import sys, mockserver, mockserver.resources as r; "
                 "print(mockserver.__file__); print(r.SPECS_DIR); print(r.CHECKOUT_ROOT); print(sys.path)"],
                cwd=outside, env=env).stdout.splitlines()
    venv = str(bin_dir.parent)
    assert where[0].startswith(venv) and where[1].startswith(venv), where
    assert where[2] == "None"
    assert str(PROJECT_ROOT) not in ast.literal_eval(where[3]), "the checkout itself is not importable there"
    assert run([str(bin_dir / "mockserver"), "--version"], cwd=outside, env=env).stdout.strip() == "mockserver 0.1.0"
    page = run([str(bin_dir / "mockserver"), "docs", "deviations"], cwd=outside, env=env).stdout
    assert page.count("\n| ") > 10, "the installed specs carry their x-doc-deviation entries"


def test_scenario_check_refuses_by_the_specs(installed):
    bin_dir, outside, env = installed
    result = run([str(bin_dir / "mockserver"), "scenario", "check", str(BAD_SCENARIO)], cwd=outside, env=env,
                 check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "spec response schema of blendx.list_courses 200" in result.stderr
    good = run([str(bin_dir / "mockserver"), "scenario", "check",
                str(PROJECT_ROOT / "scenarios" / "empty-results.yaml")], cwd=outside, env=env, check=False)
    assert good.returncode == 0, good.stderr


def _get(url, headers=None, data=None):
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


def test_the_container_start_command_serves_every_api(installed):
    bin_dir, outside, env = installed
    command, image_env = dockerfile_start()
    assert command == ["mockserver", "serve"]
    server_env = {**env, **image_env, "MOCKSERVER_PORT": "0", "MOCKSERVER_ADMIN_TOKEN": ADMIN_TOKEN}
    server = subprocess.Popen(command, cwd=outside, env=server_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        first = server.stdout.readline()
        match = re.search(r"serving on http://([^:]+):(\d+)", first)
        assert match, first + server.stderr.read() if server.poll() is not None else first
        assert match.group(1) == image_env["MOCKSERVER_HOST"]
        base = f"http://127.0.0.1:{match.group(2)}"

        status, body = _get(f"{base}/oauth2/v1/access_token", data=b"grant_type=client_credentials&client_id=a"
                            b"&client_secret=b&token_type=jwt",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        token = json.loads(body)["access_token"]
        jwt = {"Authorization": f"JWT {token}"}
        assert _get(f"{base}/catalog/v1/catalogs/", jwt)[0] == 200
        assert _get(f"{base}/enterprise/v1/enterprise-catalogs", jwt)[0] == 200
        status, body = _get(f"{base}/blendxapi/discovery/courses/", {"actionsecret": "your_secret"})
        assert status == 200 and json.loads(body)["courses"]
        status, body = _get(f"{base}/search/course_discovery/", data=b"search_string=course",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200 and json.loads(body)["total"] > 0
        # the image's HEALTHCHECK, as the container engine runs it (python is the venv's, as in the image)
        health = dockerfile_healthcheck()
        assert health[0] == "python"
        check_env = {**server_env, "MOCKSERVER_PORT": match.group(2)}
        run([str(bin_dir / "python"), *health[1:]], cwd=outside, env=check_env)
        refused = run([str(bin_dir / "python"), *health[1:]], cwd=outside,
                      env={**check_env, "MOCKSERVER_ADMIN_TOKEN": "wrong"}, check=False)
        assert refused.returncode != 0, "the admin API off loopback needs its token"
        for ui in ("/catalog/v1/ui/", "/enterprise/ui/", "/ui/", "/oauth2/ui/"):
            status, body = _get(base + ui)
            assert status == 200 and b"swagger-ui" in body, ui

        contract = run([str(bin_dir / "mockserver"), "contract", "--api", "all", "--base-url", base,
                        "--max-examples", "2", "--action-secret", "your_secret", "--client-id", "smoke",
                        "--client-secret", "smoke", "--permissive-auth", "--quiet",
                        "--report-dir", str(outside / "reports")], cwd=outside, env=env, check=False, timeout=600)
        assert contract.returncode == 0, contract.stdout + contract.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_plugin_fixtures_in_an_outside_test_suite(installed):
    bin_dir, outside, env = installed
    suite = outside / "suite"
    suite.mkdir()
    (suite / "test_outside.py").write_text(OUTSIDE_TEST, encoding="utf-8")
    result = run([str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_outside.py"], cwd=suite, env=env, check=False, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    assert "warning" not in result.stdout.lower(), result.stdout


def test_the_sdist_carries_the_data_and_builds_the_same_wheel(tmp_path):
    import zipfile

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run([sys.executable, "-c", f"import hatchling.build as b; b.build_sdist({str(tmp_path / 'sdist')!r})"],
        cwd=PROJECT_ROOT, env=env)
    sdist = next((tmp_path / "sdist").glob("mockserver-*.tar.gz"))
    run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "-w", str(tmp_path / "dist"), str(sdist)], cwd=tmp_path, env=env)
    with zipfile.ZipFile(next((tmp_path / "dist").glob("mockserver-*.whl"))) as wheel:
        data = sorted(n.split("_data/", 1)[1] for n in wheel.namelist() if "/_data/" in n)
    shipped = sorted(str(p.relative_to(PROJECT_ROOT)) for d in ("specs", "schemas", "scenarios")
                     for p in (PROJECT_ROOT / d).iterdir() if p.is_file())
    assert data == shipped
