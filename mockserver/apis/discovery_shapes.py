"""course-discovery's serializers: how a discovery object looks wherever an API hands one out.

Owns the HEAD serializer shapes (ground truth E3, E6–E8) that both the edX Course Catalog API
(`catalog_shapes`: the catalog's `/courses/`) and the Enterprise detail routes (`enterprise_shapes`: the LMS
relays discovery's course and course-run objects) return: `CourseSerializer`, `CourseRunSerializer` and the
nested `SeatSerializer`, `CourseEntitlementSerializer`, `OrganizationSerializer`, `MinimalPersonSerializer`,
`SubjectSerializer`, `ImageField` and `VideoSerializer`, plus DRF's date-time rendering. Field names and order
as the real serializers; values as DRF renders them: date-times `2019-02-20T15:00:00Z` with microseconds only
when non-zero, decimals as 2-dp strings, `None` where the serializer emits null.

The one caller-dependent value is the marketing URL (course-discovery appends the caller's affiliate
parameters; edx-enterprise rewrites them to its own), so each API passes its rewrite in as `marketing_url`,
a function of the bare URL; every other value is a pure function of the world. What an API adds on top
(catalog affiliate parameters, enterprise `enrollment_url` and `programs`) stays in that API's module.
"""

from __future__ import annotations

import uuid as uuid_mod
from collections.abc import Callable
from datetime import datetime, timezone

from mockserver.world import entities as e

MarketingUrl = Callable[[str | None], str | None]

# StdImageField variations of `Person.profile_image` (course-discovery `Person` model).
PROFILE_IMAGE_VARIANTS = (("medium", 110, 110),)
PRODUCT_SOURCE = "edx"
_UUID_NAMESPACE = uuid_mod.UUID("6f1c2a9e-4b7d-4c3e-9a51-0d2b8e7f6a10")
_NETWORKS = (("facebook", "Facebook"), ("twitter", "Twitter"), ("blog", "Blog"))


def drf_datetime(value: datetime | None) -> str | None:
    """DRF `DateTimeField`: ISO 8601 in UTC with `Z`, microseconds only when non-zero."""
    if value is None:
        return None
    text = value.astimezone(timezone.utc).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def stable_uuid(*parts: str) -> str:
    """A uuid fixed by its name (for reference rows the world does not model, e.g. course types)."""
    return str(uuid_mod.uuid5(_UUID_NAMESPACE, ":".join(parts)))


def run_type(run: e.CourseRun) -> str:
    """`run_type`: the uuid of the run's `CourseRunType` (a `SlugRelatedField(slug_field='uuid')`)."""
    return stable_uuid("course-run-type", run.type or "audit")


def shape_image(image: e.Image | None) -> dict | None:
    """`ImageField`: `{src, description, height, width}` or null."""
    if image is None:
        return None
    return {"src": image.src, "description": image.description, "height": image.height, "width": image.width}


def shape_original_image(image: e.Image | None) -> dict | None:
    """`CourseSerializer.original_image`: `ImageField` over `Course.original_image_url`, the uploaded file
    itself where `image` is its `small` variation (`….small.jpg`)."""
    if image is None:
        return None
    return shape_image(e.Image(src=image.src.replace(".small.", ".", 1)))


def shape_video(video: e.Video | None) -> dict | None:
    if video is None:
        return None
    return {"src": video.src, "description": video.description, "image": shape_image(video.image)}


def shape_seat(seat: e.Seat) -> dict:
    """`SeatSerializer`: `price` stays the 2-dp decimal string."""
    return {"type": seat.type, "price": seat.price, "currency": seat.currency,
            "upgrade_deadline": drf_datetime(seat.upgrade_deadline), "upgrade_deadline_override": None,
            "credit_provider": seat.credit_provider, "credit_hours": seat.credit_hours, "sku": seat.sku,
            "bulk_sku": seat.bulk_sku}


def shape_entitlement(entitlement: e.Entitlement) -> dict:
    # `expires` is a deprecated SerializerMethodField that always answers None.
    return {"mode": entitlement.mode, "price": entitlement.price, "currency": entitlement.currency,
            "sku": entitlement.sku, "expires": None}


