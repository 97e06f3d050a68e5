"""The README's quickstart works as written: every curl line in it answers 200 from a live mock."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from mockserver.settings import PROJECT_ROOT

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def quickstart_script() -> str:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_quickstart_has_curl_examples_for_every_api():
    script = quickstart_script()
    for path in ("/oauth2/v1/access_token", "/catalog/v1/", "/enterprise/v1/", "/enterprise/v2/", "/enterprise/v3/",
                 "/blendxapi/discovery/", "/search/course_discovery/"):
        assert path in script


def test_every_quickstart_curl_answers_200(mockserver_server):
    lines, statuses = [], []
    for line in quickstart_script().replace("http://127.0.0.1:8000", mockserver_server.url).splitlines():
        if line.startswith("curl "):
            # report each status on its own line instead of the body
            line = line.replace("curl ", 'curl -s -o /dev/null -w "%{http_code}\\n" ', 1)
        lines.append(line)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(lines)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    statuses = result.stdout.split()
    assert len(statuses) == sum(1 for line in lines if line.startswith("curl -s -o /dev/null"))
    assert statuses and set(statuses) == {"200"}, statuses
