"""Overlays add and override records by natural key; mistakes raise WorldError naming record and field."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mockserver.world import Overlay, WorldError, build_world
from mockserver.world import landmarks as lm


@pytest.fixture(scope="module")
def base(clock):
    return build_world(seed=5, clock=clock, size="small")


def _build(clock, **kinds):
    return build_world(seed=5, clock=clock, size="small", overlay=Overlay(**kinds))


def test_course_title_override_reaches_runs_blendx_and_search(clock, base, assert_coherent):
    key = base.courses[3].key
    world = _build(clock, courses={key: {"title": "Odd títle & <chars> +:~"}})
    assert world.course(key).title == "Odd títle & <chars> +:~"
    for run in world.course_runs(key):
        assert run.title == world.blendx_course(run.key).display_name == "Odd títle & <chars> +:~"
        assert world.search_document(run.key).content.display_name == "Odd títle & <chars> +:~"
    assert sorted(b.openedx_course_id for b in world.blendx_query(search="odd títle")) == sorted(world.course(key).course_runs)
    assert_coherent(world)


def test_catalog_with_exactly_these_courses(clock, base):
    keys = [c.key for c in base.courses[:3]]
    world = _build(clock, catalogs={2: {"courses": keys}})
    assert [c.key for c in world.catalog_courses(2)] == keys
    assert world.catalog_courses_count(2) == 3


def test_empty_catalogs(clock):
    world = _build(clock, catalogs={2: {"courses": []}},
                   enterprise_catalogs={lm.ENTERPRISE_CATALOG_DOC: {"content": []}})
    assert world.catalog_courses_count(2) == 0 and list(world.catalog_active_courses(2)) == []
    assert world.enterprise_catalog_items(lm.ENTERPRISE_CATALOG_DOC) == ()


def test_new_catalog_and_enterprise_catalog_with_exact_content(clock, base):
    course = next(c for c in base.courses if c.active)
    world = _build(clock, catalogs={99: {"name": "QA", "query": f"org:{course.org}"}},
                   enterprise_catalogs={"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee": {
                       "title": "QA catalog", "enterprise_customer": lm.ENTERPRISE_CUSTOMER_UUID,
                       "content": [course.key, lm.DEMO_RUN, {"content_type": "program", "key": lm.DEMO_PROGRAM_UUID}]}})
    assert world.catalog(99).name == "QA" and course.key in [c.key for c in world.catalog_courses(99)]
    items = world.enterprise_catalog_items("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
    assert [type(x).__name__ for x in items] == ["Course", "CourseRun", "Program"]


def test_learner_failed(clock, base):
    row = base.enrollments(lm.ENTERPRISE_CUSTOMER_UUID)[0]
    world = _build(clock, enrollments={row.enrollment_id: {"progress_status": "Failed", "current_grade": 0.2}})
    changed = world.enrollment(row.enrollment_id)
    assert (changed.progress_status, changed.has_passed, changed.passed_date, changed.current_grade) == \
        ("Failed", False, None, 0.2)
    assert changed in world.enrollments(lm.ENTERPRISE_CUSTOMER_UUID)


def test_new_course_with_run_and_seats(clock, assert_coherent):
    start = clock + timedelta(days=20)
    world = _build(
        clock, courses={"MyUni+QA101x": {"title": "QA course"}},
        runs={"course-v1:MyUni+QA101x+1T2030": {
            "start": start.isoformat(), "end": (start + timedelta(weeks=6)).isoformat(),
            "enrollment_start": (clock - timedelta(days=1)).isoformat(), "enrollment_end": None,
            "seats": [{"type": "verified", "price": "99.00"}]}})
    run = world.run("course-v1:MyUni+QA101x+1T2030")
    assert run.title == "QA course" and run.seats[0].price == "99.00" and run.seats[0].sku
    assert run.availability == "Starting Soon" and run.active and world.course("MyUni+QA101x").active
    assert world.course("MyUni+QA101x").course_runs == ("course-v1:MyUni+QA101x+1T2030",)
    assert world.blendx_course(run.key).price == 99
    assert run.key in [d.id for d in world.search_documents()]
    assert_coherent(world)


def test_run_dates_in_the_past_make_it_archived_and_inactive(clock, base):
    run = next(r for r in base.runs if r.active)
    world = _build(clock, runs={run.key: {"end": (clock - timedelta(days=1)).isoformat()}})
    assert world.run(run.key).availability == "Archived" and not world.run(run.key).active


def test_blendx_reviews_structure_and_tags(clock, base):
    key = base.runs[0].key
    world = _build(clock, blendx_courses={key: {
        "tags": ["qa"], "reviews": [{"id": "r1", "user": "A", "rating": 5, "comment": "ok", "created_at": "2025-01-01T00:00:00Z"},
                                    {"id": "r2", "user": "B", "rating": 2, "comment": "meh", "created_at": "2025-01-02T00:00:00Z"}],
        "course_structure": {"sections": [{"name": "Only", "usage_key": f"block-v1:{key[10:]}+type@chapter+block@abc",
                                           "subsections": [{"name": "S", "usage_key": f"block-v1:{key[10:]}+type@sequential+block@def"}]}],
                             "total_sections": 1}}})
    bx = world.blendx_course(key)
    assert bx.avg_rating == 3.5 and bx.course_structure.total_subsections == 1
    assert bx.course_structure.course_info.course_key == key  # merged with the generated course_info
    assert [b.openedx_course_id for b in world.blendx_query(tags=["qa"])] == [key]
    assert world.blendx_query(order_by=("avg_rating", "asc"))[0].avg_rating <= 3.5


def test_search_document_override(clock, base):
    key = next(d.id for d in base.search_documents())
    world = _build(clock, search_documents={key: {"language": "fr", "content": {"display_name": "Zyxwv"}}})
    assert [d.id for d in world.search_documents("zyxwv", filters={"language": "fr"})] == [key]
    assert world.search_document(key).content.number == base.search_document(key).content.number


@pytest.mark.parametrize("kinds,record,field", [
    ({"courses": {"edX+DemoX": {"titel": "x"}}}, "courses[edX+DemoX]", "titel"),
    ({"courses": {"edX+DemoX": {"course_runs": []}}}, "courses[edX+DemoX]", "course_runs"),
    ({"courses": {"NoSuchOrg+X1": {}}}, "courses[NoSuchOrg+X1]", None),
    ({"runs": {"course-v1:Nope+N1+R": {}}}, "runs[course-v1:Nope+N1+R]", None),
    ({"runs": {lm.DEMO_RUN: {"start": "yesterday"}}}, f"runs[{lm.DEMO_RUN}]", "start"),
    ({"runs": {lm.DEMO_RUN: {"seats": [{"price": "1.00"}]}}}, f"runs[{lm.DEMO_RUN}]", "seats[0]"),
    ({"catalogs": {2: {"courses": ["Nope+X"]}}}, "catalogs[2]", "courses"),
    ({"catalogs": {2: {"query": "org:(MITx"}}}, "catalogs[2]", "query"),
    ({"enterprise_catalogs": {lm.ENTERPRISE_CATALOG_DOC: {"content": ["Nope+X"]}}},
     f"enterprise_catalogs[{lm.ENTERPRISE_CATALOG_DOC}]", "content"),
    ({"enrollments": {100001: {"courserun_key": "course-v1:Nope+N+R"}}}, "enrollments[100001]", "courserun_key"),
    ({"blendx_courses": {"course-v1:Nope+N+R": {"tags": []}}}, "blendx_courses[course-v1:Nope+N+R]", None),
    ({"programs": {lm.DEMO_PROGRAM_UUID: {"courses": ["Nope+X"]}}}, f"programs[{lm.DEMO_PROGRAM_UUID}]", "courses"),
])
def test_overlay_errors_name_record_and_field(clock, kinds, record, field):
    with pytest.raises(WorldError) as info:
        _build(clock, **kinds)
    assert info.value.record == record
    assert info.value.field == field
    assert record in str(info.value)
