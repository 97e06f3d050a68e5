"""The documents' named entities ("landmarks"), present in every world built with landmarks on.

Integrators copy ids from the three API documents, so those ids must answer: discovery catalog 1
"All Courses", the enterprise catalogs `3f56a21c-…` and `0e871df0-…` of customer `58152f7f-…`
(`degreed-company`), course `MyUni+Sport101x`, run `course-v1:edX+DemoX+Demo_Course`, the BlendX
course `course-v1:Fundacion-Santa-Fe-de-Bogota+HOC201+2025_T2`, the search document
`course-v1:HealthOnCloud+Test101+2025_T1`, org `TestOrg`, and courses matching the documents'
`search_string=AI` / `search=python` / `tags=health,midwifery` examples, and the enterprise
document's example course key `RITx+PM9003x`.

They are expressed as an `Overlay` (the same mechanism scenario files use), applied before the
user's overlay; the enterprise catalogs' remaining content is filled by the generator.

Dates. The documents' literal dates are kept where they are not yet past at the world's clock and
the example needs them:
- HOC201 (BlendX): literal 2025-02-01 → 2027-02-01 (the run key says 2025_T2); if the clock is past
  the end, every date of the run is shifted by whole years so it stays a current run.
- Test101 (search): literal start 2030-01-01T00:00:00+00:00 (upcoming); its enrollment start, which
  the example omits but edx-search requires to be in the past, is the clock minus 30 days.
- DemoX (enterprise): relative. The literal 2017 dates would make it Current, not the example's
  "Upcoming", so it starts 100 days after the clock at 05:00 with enrollment opening 31 days and
  5 hours earlier (the example's 2017-10-01T00:00 → 2017-11-01T05:00 gap); `end`/`enrollment_end`
  are null as in the example.
- MyUni+Sport101x, the TestOrg courses: relative (no literal dates in the documents).

Corrections of the documents (recorded in the specs as deviations): DemoX `level_type` "Beginner" →
"Introductory" (gt-4.18); HOC201's image uses its own asset key and number HOC201 (gt-4.32); the
BlendX list example's `org: "TestOrg"` contradicts the record's key and `organisation`, so the
record's org is `Fundacion-Santa-Fe-de-Bogota` and TestOrg owns its own health/midwifery courses;
HOC201's single 5-star review cannot average 4.5, so a second (4-star) review is added.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mockserver.world.generate import BLENDX_HOST, EDX_LMS
from mockserver.world.keys import term_run_name
from mockserver.world.overlay import Overlay

UTC = timezone.utc

CATALOG_ALL_COURSES_ID = 1
ENTERPRISE_CUSTOMER_UUID = "58152f7f-6d0e-41cf-862d-0a27c6fad72c"
ENTERPRISE_CUSTOMER_SLUG = "degreed-company"
ENTERPRISE_CATALOG_ALL_CONTENT = "0e871df0-6e43-4cfc-92cc-357ebf1fda75"
ENTERPRISE_CATALOG_DOC = "3f56a21c-76c8-47c0-add8-a99714d40d94"
EDX_ORG_UUID = "12de950c-6fae-49f7-aaa9-778c2fbdae56"
DEMO_RUN = "course-v1:edX+DemoX+Demo_Course"
DEMO_COURSE = "edX+DemoX"
DEMO_STAFF = (
    "a1b2c3d4-3185-4233-a323-2fbeb401cb82",
    "a1b2c3d4-4ebe-4e5c-b0a2-2ff630c0dae0",
    "b2c3d4e5-bf58-47cf-ae9a-994c0eb22062",
    "1111a42a-b667-4664-bdaa-4754e1cfd480",
)
DEMO_PROGRAM_UUID = "4d5e6f70-8192-4a3b-9c4d-5e6f70819203"
MYUNI_COURSE = "MyUni+Sport101x"
BLENDX_RUN = "course-v1:Fundacion-Santa-Fe-de-Bogota+HOC201+2025_T2"
BLENDX_ID = "267ce96d-1454-4292-aa42-1a0487c7eaaa"
FUNDACION_UUID = "123e4567-e89b-12d3-a456-426614174000"
SEARCH_RUN = "course-v1:HealthOnCloud+Test101+2025_T1"


# (catalog uuid, title) of the landmark customer, in listing order; the first items of each
# catalog's content are fixed here, the rest is filled with active generated content.
ENTERPRISE_CATALOGS = (
    (ENTERPRISE_CATALOG_ALL_CONTENT, "All Content", ({"content_type": "courserun", "key": DEMO_RUN},)),
    (ENTERPRISE_CATALOG_DOC, "Degreed Company Catalog", ({"content_type": "course", "key": MYUNI_COURSE},)),
)
# The document's example page says "count": 13 for All Content.
ALL_CONTENT_ACTIVE_COUNT = 13

DEMO_FULL_DESCRIPTION = (
    "<p>The modern data analysis pipeline involves collection, preprocessing, storage, analysis, "
    "and interactive visualization of data.</p>\n<p>The goal of this course, part of the Analytics: "
    "Essential Tools and Methods MicroMasters program, is for you to learn how to build these "
    "components and connect them using modern tools and techniques.</p>"
)
DEMO_SHORT_DESCRIPTION = (
    "A hands-on introduction to basic programming principles and practice relevant to modern data "
    "analysis, data mining, and machine learning."
)


def _at(clock: datetime, days: int, hour: int = 0) -> datetime:
    return (clock + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _term(start: datetime) -> str:
    return term_run_name(start.year, start.month, "year")


def _keep_literal_or_shift(dates: dict[str, datetime | None], clock: datetime) -> dict[str, datetime | None]:
    """Keep literal dates unless the run would be over at `clock`; then shift them by whole years."""
    end = dates["end"]
    years = 0
    while end is not None and end.replace(year=end.year + years) < clock:
        years += 1
    if not years:
        return dates
    return {k: (v.replace(year=v.year + years) if v is not None else None) for k, v in dates.items()}


def landmark_overlay(clock: datetime) -> Overlay:
    """The documents' named entities as an overlay, with dates laid out against `clock`."""
    bx = BLENDX_HOST
    orgs = {
        "edX": {"uuid": EDX_ORG_UUID, "name": "edX", "language": "en-us",
                "homepage_url": "https://www.edx.org",
                "logo_image_url": "https://www.edx.org/sites/default/files/school/image/logo/gtx-logo-200x101.png"},
        "MyUni": {"name": "My University", "language": "en-us", "homepage_url": "https://www.myuni.example.edu"},
        "Fundacion-Santa-Fe-de-Bogota": {
            "uuid": FUNDACION_UUID, "name": "Fundacion Santa Fe de Bogota", "language": "es-es",
            "homepage_url": "https://www.fsfb.org.co",
            "favicon_url": f"https://{bx}/static/org_favicons/fundacion.ico"},
        "HealthOnCloud": {"name": "Health on Cloud", "language": "ar", "homepage_url": "https://healthoncloud.example.org"},
        "RITx": {"name": "Rochester Institute of Technology", "language": "en-us", "homepage_url": "https://www.rit.edu"},
        "TestOrg": {"name": "Test Organization", "language": "en-us", "homepage_url": "https://testorg.example.org",
                    "favicon_url": f"https://{bx}/static/org_favicons/testorg.ico"},
    }
    people = {uuid: {} for uuid in DEMO_STAFF}

    demo_start = _at(clock, 100, 5)
    courses: dict[str, dict] = {
        DEMO_COURSE: {"title": "edX Demonstration Course", "short_description": DEMO_SHORT_DESCRIPTION,
                      "full_description": DEMO_FULL_DESCRIPTION, "level_type": "Introductory",
                      "subjects": [], "url_slug": "edxdemoslug",
                      "marketing_url": "https://www.edx.org/course/edxdemoslug"},
        MYUNI_COURSE: {"title": "Introduction to Sport Science", "level_type": "Introductory"},
        "Fundacion-Santa-Fe-de-Bogota+HOC201": {
            "title": "Proyecto Warra Jaramia",
            "short_description": "Sabiduría Ancestral en la Atención del Parto...", "level_type": None},
        "HealthOnCloud+Test101": {"title": "Health on Cloud Test", "short_description": "It is a testing course "},
        "RITx+PM9003x": {"title": "Project Management", "level_type": "Intermediate"},
        "TestOrg+AI101": {"title": "Introduction to AI", "level_type": "Introductory"},
        "TestOrg+PY101": {"title": "Python for Everybody", "level_type": "Introductory"},
        "TestOrg+MID101": {"title": "Midwifery Essentials", "level_type": "Intermediate"},
    }
    runs: dict[str, dict] = {
        DEMO_RUN: {
            "title": "edX Demonstration Course", "short_description": DEMO_SHORT_DESCRIPTION,
            "full_description": DEMO_FULL_DESCRIPTION, "start": demo_start, "end": None,
            "enrollment_start": demo_start - timedelta(days=31, hours=5), "enrollment_end": None,
            "pacing_type": "self_paced", "min_effort": 5, "max_effort": 6, "weeks_to_complete": 3,
            "content_language": "en-us", "transcript_languages": [], "staff": list(DEMO_STAFF),
            "mobile_available": True, "status": "published", "hidden": False, "type": "verified",
            "level_type": "Introductory", "invitation_only": False, "catalog_visibility": "both",
            "seats": [{"type": "audit", "price": "0.00"}, {"type": "verified", "price": "149.00"}],
            "image": {"src": f"{EDX_LMS}/asset-v1:edX+DemoX+Demo_Course+type@asset+block@images_course_image.jpg"},
            "marketing_url": "https://www.edx.org/course/edxdemoslug",
        },
    }
    sport_start = _at(clock, 30, 13)
    runs[f"course-v1:MyUni+Sport101x+{_term(sport_start)}"] = {
        "start": sport_start, "end": sport_start + timedelta(weeks=8),
        "enrollment_start": _at(clock, -20), "enrollment_end": sport_start + timedelta(weeks=2),
        "status": "published", "hidden": False, "invitation_only": False, "catalog_visibility": "both",
    }
    rit_start = _at(clock, -21, 15)
    runs[f"course-v1:RITx+PM9003x+{_term(rit_start)}"] = {
        "start": rit_start, "end": rit_start + timedelta(weeks=10), "enrollment_start": _at(clock, -60),
        "enrollment_end": rit_start + timedelta(weeks=8), "status": "published", "hidden": False,
        "pacing_type": "instructor_paced",
    }
    hoc = _keep_literal_or_shift({
        "start": datetime(2025, 2, 1, tzinfo=UTC), "end": datetime(2027, 2, 1, 0, 30, tzinfo=UTC),
        "enrollment_start": datetime(2025, 1, 1, tzinfo=UTC), "enrollment_end": datetime(2025, 3, 1, tzinfo=UTC),
        "announcement": datetime(2024, 12, 1, tzinfo=UTC), "go_live_date": datetime(2024, 12, 1, tzinfo=UTC),
    }, clock)
    runs[BLENDX_RUN] = {
        "title": "Proyecto Warra Jaramia", "short_description": "Sabiduría Ancestral en la Atención del Parto...",
        **hoc, "pacing_type": "instructor_paced", "min_effort": 1, "max_effort": 1,
        "content_language": "en-us", "status": "published", "hidden": False, "invitation_only": False,
        "catalog_visibility": "both", "seats": [{"type": "honor", "price": "0.00"}], "type": None,
    }
    runs[SEARCH_RUN] = {
        "title": "Health on Cloud Test", "short_description": "It is a testing course ",
        "start": datetime(2030, 1, 1, tzinfo=UTC), "end": None,
        "enrollment_start": _at(clock, -30), "enrollment_end": None, "content_language": "ar",
        "status": "published", "hidden": False, "invitation_only": True, "catalog_visibility": "both",
        "seats": [{"type": "honor", "price": "0.00"}], "type": None,
    }
    test_start = _at(clock, 10)
    for number in ("AI101", "PY101", "MID101"):
        runs[f"course-v1:TestOrg+{number}+{_term(test_start)}"] = {
            "start": test_start, "end": test_start + timedelta(weeks=12),
            "enrollment_start": _at(clock, -20), "enrollment_end": test_start + timedelta(weeks=10),
            "status": "published", "hidden": False, "invitation_only": False, "catalog_visibility": "both",
            "content_language": "en-us",
        }

    hoc_key_body = BLENDX_RUN[len("course-v1:"):]
    blendx = {
        BLENDX_RUN: {
            "id": BLENDX_ID, "tags": ["health", "midwifery"], "language": "en", "effort": "01:00",
            "display_image": f"https://lms.{bx}/asset-v1:{hoc_key_body}+type@asset+block@thumb.jpg",
            "overview": ("<!DOCTYPE html><html><body><h2>Proyecto Warra Jaramia</h2><p>Sabiduría ancestral "
                         "en la atención del parto: un diálogo entre parteras tradicionales y personal de "
                         "salud.</p></body></html>"),
            "certificate_available_date": hoc["end"] + timedelta(days=2),
            "has_any_active_web_certificate": False, "course_video_url": None,
            "org_logo_url": f"https://{bx}/static/org_logos/fundacion.png",
            "organisation_logo_url": f"https://{bx}/static/org_logos/fundacion.png",
            "created_at": datetime(2024, 12, 1, tzinfo=UTC),
            "reviews": [
                {"id": "9b0a3c52-6f1e-4d2a-8b7c-3e4f5a6b7c8d", "user": "John Doe", "rating": 5,
                 "comment": "Excellent course!", "created_at": "2025-01-15T10:00:00Z"},
                {"id": "c41d2e63-7a2f-4e3b-9c8d-4f5a6b7c8d9e", "user": "María Gómez", "rating": 4,
                 "comment": "Muy buen curso, muy práctico.", "created_at": "2025-02-10T16:30:00Z"},
            ],
            "course_structure": {
                "sections": [{
                    "name": "Introduction",
                    "usage_key": f"block-v1:{hoc_key_body}+type@chapter+block@5f0c8e1a2b3d4c5e6f708192a3b4c5d6",
                    "hide_from_toc": False, "visible_to_staff_only": False,
                    "subsections": [{
                        "name": "Getting Started",
                        "usage_key": f"block-v1:{hoc_key_body}+type@sequential+block@6a1d9f2b3c4e5d6f708192a3b4c5d6e7",
                        "inaccessible_after_due": False, "hide_from_toc": False,
                        "visible_to_staff_only": False, "exam": None}],
                }],
                "course_info": {"course_key": BLENDX_RUN, "title": "Proyecto Warra Jaramia",
                                "published_at": "2024-01-01T00:00:00Z", "published_version": "abc123",
                                "days_early_for_beta": 0, "entrance_exam_id": None, "self_paced": False,
                                "course_visibility": "public"},
            },
        },
    }
    for number, tags in (("AI101", ["ai", "machine-learning"]), ("PY101", ["python", "programming"]),
                         ("MID101", ["health", "midwifery"])):
        key = f"course-v1:TestOrg+{number}+{_term(test_start)}"
        blendx[key] = {"tags": tags, "org_logo_url": f"https://{bx}/static/org_logos/testorg.png",
                       "organisation_logo_url": f"https://{bx}/static/org_logos/testorg.png"}
    search_docs = {
        SEARCH_RUN: {
            "image_url": "/static/studio/images/pencils.jpg", "modes": ["honor"], "language": "ar",
            "content": {"display_name": "Health on Cloud Test",
                        "overview": " About This Course Include your long course description here... ",
                        "number": "Test101", "short_description": "It is a testing course "},
        },
    }
    programs = {
        DEMO_PROGRAM_UUID: {"title": "Analytics: Essential Tools and Methods", "type": "Professional Certificate",
                            "status": "active", "hidden": False, "courses": [DEMO_COURSE],
                            "authoring_organizations": ["edX"]},
    }
    customers = {ENTERPRISE_CUSTOMER_UUID: {"name": "Degreed Company", "slug": ENTERPRISE_CUSTOMER_SLUG,
                                            "active": True}}
    catalogs = {CATALOG_ALL_COURSES_ID: {"name": "All Courses", "query": "*:*",
                                         "viewers": ["username1", "username2"]}}
    return Overlay(organizations=orgs, people=people, courses=courses, runs=runs, programs=programs,
                   catalogs=catalogs, enterprise_customers=customers, blendx_courses=blendx,
                   search_documents=search_docs)
