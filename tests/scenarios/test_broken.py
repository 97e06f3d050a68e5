"""The broken-scenario corpus: each file in `broken/` names (first line) the problem it must get:
`# expect: LINE FIELD :: MESSAGE`. Each must be refused with that file, line, field and message, whether the
mistake is in the YAML, the scenario schema, a rule, a world reference or the API specs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockserver.app import ProbeRenderer
from mockserver.scenarios.loader import build_snapshot, read_file, read_files
from mockserver.scenarios.problems import ScenarioError
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK

BROKEN = sorted((Path(__file__).parent / "broken").glob("*.yaml"))
SETTINGS = Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small")
RENDER = ProbeRenderer(SETTINGS)
EXPECT = re.compile(r"^# expect: (?P<line>\d+) (?P<field>\S+) :: (?P<message>.+)$")


def expectation(path: Path) -> dict:
    match = EXPECT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name} has no `# expect:` first line"
    return match.groupdict()


def test_the_corpus_has_at_least_25_distinct_mistakes():
    assert len(BROKEN) >= 25
    assert len({(expectation(p)["field"], expectation(p)["message"]) for p in BROKEN}) == len(BROKEN)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_scenario_is_refused_with_its_file_line_and_field(path: Path):
    expected = expectation(path)
    with pytest.raises(ScenarioError) as refused:
        # The whole load, as `serve --scenario` does it: file checks, then the world and the specs.
        build_snapshot(read_files([path]), SETTINGS, render=RENDER)
    problems = refused.value.problems
    assert all(p.file.endswith(path.name) for p in problems)
    matching = [p for p in problems if p.line == int(expected["line"]) and p.field == expected["field"]
                and expected["message"] in p.message]
    assert matching, f"expected {expected}, got:\n" + "\n".join(map(str, problems))
    assert f"{path.name}:{expected['line']}:" in str(refused.value)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    bad = tmp_path / "many.yaml"
    bad.write_text("seed: x\nsize: huge\nbehaviours:\n  - operation: nope\n    latency: 5\n"
                   "records:\n  courses:\n    A+B: {titel: t}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        read_file(bad)
    assert [(p.line, p.field) for p in refused.value.problems] == [
        (1, "seed"), (2, "size"), (4, "behaviours[0].operation"), (8, "records.courses.A+B.titel")]


def test_problems_of_several_files_come_together(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("seed: x\n", encoding="utf-8")
    second.write_text("size: huge\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        read_files([first, second])
    assert {p.file.rsplit("/", 1)[-1] for p in refused.value.problems} == {"a.yaml", "b.yaml"}
