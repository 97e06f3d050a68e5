"""The edX Course Catalog handlers: `GET /catalog/v1/catalogs/`, `/catalogs/{id}/`, `/catalogs/{id}/courses/`.

Owns what course-discovery's `CatalogViewSet` does with a request (ground truth E1–E3, `specs/catalog.yaml`):
JSON-only content negotiation (any other `Accept` is a 406), the staff-only `username` filter, the catalog
lookup (`No Catalog matches the given query.`; a non-integer id never reaches a handler: the route's
integer converter makes it the router's `Not found.`), ProxiedPagination (page numbers when `page` is sent,
otherwise limit/offset, 20 by default), `courses_count` over every course matching the catalog query
while `/courses/` lists only the active ones with only their active runs, and the caller's affiliate
parameters on marketing URLs. Shaping lives in `catalog_shapes.py`.

Responses depend on the world, the URL, `Accept` and the caller (marketing URLs carry the caller's
username; `username` is staff-only), so `@cached` keys them on the caller too.
"""

from __future__ import annotations

from mockserver import pagination
from mockserver.apis.catalog_shapes import affiliate_query, shape_catalog, shape_course
from mockserver.cache import cached
from mockserver.errors import ApiError
from mockserver.render import JSON, json_response, negotiate
from mockserver.sessions import public_url
from mockserver.state import world_of

OFFERS = (JSON,)  # course-discovery renders these routes with DRF's JSONRenderer only
PAGE_SIZE = 20
CATALOG_NOT_FOUND = "No Catalog matches the given query."
USERNAME_NOT_STAFF = "Only staff users are permitted to filter by username. Remove the username parameter."
ANONYMOUS_USERNAME = "jwt-user"


def caller_of(request) -> tuple[str, bool]:
    """(username, is_staff) of the JWT the security middleware accepted for this request."""
    context = request.scope.get("extensions", {}).get("connexion_context", {})
    info = context.get("token_info") or {}
    claims = info.get("claims") or {}
    username = claims.get("preferred_username") or info.get("sub") or ANONYMOUS_USERNAME
    return str(username), bool(claims.get("administrator"))


def _catalog(world, request):
    catalog = world.catalog(int(request.path_params["id"]))
    if catalog is None:
        raise ApiError("not_found", CATALOG_NOT_FOUND)
    return catalog


def _visible_catalogs(world, request) -> list:
    username = request.query_params.get("username")
    catalogs = list(world.catalogs)
    if not username:
        return catalogs
    _, staff = caller_of(request)
    if not staff:
        raise ApiError("forbidden", USERNAME_NOT_STAFF)
    known = {viewer for catalog in catalogs for viewer in catalog.viewers}
    if username not in known:
        raise ApiError("not_found", f"No user with the username [{username}] exists.")
    return [c for c in catalogs if username in c.viewers]


@cached(vary=caller_of)
async def list_catalogs(request):
    """GET /catalog/v1/catalogs/."""
    negotiate(request.headers.get("accept"), OFFERS)
    world = world_of(request)
    catalogs = _visible_catalogs(world, request)
    window = pagination.proxied(public_url(request), request.query_params, len(catalogs), default_size=PAGE_SIZE)
    results = [shape_catalog(c, world.catalog_courses_count(c)) for c in catalogs[window.slice]]
    return json_response(pagination.drf_envelope(window, results))


@cached(vary=caller_of)
async def get_catalog(request):
    """GET /catalog/v1/catalogs/{id}/."""
    negotiate(request.headers.get("accept"), OFFERS)
    world = world_of(request)
    catalog = _catalog(world, request)
    return json_response(shape_catalog(catalog, world.catalog_courses_count(catalog)))


@cached(vary=caller_of)
async def list_catalog_courses(request):
    """GET /catalog/v1/catalogs/{id}/courses/."""
    negotiate(request.headers.get("accept"), OFFERS)
    world = world_of(request)
    catalog = _catalog(world, request)
    courses = world.catalog_active_courses(catalog)
    window = pagination.proxied(public_url(request), request.query_params, len(courses), default_size=PAGE_SIZE)
    affiliate = affiliate_query(caller_of(request)[0])
    results = []
    for course in courses[window.slice]:
        all_runs = list(world.course_runs(course.key))
        active = [run for run in all_runs if run.active]
        results.append(shape_course(course, active, all_runs, world, affiliate))
    return json_response(pagination.drf_envelope(window, results))
