"""The query API the handlers call: lookups, catalog queries, BlendX list, edx-search, learner summary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mockserver.world import BLENDX_ORDER_FIELDS, Overlay, WorldError, build_world
from mockserver.world import landmarks as lm


def test_unknown_keys_answer_none(default_world):
    w = default_world
    assert w.course("Nope+X") is None and w.run("course-v1:Nope+X+Y") is None and w.program("x") is None
    assert w.catalog(10_000) is None and w.enterprise_catalog("x") is None and w.enterprise_customer("x") is None
    assert w.blendx_course("course-v1:Nope+X+Y") is None and w.search_document("nope") is None
    assert w.enrollments("nope") == () and not w.enterprise_catalog_contains("nope", "edX+DemoX")


def test_catalog_queries(default_world):
    w = default_world
    by_id = {c.query: c for c in w.catalogs}
    mitx = [c for c in w.courses if c.org == "MITx"]
    not_mitx = by_id["NOT org:MITx"]
    assert w.catalog_courses_count(not_mitx) == len(w.courses) - len(mitx)
    intro_cs = by_id["level_type:Advanced AND subjects:computer-science"]
    cs = next(s.uuid for s in w.subjects if s.slug == "computer-science")
    assert {c.key for c in w.catalog_courses(intro_cs)} == \
        {c.key for c in w.courses if c.level_type == "Advanced" and cs in c.subjects}
    assert w.catalog_courses_count(by_id["org:StanfordOnline"]) == 0


def test_lazy_sequences_support_len_index_and_slices(default_world):
    courses = default_world.catalog_active_courses(1)
    assert len(courses[:20]) == 20 and courses[0] == courses[:1][0] and courses[-1] == list(courses)[-1]
    assert courses[len(courses):] == []


def test_blendx_default_order_is_created_at_desc(default_world):
    rows = default_world.blendx_query()
    created = [b.created_at for b in rows]
    assert created == sorted(created, reverse=True)
    assert len(rows) == len(default_world.runs)


@pytest.mark.parametrize("field", BLENDX_ORDER_FIELDS)
def test_blendx_order_by_each_field(default_world, field):
    asc = default_world.blendx_query(order_by=(field, "asc"))
    desc = default_world.blendx_query(order_by=(field, "desc"))

    def value(b):
        return b.display_name.lower() if field == "display_name" else getattr(b, field)

    values = [value(b) for b in asc if value(b) is not None]
    assert values == sorted(values)
    assert [value(b) for b in desc if value(b) is not None] == sorted(values, reverse=True)


def test_blendx_filters(default_world):
    w = default_world
    by_name = w.blendx_query(orgs=["Massachusetts Institute of Technology"])
    assert len(by_name) > 0 and {b.org for b in by_name} == {"MITx"}
    assert [b.id for b in w.blendx_query(orgs=["mitx"])] == [b.id for b in by_name]
    two = w.blendx_query(orgs=["MITx", "HarvardX"], tags=["python", "ai"])
    assert all(b.org in ("MITx", "HarvardX") and {"python", "ai"} & set(b.tags) for b in two)
    hits = w.blendx_query(search="PYTHON")
    assert len(hits) > 0
    assert all("python" in (b.display_name + b.short_description + b.overview).lower() for b in hits)
    assert len(w.blendx_query(search="zzzz-no-such-text")) == 0


def test_search_applies_the_enrollment_window(default_world, clock):
    docs = default_world.search_documents()
    assert all(d.enrollment_start <= clock and (d.enrollment_end is None or d.enrollment_end >= clock) for d in docs)
    excluded = [r for r in default_world.runs if r.enrollment_start > clock]
    assert excluded and not {r.key for r in excluded} & {d.id for d in docs}
    later = default_world.search_documents(now=clock + timedelta(days=400))
    assert {d.id for d in later} != {d.id for d in docs}


def test_search_words_and_filters(default_world):
    ai = default_world.search_documents(search_string="AI")
    assert ai and all(" ai" in f" {d.content.display_name} {d.content.overview} {d.content.short_description}".lower()
                      .replace("(", " ").replace(")", " ") for d in ai)
    honor = default_world.search_documents(filters={"modes": "honor", "language": "ar"})
    assert "course-v1:HealthOnCloud+Test101+2025_T1" in [d.id for d in honor]
    assert all("honor" in d.modes and d.language == "ar" for d in honor)
    by_start = default_world.search_documents(sort_by_start=True)
    starts = [d.start for d in by_start if d.start is not None]
    assert starts == sorted(starts, reverse=True)


def test_enrollments_order_by_last_activity_desc(default_world):
    for customer in default_world.enterprise_customers:
        rows = default_world.enrollments(customer.uuid)
        dated = [r for r in rows if r.last_activity_date is not None]
        assert rows[: len(dated)] == tuple(dated)  # no-activity rows last
        keys = [(-r.last_activity_date.toordinal(), r.enrollment_id) for r in dated]
        assert keys == sorted(keys)


def test_enrollment_dates_are_consistent(default_world, clock):
    for customer in default_world.enterprise_customers:
        for r in default_world.enrollments(customer.uuid):
            assert r.enrollment_date <= clock.date()
            if r.passed_date:
                assert r.has_passed and r.enrollment_date <= r.passed_date <= clock.date()
            if r.unenrollment_date:
                assert r.enrollment_date <= r.unenrollment_date <= clock.date()
            assert r.course_api_url.endswith(f"/courses/{r.courserun_key}")


def test_enterprise_contains_follows_course_run_and_program_membership(default_world):
    catalog = default_world.enterprise_catalog(lm.ENTERPRISE_CATALOG_ALL_CONTENT)
    assert default_world.enterprise_catalog_contains(catalog, lm.DEMO_RUN)
    assert default_world.enterprise_catalog_contains(catalog, lm.DEMO_COURSE)
    assert not default_world.enterprise_catalog_contains(catalog, "course-v1:edX+DemoX+Nope")
    covered = set()
    for ref in catalog.content:
        covered |= {ref.key} | ({ref.key.split(":", 1)[1].rsplit("+", 1)[0]} if ref.content_type == "courserun" else set())
        if ref.content_type == "program":
            covered |= set(default_world.program(ref.key).courses)
    outside = next(c for c in default_world.courses if c.key not in covered)
    assert not default_world.enterprise_catalog_contains(catalog, outside.key)
    assert not any(default_world.enterprise_catalog_contains(catalog, r) for r in outside.course_runs)


def test_unknown_size_is_rejected():
    with pytest.raises(ValueError):
        build_world(size="huge")


def test_unknown_content_type_is_rejected(clock):
    with pytest.raises(WorldError):
        build_world(seed=1, clock=clock, size="small", overlay=Overlay(
            enterprise_catalogs={lm.ENTERPRISE_CATALOG_DOC: {"content": [{"content_type": "video", "key": "x"}]}}))
