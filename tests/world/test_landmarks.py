"""The entities the three API documents name exist in the default world."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mockserver.world import build_world
from mockserver.world import landmarks as lm


def test_discovery_catalog_1_all_courses(default_world):
    catalog = default_world.catalog(1)
    assert (catalog.name, catalog.query, catalog.viewers) == ("All Courses", "*:*", ("username1", "username2"))


def test_enterprise_catalog_with_myuni_course(default_world):
    catalog = default_world.enterprise_catalog("3f56a21c-76c8-47c0-add8-a99714d40d94")
    assert catalog.enterprise_customer == "58152f7f-6d0e-41cf-862d-0a27c6fad72c"
    assert default_world.enterprise_catalog_contains(catalog, "MyUni+Sport101x")
    assert default_world.organization("MyUni") is not None
    assert default_world.course("MyUni+Sport101x").active


def test_all_content_catalog_of_degreed_company_with_demo_run(default_world, clock):
    catalog = default_world.enterprise_catalog("0e871df0-6e43-4cfc-92cc-357ebf1fda75")
    assert catalog.title == "All Content"
    customer = default_world.enterprise_customer(catalog.enterprise_customer)
    assert (customer.uuid, customer.slug) == ("58152f7f-6d0e-41cf-862d-0a27c6fad72c", "degreed-company")
    items = default_world.enterprise_catalog_items(catalog)
    assert len(items) == 13  # the document's "count": 13
    run = items[0]
    assert run.key == "course-v1:edX+DemoX+Demo_Course" and run.title == "edX Demonstration Course"
    assert (run.number, run.org, run.course) == ("DemoX", "edX", "edX+DemoX")
    assert run.availability == "Upcoming" and run.start > clock and run.end is None
    assert run.staff == lm.DEMO_STAFF and all(default_world.person(p) for p in run.staff)
    assert default_world.organization("edX").uuid == "12de950c-6fae-49f7-aaa9-778c2fbdae56"
    assert run.seat_types == ("audit", "verified") and run.pacing_type == "self_paced"
    assert [default_world.program(p).type for p in run.programs] == ["Professional Certificate"]


def test_blendx_landmark_course(default_world):
    bx = default_world.blendx_course("course-v1:Fundacion-Santa-Fe-de-Bogota+HOC201+2025_T2")
    assert bx.id == "267ce96d-1454-4292-aa42-1a0487c7eaaa"
    assert bx.display_name == "Proyecto Warra Jaramia" and bx.tags == ("health", "midwifery")
    assert (bx.organisation, bx.organisation_id) == ("Fundacion Santa Fe de Bogota", "123e4567-e89b-12d3-a456-426614174000")
    assert bx.number == "HOC201" and bx.price == 0 and bx.course_mode == "honor" and bx.avg_rating == 4.5
    assert bx.start == datetime(2025, 2, 1, tzinfo=timezone.utc)
    assert [s.name for s in bx.course_structure.sections] == ["Introduction"]
    assert bx.course_structure.sections[0].subsections[0].name == "Getting Started"
    assert bx.reviews[0].user == "John Doe" and bx.reviews[0].rating == 5


def test_blendx_landmark_dates_shift_when_the_clock_passes_them():
    world = build_world(seed=1, clock=datetime(2031, 3, 1, tzinfo=timezone.utc), size="small")
    run = world.run(lm.BLENDX_RUN)
    assert run.end > world.clock and run.start.month == 2 and run.start.day == 1


def test_search_landmark_document(default_world, clock):
    doc = default_world.search_document("course-v1:HealthOnCloud+Test101+2025_T1")
    assert doc.content.display_name == "Health on Cloud Test"
    assert (doc.language, doc.invitation_only, doc.modes, doc.org) == ("ar", True, ("honor",), "HealthOnCloud")
    assert doc.start == datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert doc.id in [d.id for d in default_world.search_documents()]


def test_document_search_examples_have_answers(default_world):
    assert len(default_world.search_documents(search_string="AI")) >= 3
    assert len(default_world.blendx_query(search="python")) >= 3
    hits = default_world.blendx_query(orgs=["TestOrg"], tags=["health", "midwifery"], order_by=("display_name", "asc"))
    assert [b.display_name for b in hits] == ["Midwifery Essentials"]
    assert default_world.organization("TestOrg") is not None


def test_landmarks_can_be_left_out(clock):
    world = build_world(seed=1, clock=clock, size="small", landmarks=False)
    assert world.run(lm.DEMO_RUN) is None and world.enterprise_customer(lm.ENTERPRISE_CUSTOMER_UUID) is None
    assert world.catalog(1).query == "*:*"


def test_demo_run_is_relative_to_the_clock(clock):
    later = build_world(seed=1, clock=clock + timedelta(days=400), size="small")
    assert later.run(lm.DEMO_RUN).start == (clock + timedelta(days=500)).replace(hour=5)


def test_enterprise_document_example_course_key(default_world):
    course = default_world.course("RITx+PM9003x")
    assert course is not None and course.active
    assert default_world.course_runs("RITx+PM9003x")[0].availability == "Current"
