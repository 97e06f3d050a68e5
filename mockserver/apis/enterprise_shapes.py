"""Shaping of world entities into the edX Enterprise API's JSON (ground truth E4–E9).

Owns how each record looks on the wire: field names and order of the real serializers, each producer's date
format, the enterprise additions (`enrollment_url`, `xapi_activity_id`, `parent_content_key`,
`content_last_modified`, utm-tagged `marketing_url`). Three producers meet here:

- edx-enterprise / edx-enterprise-data (DRF): date-times `2019-02-20T15:00:00Z`, microseconds only when non-zero,
  dates `YYYY-MM-DD`;
- the discovery search index behind the v2 catalog listing: `YYYY-MM-DDTHH:MM:SSZ`, never microseconds;
- discovery detail serializers (course, run, program detail routes): the course-discovery shapes of
  `discovery_shapes.py` (shared with the Course Catalog API), with the enterprise additions put on top here.

Every function here is pure: (world, entities, the catalog context) in, plain dicts out.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mockserver.apis.discovery_shapes import (
    drf_datetime, present, run_type, shape_course, shape_course_run, shape_image, shape_organization, shape_person,
    shape_seat, shape_subject,
)
from mockserver.world.generate import EDX_LMS

PARTNER = "edx"


# ---------------------------------------------------------------------------------------------- formats

def index_datetime(value: datetime | None) -> str | None:
    """Discovery search index `serialize_datetime`: `YYYY-MM-DDTHH:MM:SSZ`."""
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def with_query(url: str | None, params: dict[str, str]) -> str | None:
    """edx-enterprise `update_query_parameters`: add (or replace) query parameters, keep the rest."""
    if not url:
        return url
    scheme, netloc, path, query, fragment = urlsplit(url)
    current = dict(parse_qsl(query, keep_blank_values=True))
    current.update(params)
    return urlunsplit((scheme, netloc, path, urlencode(current), fragment))


# ---------------------------------------------------------------------------------------------- context

@dataclass(frozen=True)
class CatalogContext:
    """What the enterprise additions of one catalog need: its uuid, its customer's uuid and slug."""

    catalog_uuid: str
    customer_uuid: str
    customer_slug: str

    @property
    def utm(self) -> dict[str, str]:
        return {"utm_medium": "enterprise", "utm_source": self.customer_slug}

    def marketing_url(self, url: str | None) -> str | None:
        return with_query(url, self.utm)

    def enrollment_url(self, kind: str, key: str) -> str:
        """LMS enterprise enrollment URL (`kind` is `course` for course and run keys, `program` for programs)."""
        query = urlencode({"catalog": self.catalog_uuid, **self.utm})
        return f"{EDX_LMS}/enterprise/{self.customer_uuid}/{kind}/{key}/enroll/?{query}"


def xapi_activity_id(content_type: str, key: str) -> str:
    return f"{EDX_LMS}/xapi/activities/{content_type}/{key}"


# ---------------------------------------------------------------------------------------------- E4 catalogs

def shape_enterprise_catalog(catalog) -> dict:
    """`EnterpriseCustomerCatalogSerializer`."""
    return {
        "uuid": catalog.uuid,
        "title": catalog.title,
        "enterprise_customer": catalog.enterprise_customer,
        "enterprise_catalog_query": catalog.enterprise_catalog_query,
        "created": drf_datetime(catalog.created),
        "modified": drf_datetime(catalog.modified),
    }


# ---------------------------------------------------------------------------------------------- shared pieces

def shape_minimal_organization(org) -> dict:
    """The organization form search documents and minimal serializers carry."""
    return {"uuid": org.uuid, "key": org.key, "name": org.name, "logo_image_url": org.logo_image_url}


def shape_program_summary(program) -> dict:
    """Discovery `MinimalProgramSerializer` (a course's or run's `programs`)."""
    return {
        "uuid": program.uuid,
        "title": program.title,
        "type": program.type,
        "marketing_slug": program.marketing_slug,
        "marketing_url": program.marketing_url,
    }


def _program_summaries(world, uuids) -> list[dict]:
    return [shape_program_summary(p) for p in (world.program(u) for u in uuids) if p]


