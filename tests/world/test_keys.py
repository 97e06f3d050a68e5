"""Generated keys and values have the real formats."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from mockserver.world import keys

RUN_RE = re.compile(r"^course-v1:[\w\-~.:]+\+[\w\-~.:]+\+[\w\-~.:]+$")
COURSE_RE = re.compile(r"^[\w\-~.:]+\+[\w\-~.:]+$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TERM_RE = re.compile(r"^([1-3]T20\d\d|20\d\d_T[1-3])[a-j]?(_\d+)?$|^Demo_Course$")


def test_course_and_run_keys(default_world):
    for run in default_world.runs:
        assert RUN_RE.match(run.key) and COURSE_RE.match(run.course)
        assert TERM_RE.match(run.run), run.key
    for course in default_world.courses:
        assert COURSE_RE.match(course.key)


def test_generated_uuids_are_version_4(default_world):
    for course in list(default_world.courses)[:50]:
        assert UUID_RE.match(course.uuid)
    for bx in list(default_world.blendx_courses)[:50]:
        assert UUID_RE.match(bx.id) or bx.id == "267ce96d-1454-4292-aa42-1a0487c7eaaa"


def test_block_and_asset_keys(default_world):
    for bx in list(default_world.blendx_courses)[:40]:
        for section in bx.course_structure.sections:
            assert keys.BLOCK_KEY_RE.match(section.usage_key), section.usage_key
            assert all(keys.BLOCK_KEY_RE.match(s.usage_key) for s in section.subsections)
    for run in list(default_world.runs)[:40]:
        assert keys.ASSET_KEY_RE.match(run.image.src.split("/", 3)[3])


def test_prices_per_producer(default_world):
    for run in default_world.runs:
        for seat in run.seats:
            assert re.fullmatch(r"\d+\.\d\d", seat.price) and seat.currency == "USD"
        bx = default_world.blendx_course(run.key)
        assert isinstance(bx.price, int) and bx.currency == "usd"
        assert bx.price == min((int(Decimal(s.price)) for s in run.seats), default=0)
    for customer in default_world.enterprise_customers:
        for row in default_world.enrollments(customer.uuid):
            assert isinstance(row.course_list_price, float)
            assert 0.0 <= row.current_grade <= 1.0


def test_enumerations(default_world):
    runs = list(default_world.runs)
    assert {r.pacing_type for r in runs} <= {"instructor_paced", "self_paced"}
    assert {r.catalog_visibility for r in runs} <= {"both", "about", "none"}
    assert {c.level_type for c in default_world.courses} <= {"Introductory", "Intermediate", "Advanced", None}
    assert {p.type for p in default_world.programs} <= {"MicroMasters", "XSeries", "Professional Certificate",
                                                       "MicroBachelors", "Masters"}
    assert {p.status for p in default_world.programs} <= {"active", "unpublished", "retired", "deleted"}
    modified = [c.modified for c in default_world.courses]
    assert all(m.microsecond for m in modified)


def test_text_in_several_languages(default_world):
    languages = {r.content_language for r in default_world.runs}
    assert {"en-us", "es-es", "fr", "ar"} <= languages
    assert any(re.search(r"[\u0600-\u06ff]", c.title) for c in default_world.courses)
    assert any(re.search(r"[áéíóúñ]", c.title) for c in default_world.courses)


@pytest.mark.parametrize("key,ok", [
    ("course-v1:edX+DemoX+Demo_Course", True), ("course-v1:MyUni+Sport101x", False),
    ("edX/DemoX/Demo_Course", False), ("course-v1:MITx+6.00.1x+1T2025", True),
])
def test_run_key_validator(key, ok):
    assert keys.is_run_key(key) is ok


def test_key_helpers_round_trip():
    key = keys.run_key("MITx", "6.00.1x", keys.term_run_name(2025, 5, "term"))
    assert key == "course-v1:MITx+6.00.1x+2T2025"
    assert keys.split_run_key(key) == ("MITx", "6.00.1x", "2T2025")
    assert keys.course_of_run(key) == "MITx+6.00.1x"
    assert keys.term_run_name(2025, 9, "year") == "2025_T3"
    with pytest.raises(ValueError):
        keys.split_course_key("not a key")


@pytest.mark.parametrize("deprecated", [False, True])
def test_the_slash_forms_pass_only_when_asked_for(deprecated):
    course, run = keys.key_patterns(deprecated=deprecated)
    assert course.match("MITx+6.002x") and run.match("course-v1:MITx+6.002x+2012_Fall")
    assert bool(course.match("MITx/6.002x")) is deprecated
    assert bool(run.match("MITx/6.002x/2012_Fall")) is deprecated
    assert not course.match("MITx/6.002x/2012_Fall") and not run.match("MITx+6.002x")