def shape_organization(org: e.Organization) -> dict:
    """`OrganizationSerializer` (owners, sponsors, program authoring organizations)."""
    return {
        "uuid": org.uuid, "key": org.key, "name": org.name,
        "auto_generate_course_run_keys": org.auto_generate_course_run_keys,
        "certificate_logo_image_url": org.certificate_logo_image_url, "logo_image_url": org.logo_image_url,
        "organization_hex_color": org.organization_hex_color, "data_modified_timestamp": None,
        "description": org.description, "description_es": org.description_es, "homepage_url": org.homepage_url,
        "tags": list(org.tags), "marketing_url": org.marketing_url, "slug": org.slug,
        "banner_image_url": org.banner_image_url,
        # True, as on every course and run the world serves: a course is in subscriptions through its owners.
        "enterprise_subscription_inclusion": True,
    }


def shape_subject(subject: e.Subject) -> dict:
    return {"name": subject.name, "subtitle": subject.subtitle, "description": subject.description,
            "banner_image_url": subject.banner_image_url, "card_image_url": subject.card_image_url,
            "slug": subject.slug, "uuid": subject.uuid}


def _person_ids(person: e.Person) -> int:
    # Row ids of the person's related rows, stable per person.
    return int(person.uuid.replace("-", "")[:6], 16)


def shape_person(person: e.Person) -> dict:
    """`MinimalPersonSerializer` (run `staff`, program `staff`)."""
    base = _person_ids(person)
    urls = {name: getattr(person.urls, name) for name, _ in _NETWORKS}
    detailed = [{"id": base + n, "type": name, "title": "", "display_title": title, "url": urls[name]}
                for n, (name, title) in enumerate(_NETWORKS) if urls[name]]
    profile = {name: {"height": h, "url": person.profile_image_url, "width": w}
               for name, h, w in PROFILE_IMAGE_VARIANTS} if person.profile_image_url else {}
    return {
        "uuid": person.uuid, "salutation": person.salutation, "given_name": person.given_name,
        "family_name": person.family_name, "bio": person.bio, "slug": person.slug,
        "position": {"title": person.position.title, "organization_name": person.position.organization_name,
                     "organization_id": None, "organization_override": None,
                     "organization_marketing_url": None, "organization_uuid": None,
                     "organization_logo_image_url": None},
        "areas_of_expertise": [{"id": base + n, "value": value}
                               for n, value in enumerate(person.areas_of_expertise)],
        "profile_image": profile, "works": [], "urls": urls, "urls_detailed": detailed, "email": None,
        "profile_image_url": person.profile_image_url, "major_works": person.major_works,
        "published": person.published,
    }


def estimated_hours(run: e.CourseRun) -> float | int:
    """course-discovery `get_course_run_estimated_hours`: mean weekly effort × weeks (a float), 0 when unknown."""
    effort = (run.min_effort or 0) + (run.max_effort or 0)
    weeks = run.weeks_to_complete or 0
    return (effort / 2) * weeks if effort and weeks else 0


def present(items) -> list:
    """The items a world lookup found (lookups answer None for a key the world does not hold)."""
    return [item for item in items if item is not None]


def shape_course_run(run: e.CourseRun, world, marketing_url: MarketingUrl) -> dict:
    """`CourseRunSerializer` (HEAD field order)."""
    language = world.language(run.content_language) if run.content_language else None
    transcripts = [world.language(code) for code in run.transcript_languages]
    return {
        "key": run.key, "uuid": run.uuid, "title": run.title, "external_key": None, "fixed_price_usd": None,
        "image": shape_image(run.image), "short_description": run.short_description,
        "marketing_url": marketing_url(run.marketing_url),
        "seats": [shape_seat(s) for s in run.seats],
        "start": drf_datetime(run.start), "end": drf_datetime(run.end),
        "go_live_date": drf_datetime(run.go_live_date),
        "enrollment_start": drf_datetime(run.enrollment_start), "enrollment_end": drf_datetime(run.enrollment_end),
        "weeks_to_complete": run.weeks_to_complete, "pacing_type": run.pacing_type, "type": run.type,
        "restriction_type": None, "run_type": run_type(run),
        "status": run.status, "is_enrollable": run.is_enrollable, "is_marketable": run.is_marketable,
        "is_marketable_external": run.is_marketable, "availability": run.availability, "variant_id": None,
        "course": run.course, "course_uuid": run.course_uuid, "full_description": run.full_description,
        "announcement": drf_datetime(run.announcement), "video": shape_video(run.video),
        "content_language": run.content_language, "license": "", "outcome": run.outcome,
        "transcript_languages": list(run.transcript_languages),
        "instructors": [],  # deprecated: always [] (people are in `staff`)
        "staff": [shape_person(p) for p in present(world.person(uuid) for uuid in run.staff)],
        "min_effort": run.min_effort, "max_effort": run.max_effort, "modified": drf_datetime(run.modified),
        "level_type": run.level_type, "mobile_available": run.mobile_available, "hidden": run.hidden,
        "reporting_type": run.reporting_type, "eligible_for_financial_aid": run.eligible_for_financial_aid,
        "first_enrollable_paid_seat_price": run.first_enrollable_paid_seat_price,
        "has_ofac_restrictions": False, "ofac_comment": "",
        "enrollment_count": run.enrollment_count, "recent_enrollment_count": run.recent_enrollment_count,
        "expected_program_type": None, "expected_program_name": "", "estimated_hours": estimated_hours(run),
        "content_language_search_facet_name": language.name if language else None,
        "enterprise_subscription_inclusion": True,
        "transcript_languages_search_facet_names": [lang.name for lang in transcripts if lang],
        "ai_languages": None,
    }