def _language_name(world, code: str | None) -> str | None:
    if code is None:
        return None
    language = world.language(code)
    return language.name if language is not None else None


def _first_paid_seat(run):
    paid = [s for s in run.seats if float(s.price) > 0]
    return min(paid, key=lambda s: float(s.price)) if paid else None


# ---------------------------------------------------------------------------------------------- E5 listing items

def shape_search_course_run(run, ctx: CatalogContext) -> dict:
    """A run nested in a course search document, plus the enterprise additions on nested runs."""
    paid = _first_paid_seat(run)
    return {
        "key": run.key,
        "uuid": run.uuid,
        "start": index_datetime(run.start),
        "end": index_datetime(run.end),
        "enrollment_start": index_datetime(run.enrollment_start),
        "enrollment_end": index_datetime(run.enrollment_end),
        "go_live_date": index_datetime(run.go_live_date),
        "pacing_type": run.pacing_type,
        "availability": run.availability,
        "status": run.status,
        "min_effort": run.min_effort,
        "max_effort": run.max_effort,
        "weeks_to_complete": run.weeks_to_complete,
        "is_enrollable": run.is_enrollable,
        "first_enrollable_paid_seat_price": int(float(paid.price)) if paid else None,
        "enrollment_url": ctx.enrollment_url("course", run.key),
        "parent_content_key": run.course,
    }


def shape_course_item(world, course, ctx: CatalogContext) -> dict:
    """A `course` content item: discovery course search document + enterprise-catalog additions."""
    # Every run of the course, as on the detail route, so that `active` is always evidenced by a nested run.
    runs = present(map(world.run, course.course_runs))
    seat_types: list[str] = []
    for run in runs:
        if run.active:
            seat_types.extend(t for t in run.seat_types if t not in seat_types)
    subjects = [world.subject(uuid) for uuid in course.subjects]
    return {
        "aggregation_key": f"course:{course.key}",
        "content_type": "course",
        "key": course.key,
        "uuid": course.uuid,
        "title": course.title,
        "short_description": course.short_description,
        "full_description": course.full_description,
        "outcome": course.outcome,
        "card_image_url": course.card_image_url,
        "image_url": course.image.src if course.image else None,
        "org": course.org,
        "partner": PARTNER,
        "level_type": course.level_type,
        "subjects": [s.name for s in subjects if s is not None],
        "seat_types": seat_types,
        "course_type": course.course_type,
        "marketing_url": ctx.marketing_url(course.marketing_url),
        "course_runs": [shape_search_course_run(run, ctx) for run in runs],
        "enrollment_url": ctx.enrollment_url("course", course.key),
        "xapi_activity_id": xapi_activity_id("course", course.key),
        "parent_content_key": None,
        "content_last_modified": drf_datetime(course.modified),
        "active": course.active,
    }


def shape_course_run_item(world, run, ctx: CatalogContext) -> dict:
    """A `courserun` content item: discovery `CourseRunSearchDocumentSerializer` + enterprise additions."""
    course = world.course(run.course)
    owners = present(map(world.organization, course.owners if course else ()))
    programs = [world.program(uuid) for uuid in run.programs]
    program_types: list[str] = []
    for program in programs:
        if program is not None and program.type not in program_types:
            program_types.append(program.type)
    paid = _first_paid_seat(run)
    return {
        "aggregation_key": f"courserun:{run.course}",
        "content_type": "courserun",
        "authoring_organization_uuids": [o.uuid for o in owners],
        "availability": run.availability,
        "end": index_datetime(run.end),
        "enrollment_end": index_datetime(run.enrollment_end),
        "enrollment_start": index_datetime(run.enrollment_start),
        "first_enrollable_paid_seat_sku": paid.sku if paid else None,
        "first_enrollable_paid_seat_price": run.first_enrollable_paid_seat_price,
        "full_description": run.full_description,
        "go_live_date": index_datetime(run.go_live_date),
        "has_enrollable_seats": run.has_enrollable_seats,
        "image_url": run.image.src if run.image else None,
        "is_enrollable": run.is_enrollable,
        "key": run.key,
        "language": _language_name(world, run.content_language),
        "level_type": run.level_type,
        "logo_image_urls": [o.logo_image_url for o in owners],
        "marketing_url": ctx.marketing_url(run.marketing_url),
        "max_effort": run.max_effort,
        "min_effort": run.min_effort,
        "mobile_available": run.mobile_available,
        "number": run.number,
        "org": run.org,
        "pacing_type": run.pacing_type,
        "partner": PARTNER,
        "program_types": program_types,
        "published": run.published,
        "seat_types": list(run.seat_types),
        "skill_names": [],
        "skills": [],
        "short_description": run.short_description,
        "staff_uuids": list(run.staff),
        "start": index_datetime(run.start),
        "subject_uuids": list(course.subjects) if course else [],
        "title": run.title,
        "transcript_languages": [n for n in (_language_name(world, c) for c in run.transcript_languages) if n],
        "type": run.type,
        "weeks_to_complete": run.weeks_to_complete,
        "restriction_type": None,
        "fixed_price_usd": None,
        "enrollment_url": ctx.enrollment_url("course", run.key),
        "xapi_activity_id": xapi_activity_id("courserun", run.key),
        "parent_content_key": run.course,
        "content_last_modified": drf_datetime(run.modified),
    }


