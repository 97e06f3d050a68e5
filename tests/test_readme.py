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


def test_paging_past_the_end_is_as_the_readme_says(mockserver_client, mockserver_token):
    row = next(line for line in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
               if line.startswith("| a page past the end |"))
    assert 'page-number paging (`?page=`): `404 {"detail": "Invalid page."}`' in row
    assert "limit/offset paging (`?offset=`): `200` with empty `results`" in row
    jwt = {"Authorization": f"JWT {mockserver_token}"}
    by_page = mockserver_client.get("/enterprise/v1/enterprise-catalogs?page=999", headers=jwt)
    assert (by_page.status_code, by_page.json()) == (404, {"detail": "Invalid page."})
    by_offset = mockserver_client.get("/catalog/v1/catalogs/?offset=100000", headers=jwt)
    assert by_offset.status_code == 200 and by_offset.json()["results"] == [] and by_offset.json()["previous"]
    blendx = mockserver_client.get("/blendxapi/discovery/courses/?page=999", headers={"actionsecret": "your_secret"})
    assert blendx.status_code == 200 and blendx.json()["courses"] == []


def test_the_ci_workflow_for_contract_runs_is_written_once():
    docs = [PROJECT_ROOT / "README.md", *(PROJECT_ROOT / "docs").glob("*.md")]
    blocks = [(doc.name, block) for doc in docs
              for block in re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
              if "mockserver contract" in block]
    assert len(blocks) == 1, [name for name, _ in blocks]
    assert "docs/contract.md#in-ci-github-actions" in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_performance_doc_cites_only_files_that_exist():
    text = (PROJECT_ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"`([\w./-]+\.(?:py|md|yaml|json|lua|txt))`", text))
    roots = (PROJECT_ROOT, PROJECT_ROOT / "mockserver", PROJECT_ROOT / "bench", PROJECT_ROOT / "tests")
    missing = [path for path in cited if not path.startswith("/") and not any((r / path).exists() for r in roots)]
    assert cited and not missing, missing
