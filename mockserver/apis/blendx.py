"""The BlendX Discovery handlers: `GET /blendxapi/discovery/courses/` and `GET /blendxapi/discovery/course/{id}/`.

Owns the parsing of the list's query (lenient, as the BlendX document and `specs/blendx.yaml` say: `limit`
clamped to 1..100, 1-based `page`, an unknown `fields` value is `light`, an unknown `order_by` field is
the default order), the filters (`search`, `org`, `tags`), and the shaping of a world `BlendXCourse` into
the document's light (17 fields), full (+12) and detail (29 fields) objects, in the document's key order.

There is no public BlendX implementation: the document is the truth (ground truth E10, E11). Dates are
written `YYYY-MM-DDTHH:MM:SSZ`. Errors (404 `Course not found`, 401) are raised as `ApiError` kinds;
`errors.py` words them for the BlendX family.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from mockserver import pagination
from mockserver.cache import cached
from mockserver.errors import ApiError
from mockserver.params import csv_values
from mockserver.render import json_response
from mockserver.state import world_of
from mockserver.world import BLENDX_ORDER_FIELDS
from mockserver.world.entities import BlendXCourse, CourseMode, CourseStructure, Review


def blendx_datetime(value: datetime | None) -> str | None:
    """BlendX's date format: `2025-02-01T00:00:00Z` (UTC, whole seconds)."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _mode(mode: CourseMode) -> dict:
    return {"modeSlug": mode.modeSlug, "minPrice": mode.minPrice, "modeDisplayName": mode.modeDisplayName,
            "currency": mode.currency, "visible": mode.visible}


def _review(review: Review) -> dict:
    return {"id": review.id, "user": review.user, "rating": review.rating, "comment": review.comment,
            "created_at": blendx_datetime(review.created_at)}


def _structure(structure: CourseStructure) -> dict:
    info = structure.course_info
    return {
        "sections": [{
            "name": section.name,
            "usage_key": section.usage_key,
            "hide_from_toc": section.hide_from_toc,
            "visible_to_staff_only": section.visible_to_staff_only,
            "subsections": [{
                "name": sub.name,
                "usage_key": sub.usage_key,
                "inaccessible_after_due": sub.inaccessible_after_due,
                "hide_from_toc": sub.hide_from_toc,
                "visible_to_staff_only": sub.visible_to_staff_only,
                "exam": sub.exam,
            } for sub in section.subsections],
        } for section in structure.sections],
        "total_sections": structure.total_sections,
        "total_subsections": structure.total_subsections,
        "course_info": {
            "course_key": info.course_key,
            "title": info.title,
            "published_at": blendx_datetime(info.published_at),
            "published_version": info.published_version,
            "days_early_for_beta": info.days_early_for_beta,
            "entrance_exam_id": info.entrance_exam_id,
            "self_paced": info.self_paced,
            "course_visibility": info.course_visibility,
        },
    }


def _rating(value: float) -> float | int:
    # The document shows 0 for "no rating" and 4.5 otherwise: whole ratings go out as integers.
    return int(value) if float(value).is_integer() else value


# How each response field is read off a BlendXCourse. The three field sets below are orderings of these
# names, taken from the document's examples, so a field set is data and not code.
_FIELD: dict[str, Callable[[BlendXCourse], object]] = {
    "id": lambda c: c.id,
    "openedx_course_id": lambda c: c.openedx_course_id,
    "display_name": lambda c: c.display_name,
    "display_image": lambda c: c.display_image,
    "course_image_url": lambda c: c.course_image_url,
    "short_description": lambda c: c.short_description,
    "overview": lambda c: c.overview,
    "price": lambda c: c.price,
    "currency": lambda c: c.currency,
    "start": lambda c: blendx_datetime(c.start),
    "start_display": lambda c: c.start_display,
    "end": lambda c: blendx_datetime(c.end),
    "effort": lambda c: c.effort,
    "enrollment_start": lambda c: blendx_datetime(c.enrollment_start),
    "enrollment_end": lambda c: blendx_datetime(c.enrollment_end),
    "certificate_available_date": lambda c: blendx_datetime(c.certificate_available_date),
    "has_any_active_web_certificate": lambda c: c.has_any_active_web_certificate,
    "link_to_course": lambda c: c.link_to_course,
    "language": lambda c: c.language,
    "self_paced": lambda c: c.self_paced,
    "org": lambda c: c.org,
    "org_logo_url": lambda c: c.org_logo_url,
    "org_favicon_url": lambda c: c.org_favicon_url,
    "number": lambda c: c.number,
    "course_video_url": lambda c: c.course_video_url,
    "course_mode": lambda c: c.course_mode,
    "available_course_modes": lambda c: [_mode(m) for m in c.available_course_modes],
    "tags": lambda c: list(c.tags),
    "is_invite_only": lambda c: c.is_invite_only,
    "is_published": lambda c: c.is_published,
    "avg_rating": lambda c: _rating(c.avg_rating),
    "organisation": lambda c: c.organisation,
    "organisation_id": lambda c: c.organisation_id,
    "organisation_logo_url": lambda c: c.organisation_logo_url,
    "organisation_favicon_url": lambda c: c.organisation_favicon_url,
    "course_structure": lambda c: _structure(c.course_structure),
    "reviews": lambda c: [_review(r) for r in c.reviews],
}