def shape_program_item(world, program, ctx: CatalogContext) -> dict:
    """A `program` content item: discovery `ProgramSearchDocumentSerializer` + enterprise additions."""
    orgs = present(map(world.organization, program.authoring_organizations))
    return {
        "aggregation_key": f"program:{program.uuid}",
        "content_type": "program",
        "authoring_organization_uuids": [o.uuid for o in orgs],
        "authoring_organizations": [shape_minimal_organization(o) for o in orgs],
        "card_image_url": program.card_image_url,
        "hidden": program.hidden,
        "is_program_eligible_for_one_click_purchase": program.is_program_eligible_for_one_click_purchase,
        "language": [n for n in (_language_name(world, c) for c in program.languages) if n],
        "marketing_url": ctx.marketing_url(program.marketing_url),
        "max_hours_effort_per_week": program.max_hours_effort_per_week,
        "min_hours_effort_per_week": program.min_hours_effort_per_week,
        "partner": PARTNER,
        "published": program.published,
        "search_card_display": [],
        "skill_names": [],
        "skills": [],
        "staff_uuids": list(program.staff),
        "status": program.status,
        "subject_uuids": list(program.subjects),
        "subtitle": program.subtitle,
        "title": program.title,
        "type": program.type,
        "uuid": program.uuid,
        "weeks_to_complete_max": program.weeks_to_complete_max,
        "weeks_to_complete_min": program.weeks_to_complete_min,
        "is_2u_degree_program": False,
        "excluded_from_search": False,
        "excluded_from_seo": False,
        "enrollment_url": None,
        "parent_content_key": None,
        "content_last_modified": drf_datetime(program.modified),
    }


# ---------------------------------------------------------------------------------------------- E6–E8 details

def shape_course_run_detail(world, run, ctx: CatalogContext) -> dict:
    """Discovery `CourseRunWithProgramsSerializer` (the run route) + `enrollment_url`."""
    body = shape_course_run(run, world, ctx.marketing_url)
    body["programs"] = _program_summaries(world, run.programs)
    body["enrollment_url"] = ctx.enrollment_url("course", run.key)
    return body


def shape_course_detail(world, course, ctx: CatalogContext) -> dict:
    """Discovery course detail (`CourseWithProgramsSerializer`) + `enrollment_url` on it and every run."""
    runs = present(map(world.run, course.course_runs))
    body = shape_course(course, runs, runs, world, ctx.marketing_url)
    for run_body in body["course_runs"]:
        run_body["enrollment_url"] = ctx.enrollment_url("course", run_body["key"])
    body["programs"] = _program_summaries(world, course.programs)
    body["enrollment_url"] = ctx.enrollment_url("course", course.key)
    return body


