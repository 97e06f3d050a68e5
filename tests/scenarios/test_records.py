"""Records are checked against the world and, rendered by the real handlers, against the specs."""

from __future__ import annotations

import pytest

from mockserver.app import ProbeRenderer
from mockserver.scenarios.loader import build_snapshot, read_scenario
from mockserver.scenarios.problems import ScenarioError
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK

SETTINGS = Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small")
RENDER = ProbeRenderer(SETTINGS)


def refused(text: str) -> list:
    with pytest.raises(ScenarioError) as error:
        build_snapshot([read_scenario(text, "case.yaml")], SETTINGS, render=RENDER)
    return error.value.problems


def test_a_reference_to_a_course_that_does_not_exist_names_its_line():
    problems = refused("records:\n  catalogs:\n    9:\n      name: X\n      courses: [edX+DemoX, Nope+Nope]\n")
    assert [(p.line, p.field) for p in problems] == [(5, "records.catalogs.9.courses")]
    assert "Nope+Nope" in problems[0].message


def test_a_run_of_a_course_that_does_not_exist_is_refused():
    problems = refused("records:\n  runs:\n    course-v1:Ghost+G1+2026:\n      title: Boo\n")
    assert problems[0].line == 3 and "does not exist" in problems[0].message


def test_a_value_the_entity_allows_but_the_spec_forbids_is_caught_by_rendering():
    problems = refused("records:\n  runs:\n    course-v1:edX+DemoX+Demo_Course:\n      pacing_type: weird_paced\n")
    assert [(p.line, p.field) for p in problems] == [(4, "records.runs.course-v1:edX+DemoX+Demo_Course.pacing_type")]
    assert "would break its spec" in problems[0].message and "weird_paced" in problems[0].message


def test_a_derived_field_is_refused_by_the_world_at_its_line():
    problems = refused("records:\n  runs:\n    course-v1:edX+DemoX+Demo_Course:\n      availability: Current\n")
    assert problems[0].line == 4 and "derived" in problems[0].message


def test_good_records_build_a_snapshot_whose_world_has_them():
    snapshot = build_snapshot([read_scenario(
        "records:\n  courses:\n    edX+DemoX:\n      title: Overridden\n", "ok.yaml")], SETTINGS, render=RENDER)
    assert snapshot.world.course("edX+DemoX").title == "Overridden"
    assert snapshot.scenarios == ("posted",)