LIGHT_FIELDS = ("id", "openedx_course_id", "display_name", "display_image", "short_description", "price",
                "currency", "start", "end", "org", "org_logo_url", "org_favicon_url", "course_mode", "tags",
                "is_invite_only", "is_published", "avg_rating")
FULL_FIELDS = ("id", "openedx_course_id", "display_name", "display_image", "short_description", "overview",
               "price", "currency", "start", "end", "effort", "enrollment_start", "enrollment_end",
               "certificate_available_date", "has_any_active_web_certificate", "link_to_course", "language",
               "self_paced", "org", "org_logo_url", "org_favicon_url", "number", "course_video_url",
               "course_mode", "available_course_modes", "tags", "is_invite_only", "is_published", "avg_rating")
DETAIL_FIELDS = ("id", "openedx_course_id", "display_name", "short_description", "overview", "course_image_url",
                 "course_video_url", "start", "start_display", "end", "effort", "enrollment_start",
                 "enrollment_end", "certificate_available_date", "has_any_active_web_certificate", "language",
                 "self_paced", "is_invite_only", "is_published", "price", "course_mode",
                 "available_course_modes", "organisation", "organisation_id", "organisation_logo_url",
                 "organisation_favicon_url", "course_structure", "avg_rating", "reviews")
FIELD_SETS = {"light": LIGHT_FIELDS, "full": FULL_FIELDS}
DEFAULT_FIELD_SET = "light"


def shape_course(course: BlendXCourse, fields: tuple[str, ...] = LIGHT_FIELDS) -> dict:
    """A BlendX course as the API writes it, with exactly `fields`, in that order."""
    return {name: _FIELD[name](course) for name in fields}


def shape_detail(course: BlendXCourse) -> dict:
    """The detail route's object (29 fields)."""
    return shape_course(course, DETAIL_FIELDS)


# --- query ------------------------------------------------------------------------------------------------

DEFAULT_ORDER = ("created_at", "desc")


def parse_order_by(raw: str | None) -> tuple[str, str]:
    """(field, direction) of `order_by=<field>.<dir>`: direction defaults to desc; an unknown field means
    the whole default order (`created_at.desc`), whatever direction came with it."""
    name, _, direction = (raw or "").strip().partition(".")
    if name not in BLENDX_ORDER_FIELDS:
        return DEFAULT_ORDER
    return name, "asc" if direction.strip().lower() == "asc" else "desc"


def query_courses(world, query):
    """The courses the list's query selects (search AND org AND any-tag), in order, as a lazy sequence."""
    return world.blendx_query(search=(query.get("search") or "").strip() or None,
                              orgs=csv_values(query.get("org")), tags=csv_values(query.get("tags")),
                              order_by=parse_order_by(query.get("order_by")), listing=True)


# --- handlers -----------------------------------------------------------------------------------------

@cached
async def list_courses(request):
    """GET /blendxapi/discovery/courses/."""
    query = request.query_params
    page = pagination.blendx(query)
    fields = FIELD_SETS.get((query.get("fields") or "").strip().lower(), FIELD_SETS[DEFAULT_FIELD_SET])
    matches = query_courses(world_of(request), query)
    total = len(matches)
    courses = [shape_course(c, fields) for c in matches[page.window(total).slice]]
    return json_response(page.envelope(total, courses))


@cached
async def get_course(request):
    """GET /blendxapi/discovery/course/{openedx_course_id}/."""
    course = world_of(request).blendx_course(request.path_params["openedx_course_id"])
    if course is None:
        raise ApiError("not_found")
    return json_response(shape_detail(course))