def _program_course(world, course, ctx: CatalogContext) -> dict:
    """Discovery `MinimalProgramCourseSerializer` + `enrollment_url` on the course and its runs."""
    runs = present(map(world.run, course.course_runs))
    return {
        "key": course.key,
        "uuid": course.uuid,
        "title": course.title,
        "short_description": course.short_description,
        "image": shape_image(course.image),
        "owners": [shape_minimal_organization(o) for o in (world.organization(k) for k in course.owners) if o],
        "course_runs": [{
            "key": run.key,
            "uuid": run.uuid,
            "title": run.title,
            "start": drf_datetime(run.start),
            "end": drf_datetime(run.end),
            "enrollment_start": drf_datetime(run.enrollment_start),
            "enrollment_end": drf_datetime(run.enrollment_end),
            "pacing_type": run.pacing_type,
            "type": run.type,
            "run_type": run_type(run),
            "status": run.status,
            "is_enrollable": run.is_enrollable,
            "is_marketable": run.is_marketable,
            "availability": run.availability,
            "seats": [shape_seat(s) for s in run.seats],
            "enrollment_url": ctx.enrollment_url("course", run.key),
        } for run in runs],
        "enrollment_url": ctx.enrollment_url("course", course.key),
    }


def shape_program_detail(world, program, ctx: CatalogContext) -> dict:
    """Discovery `ProgramSerializer` + `enrollment_url` on the program, its courses and their runs."""
    courses = present(map(world.course, program.courses))
    orgs = present(map(world.organization, program.authoring_organizations))
    return {
        "uuid": program.uuid,
        "title": program.title,
        "subtitle": program.subtitle,
        "type": program.type,
        "type_attrs": None,
        "status": program.status,
        "marketing_slug": program.marketing_slug,
        "marketing_url": ctx.marketing_url(program.marketing_url),
        "card_image_url": program.card_image_url,
        "banner_image": {"large": {"url": program.banner_image_url, "width": 1440, "height": 480}}
        if program.banner_image_url else None,
        "hidden": program.hidden,
        "is_program_eligible_for_one_click_purchase": program.is_program_eligible_for_one_click_purchase,
        "overview": program.overview,
        "weeks_to_complete": program.weeks_to_complete,
        "weeks_to_complete_min": program.weeks_to_complete_min,
        "weeks_to_complete_max": program.weeks_to_complete_max,
        "min_hours_effort_per_week": program.min_hours_effort_per_week,
        "max_hours_effort_per_week": program.max_hours_effort_per_week,
        "total_hours_of_effort": program.total_hours_of_effort,
        "video": None,
        "expected_learning_items": list(program.expected_learning_items),
        "faq": [],
        "credit_backing_organizations": [],
        "corporate_endorsements": [],
        "job_outlook_items": [],
        "individual_endorsements": [],
        "languages": list(program.languages),
        "transcript_languages": list(program.transcript_languages),
        "subjects": [shape_subject(s) for s in (world.subject(u) for u in program.subjects) if s],
        "staff": [shape_person(p) for p in (world.person(u) for u in program.staff) if p],
        "price_ranges": [{"currency": r.currency, "min": r.min, "max": r.max, "total": r.total}
                         for r in program.price_ranges],
        "authoring_organizations": [shape_organization(o) for o in orgs],
        "degree": None,
        "curricula": [],
        "marketing_hook": program.marketing_hook,
        "enrollment_count": program.enrollment_count,
        "recent_enrollment_count": program.recent_enrollment_count,
        "courses": [_program_course(world, c, ctx) for c in courses],
        "enrollment_url": ctx.enrollment_url("program", program.uuid),
    }


# ---------------------------------------------------------------------------------------------- E9 learner summary

def _wire(value):
    """A learner-summary value as edx-enterprise-data's serializer renders it."""
    if isinstance(value, datetime):
        return drf_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def shape_enrollment(enrollment) -> dict:
    """`EnterpriseLearnerEnrollmentSerializer`: the entity's fields are the serializer's, in its order.

    `course_api_url` is the world's value, built as upstream does from the customer uuid and the run key
    (`/enterprise/v1/enterprise-catalogs/<customer uuid>/courses/<run key>`), a path that resolves to nothing.
    """
    return {f.name: _wire(getattr(enrollment, f.name)) for f in fields(enrollment)}