def course_run_statuses(runs: list[e.CourseRun], clock: datetime) -> list[str]:
    """`Course.course_run_statuses`: the visible runs' statuses, `archived` for ended published runs, sorted."""
    statuses = set()
    for run in runs:
        if run.hidden:
            continue
        ended = run.end is not None and run.end < clock
        statuses.add("archived" if run.status == "published" and ended else run.status)
    return sorted(statuses)


def shape_course(course: e.Course, runs: list[e.CourseRun], all_runs: list[e.CourseRun], world,
                 marketing_url: MarketingUrl) -> dict:
    """`CourseSerializer` (HEAD field order).

    `runs` are the runs to list (in order), `all_runs` every run of the course (for
    `canonical_course_run_key` and `course_run_statuses`).
    """
    canonical = all_runs[-1].key if all_runs else None
    orgs = lambda keys: [shape_organization(o) for o in present(map(world.organization, keys))]  # noqa: E731
    return {
        "key": course.key, "uuid": course.uuid, "title": course.title,
        "course_runs": [shape_course_run(run, world, marketing_url) for run in runs],
        "entitlements": [shape_entitlement(x) for x in course.entitlements],
        "owners": orgs(course.owners),
        "image": shape_image(course.image), "short_description": course.short_description,
        "type": stable_uuid("course-type", course.course_type), "url_slug": course.url_slug,
        "course_type": course.course_type, "full_description": course.full_description,
        "level_type": course.level_type,
        "subjects": [shape_subject(s) for s in present(map(world.subject, course.subjects))],
        "prerequisites": [{"name": name} for name in course.prerequisites],
        "prerequisites_raw": course.prerequisites_raw,
        "expected_learning_items": list(course.expected_learning_items),
        "video": shape_video(course.video),
        "sponsors": orgs(course.sponsors),
        "modified": drf_datetime(course.modified),
        "marketing_url": marketing_url(course.marketing_url),
        "syllabus_raw": course.syllabus_raw, "outcome": course.outcome,
        "original_image": shape_original_image(course.image),
        "card_image_url": course.card_image_url, "canonical_course_run_key": canonical,
        "extra_description": None, "additional_information": None, "additional_metadata": None, "faq": None,
        "learner_testimonials": None, "enrollment_count": course.enrollment_count,
        "recent_enrollment_count": course.recent_enrollment_count, "topics": [], "key_for_reruns": "",
        "url_slug_history": [course.url_slug] if course.url_slug else [], "url_redirects": [],
        "course_run_statuses": course_run_statuses(all_runs, world.clock), "editors": [], "collaborators": [],
        "skill_names": [], "skills": [], "organization_short_code_override": "",
        "organization_logo_override_url": None, "enterprise_subscription_inclusion": True,
        "geolocation": None, "location_restriction": None, "in_year_value": None,
        "product_source": PRODUCT_SOURCE, "data_modified_timestamp": drf_datetime(course.modified),
        "excluded_from_search": False, "excluded_from_seo": False, "watchers": [],
    }
