"""Shared worlds for the world tests (each built once per session) and the coherence checker."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mockserver.world import Course, CourseRun, Program, World, build_world
from mockserver.world.keys import course_of_run, is_course_key, is_run_key, is_uuid

CLOCK = datetime(2025, 6, 2, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def clock() -> datetime:
    return CLOCK


@pytest.fixture(scope="session")
def default_world() -> World:
    return build_world(seed=1, clock=CLOCK, size="default")


@pytest.fixture(scope="session")
def small_world() -> World:
    return build_world(seed=7, clock=CLOCK, size="small")


def check_coherent(world: World) -> None:
    """Every cross-reference of `world` resolves, and the copies of a run agree with the run."""
    courses = {c.key: c for c in world.courses}
    runs = {r.key: r for r in world.runs}
    assert len(courses) == len(world.courses) and len(runs) == len(world.runs), "duplicate keys"
    for key, course in courses.items():
        assert is_course_key(key) and is_uuid(course.uuid)
        assert world.course(key) == course
        assert all(world.organization(o) for o in course.owners + course.sponsors), key
        assert all(world.subject(s) for s in course.subjects), key
        for uuid in course.programs:
            assert key in world.program(uuid).courses
        own = world.course_runs(key)
        assert tuple(r.key for r in own) == course.course_runs
        starts = [(r.start, r.key) for r in own if r.start is not None]
        assert starts == sorted(starts), f"runs of {key} not ordered by start"
        assert course.active == any(r.active for r in own)
    for key, run in runs.items():
        assert is_run_key(key) and course_of_run(key) == run.course and run.course in courses
        assert key in courses[run.course].course_runs
        assert run.course_uuid == courses[run.course].uuid
        assert all(world.person(p) for p in run.staff), key
        assert world.language(run.content_language) is not None or run.content_language is None
        assert run.modes == run.seat_types
        bx, doc = world.blendx_course(key), world.search_document(key)
        assert bx.openedx_course_id == key and doc.id == doc.course == key
        assert (bx.start, bx.end, bx.enrollment_start, bx.enrollment_end) == \
            (run.start, run.end, run.enrollment_start, run.enrollment_end) == \
            (doc.start, doc.end, doc.enrollment_start, doc.enrollment_end)
        assert bx.org == doc.org == run.org and bx.number == doc.number == run.number
        if bx.reviews:
            assert bx.avg_rating == round(sum(x.rating for x in bx.reviews) / len(bx.reviews), 1)
        assert bx.course_structure.course_info.course_key == key
    for program in world.programs:
        assert world.program(program.uuid) == program
        assert all(k in courses for k in program.courses)
        assert all(world.organization(o) for o in program.authoring_organizations)
    for catalog in world.catalogs:
        assert world.catalog(catalog.id) == catalog
        members = list(world.catalog_courses(catalog))
        assert len(members) == world.catalog_courses_count(catalog)
        active = list(world.catalog_active_courses(catalog))
        assert [c.key for c in active] == [c.key for c in members if c.active]
    customers = {c.uuid for c in world.enterprise_customers}
    for catalog in world.enterprise_catalogs:
        assert catalog.enterprise_customer in customers
        assert world.enterprise_catalog(catalog.uuid) == catalog
        kinds = {"course": Course, "courserun": CourseRun, "program": Program}
        entities = []
        for ref in catalog.content:
            entity = world.content_entity(ref)
            assert isinstance(entity, kinds[ref.content_type]), ref
            assert (entity.uuid if ref.content_type == "program" else entity.key) == ref.key
            assert world.enterprise_catalog_contains(catalog, ref.key)
            entities.append(entity)
        # The served items: the catalog's content, in its order, less what is inactive by the entity's own
        # `active` field (for a course: any of its runs is active).
        assert world.enterprise_catalog_items(catalog) == tuple(x for x in entities if x.active)
    for uuid in customers:
        for row in world.enrollments(uuid):
            assert row.enterprise_customer_uuid == uuid
            run = world.run(row.courserun_key)
            assert run is not None and run.course == row.course_key
            assert any(world.enterprise_catalog_contains(c, row.courserun_key)
                       for c in world.enterprise_catalogs_of(uuid)), row.enrollment_id
            assert row.has_passed == (row.progress_status == "Passed")
            assert world.enrollment(row.enrollment_id) == row


@pytest.fixture(scope="session")
def assert_coherent():
    return check_coherent
