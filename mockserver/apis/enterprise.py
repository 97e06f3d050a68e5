"""Operation handlers of the edX Enterprise API (`specs/enterprise.yaml`, ground truth E4–E9).

Each handler is parse → query the world → shape (`enterprise_shapes.py`) → paginate → render. What the
handlers share is data, stated once below: the media types every route offers (JSON first, as the real
services; XML first when the snapshot's `enterprise_format` is `xml`, the document's claim), and the page
sizes of each route (edx-drf-extensions `DefaultPagination`: 10 per page, at most 100, 1000 on
learner-summary; the catalog content route also takes the document's `limit` as an alias of `page_size`).

A catalog's active items, which keys a catalog contains and a customer's enrollment order are the world's own
queries (`World.enterprise_catalog_items`, `enterprise_catalog_contains`, `enrollments`); whole responses are
cached per snapshot by `@cached`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mockserver.apis import enterprise_shapes as shapes
from mockserver.cache import cached
from mockserver.errors import ApiError
from mockserver.pagination import drf_envelope, page_number
from mockserver.render import JSON, XML, negotiate, render
from mockserver.sessions import public_url
from mockserver.state import snapshot_of, world_of
from mockserver.world import Course, CourseRun, Program

# Media types in server preference order, per `enterprise_format` setting.
OFFERS = {"json": (JSON, XML), "xml": (XML, JSON)}


@dataclass(frozen=True)
class Paging:
    """The page-size rules of one route."""

    default_size: int = 10
    max_size: int = 100
    size_aliases: tuple[str, ...] = ()


CATALOG_LIST_PAGING = Paging()
CATALOG_CONTENT_PAGING = Paging(size_aliases=("limit",))
LEARNER_SUMMARY_PAGING = Paging(max_size=1000)

# The LMS URL patterns (edx-enterprise `COURSE_KEY_URL_PATTERN`, `COURSE_ID_PATTERN`) as they apply to one
# public path segment: anything else does not match the upstream route and is a 404.
COURSE_KEY_PATTERN = re.compile(r"^[^/+]+\+[^/+]+$")
COURSE_RUN_PATTERN = re.compile(r"^[^/+]+\+[^/+]+\+[^/?]+$")

CATALOG_NOT_FOUND = "No EnterpriseCatalog matches the given query."


# ---------------------------------------------------------------------------------------------- helpers

def media_type(request) -> str:
    """DRF content negotiation over JSON and XML (406 when neither satisfies `Accept`)."""
    return negotiate(request.headers.get("accept"), OFFERS[snapshot_of(request).enterprise_format])


def paginate(request, count: int, paging: Paging):
    return page_number(public_url(request), request.query_params, count, default_size=paging.default_size,
                       max_size=paging.max_size, size_aliases=paging.size_aliases)


def catalog_context(world, catalog) -> shapes.CatalogContext:
    customer = world.enterprise_customer(catalog.enterprise_customer)
    return shapes.CatalogContext(catalog.uuid, catalog.enterprise_customer, customer.slug if customer else "")


def _catalog_content(request, param: str, pattern: re.Pattern | None, lookup):
    """(world, catalog context, record) of a course/run/program detail route.

    An unknown catalog leaves edx-rbac no customer to check the caller's role against, so the answer is 403,
    not 404; a key the LMS URL pattern does not match, or that the catalog does not contain, is a 404."""
    world = world_of(request)
    catalog = world.enterprise_catalog(request.path_params["catalog_id"])
    if catalog is None:
        raise ApiError("forbidden")
    key = request.path_params[param]
    matches = pattern is None or pattern.match(key)
    record = lookup(world, key) if matches and world.enterprise_catalog_contains(catalog, key) else None
    if record is None:
        raise ApiError("not_found")
    return world, catalog_context(world, catalog), record


# The shape of each kind of catalog item, by the entity's class.
SHAPE_ITEM = {
    Course: shapes.shape_course_item,
    CourseRun: shapes.shape_course_run_item,
    Program: shapes.shape_program_item,
}


# ---------------------------------------------------------------------------------------------- handlers

@cached
async def list_enterprise_catalogs(request):
    """GET /enterprise/v1/enterprise-catalogs."""
    media = media_type(request)
    catalogs = tuple(world_of(request).enterprise_catalogs)
    window = paginate(request, len(catalogs), CATALOG_LIST_PAGING)
    results = [shapes.shape_enterprise_catalog(c) for c in catalogs[window.slice]]
    return render(drf_envelope(window, results), media)


@cached
async def get_enterprise_catalog(request):
    """GET /enterprise/v2/enterprise-catalogs/{catalog_id}: a page of the catalog's active content."""
    media = media_type(request)
    world = world_of(request)
    catalog = world.enterprise_catalog(request.path_params["catalog_id"])
    if catalog is None:
        raise ApiError("not_found", CATALOG_NOT_FOUND)
    items = world.enterprise_catalog_items(catalog)
    window = paginate(request, len(items), CATALOG_CONTENT_PAGING)
    ctx = catalog_context(world, catalog)
    results = [SHAPE_ITEM[type(entity)](world, entity, ctx) for entity in items[window.slice]]
    return render(drf_envelope(window, results), media)


@cached
async def get_catalog_course(request):
    """GET …/enterprise-catalogs/{catalog_id}/courses/{course_key}."""
    media = media_type(request)
    world, ctx, course = _catalog_content(request, "course_key", COURSE_KEY_PATTERN, lambda w, k: w.course(k))
    return render(shapes.shape_course_detail(world, course, ctx), media)


@cached
async def get_catalog_course_run(request):
    """GET …/enterprise-catalogs/{catalog_id}/course-runs/{course_run_id}."""
    media = media_type(request)
    world, ctx, run = _catalog_content(request, "course_run_id", COURSE_RUN_PATTERN, lambda w, k: w.run(k))
    return render(shapes.shape_course_run_detail(world, run, ctx), media)


@cached
async def get_catalog_program(request):
    """GET …/enterprise-catalogs/{catalog_id}/programs/{program_uuid}."""
    media = media_type(request)
    world, ctx, program = _catalog_content(request, "program_uuid", None, lambda w, k: w.program(k))
    return render(shapes.shape_program_detail(world, program, ctx), media)


@cached
async def get_learner_summary(request):
    """GET /enterprise/v3/enterprise-customer/{enterprise_uuid}/learner-summary."""
    media = media_type(request)
    world = world_of(request)
    customer = world.enterprise_customer(request.path_params["enterprise_uuid"])
    if customer is None:
        # edx-rbac: no role for an enterprise the caller does not belong to (nor for a malformed id).
        raise ApiError("forbidden")
    rows = world.enrollments(customer.uuid)  # already by -last_activity_date, no activity last
    window = paginate(request, len(rows), LEARNER_SUMMARY_PAGING)
    return render(drf_envelope(window, [shapes.shape_enrollment(r) for r in rows[window.slice]]), media)
