"""Shaping of discovery entities into the edX Course Catalog API's bodies.

Owns what the catalog routes add to course-discovery's serializers (`discovery_shapes.py`; ground truth
E1–E3, `specs/catalog.yaml`): `CatalogSerializer`, and `CatalogCourseSerializer` → `CourseSerializer` with the
caller's affiliate parameters (`utm_source`/`utm_medium`, `get_marketing_url_for_user`) on every marketing
URL. The affiliate parameters come in as a ready query string, so every other value is a pure function of
the world.
"""

from __future__ import annotations

from urllib.parse import urlencode

from mockserver.apis import discovery_shapes as discovery
from mockserver.world import entities as e
from mockserver.world.pools import slugify

# `User.referral_tracking_id` defaults to this in course-discovery (recorded: utm_medium=affiliate_partner).
DEFAULT_REFERRAL_TRACKING_ID = "affiliate_partner"


def affiliate_query(username: str, referral_tracking_id: str = DEFAULT_REFERRAL_TRACKING_ID) -> str:
    """`get_marketing_url_for_user`'s parameters for a caller: `utm_source=<slug>&utm_medium=<tracking id>`."""
    return urlencode({"utm_source": slugify(username), "utm_medium": referral_tracking_id})


def with_affiliate(url: str | None, affiliate: str) -> str | None:
    return f"{url}?{affiliate}" if url else None


def shape_catalog(catalog: e.Catalog, courses_count: int) -> dict:
    """`CatalogSerializer`."""
    return {"id": catalog.id, "name": catalog.name, "query": catalog.query, "courses_count": courses_count,
            "viewers": list(catalog.viewers)}


def shape_course(course: e.Course, runs: list[e.CourseRun], all_runs: list[e.CourseRun], world,
                 affiliate: str) -> dict:
    """`CatalogCourseSerializer` → `CourseSerializer`, marketing URLs with the caller's `affiliate` query.

    `runs` are the runs to list (the catalog's active ones, in order), `all_runs` every run of the course.
    """
    return discovery.shape_course(course, runs, all_runs, world, lambda url: with_affiliate(url, affiliate))
