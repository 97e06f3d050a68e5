"""A tiny, conforming stand-in for the three APIs, for testing the contract runner on its own.

It serves the fixture specs in `specs/` with a coherent little world (catalogs, enterprise content,
learner rows, BlendX courses, search documents), the real error families, DRF paging links, the
enterprise JSON/XML negotiation and the documented leniency. It is deliberately small: the runner's
tests need a target that conforms, and `drift.py` wraps it to make one that does not.
"""

from __future__ import annotations

import math
from pathlib import Path
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SPECS_DIR = Path(__file__).parent / "specs"
JWT = "fixture-jwt-0123456789"
ACTION_SECRET = "fixture-action-secret-0123"
CLIENT_ID = "fixture-client"
CLIENT_SECRET = "fixture-client-secret-4567"

CATALOGS = [
    {"id": i, "name": f"Catalog {i}", "query": "*:*" if i == 1 else f"org:Org{i}", "courses_count": 3,
     "viewers": ["username1"]}
    for i in range(1, 6)
]
COURSES = [
    {"key": f"Org{i}+C{i}", "title": f"Course {i}",
     "course_runs": [{"key": f"course-v1:Org{i}+C{i}+2025_T1", "course": f"Org{i}+C{i}", "title": f"Course {i}"}]}
    for i in range(3)
]
CATALOG_UUID = "0e871df0-6e43-4cfc-92cc-357ebf1fda75"
CUSTOMER_UUID = "58152f7f-6d0e-41cf-862d-0a27c6fad72c"
PROGRAM_UUID = "7b24a21c-98c8-47c0-b9c8-a54714d40d94"
ENTERPRISE_CATALOGS = [
    {"uuid": CATALOG_UUID, "title": "All Content", "enterprise_customer": CUSTOMER_UUID},
    {"uuid": "3f56a21c-76c8-47c0-add8-a99714d40d94", "title": "Sports", "enterprise_customer": CUSTOMER_UUID},
    {"uuid": "11111111-2222-4333-8444-555555555555", "title": "Other", "enterprise_customer": CUSTOMER_UUID},
]


def _enroll(key: str) -> str:
    return (f"https://courses.example.org/enterprise/{CUSTOMER_UUID}/course/{key}/enroll/"
            f"?catalog={CATALOG_UUID}&utm_medium=enterprise&utm_source=degreed-company")


CONTENT = [
    {"content_type": "course", "key": "edX+DemoX", "title": "Demo", "aggregation_key": "course:edX+DemoX",
     "enrollment_url": _enroll("edX+DemoX")},
    {"content_type": "courserun", "key": "course-v1:edX+DemoX+Demo_Course", "title": "Demo run",
     "aggregation_key": "courserun:edX+DemoX", "enrollment_url": _enroll("course-v1:edX+DemoX+Demo_Course")},
    {"content_type": "program", "uuid": PROGRAM_UUID, "title": "Demo program",
     "aggregation_key": f"program:{PROGRAM_UUID}", "enrollment_url": None},
]
ROWS = [
    {"enrollment_id": i, "course_key": "edX+DemoX", "courserun_key": "course-v1:edX+DemoX+Demo_Course",
     "enterprise_customer_uuid": CUSTOMER_UUID,
     "course_api_url": f"/enterprise/v1/enterprise-catalogs/{CUSTOMER_UUID}/courses/course-v1:edX+DemoX+Demo_Course"}
    for i in range(1, 6)
]
BLENDX = [
    {"id": f"00000000-0000-4000-8000-{i:012d}", "openedx_course_id": f"course-v1:Org{i}+C{i}+2025_T1",
     "display_name": f"Blend course {i}", "display_image": f"https://lms.example.org/c{i}.jpg",
     "short_description": "Short.", "price": 10 * i, "currency": "usd", "start": "2025-02-01T00:00:00Z",
     "end": None, "org": f"Org{i}", "org_logo_url": None, "org_favicon_url": None, "course_mode": "audit",
     "tags": ["health"], "is_invite_only": False, "is_published": True, "avg_rating": 4.5}
    for i in range(10)
]
BLENDX_FULL = {"overview": "<p>Overview</p>", "effort": "02:00", "enrollment_start": None, "enrollment_end": None,
               "certificate_available_date": None, "has_any_active_web_certificate": False,
               "link_to_course": "https://lms.example.org/courses/x/about", "language": "en", "self_paced": True,
               "number": "C0", "course_video_url": None, "available_course_modes": []}
SEARCH = [{"_index": "courseware_content", "_type": "_doc", "_id": c["openedx_course_id"],
           "data": {"id": c["openedx_course_id"]}, "score": 1.0} for c in BLENDX]


def _int(value: str | None, default: int) -> int | None:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        return None


def _edx_auth(request: Request) -> Response | None:
    header = request.headers.get("authorization")
    if header is None:
        return JSONResponse({"message": "Missing required request headers: [Authorization]"}, 400)
    if header != f"JWT {JWT}":
        return JSONResponse({"detail": "Error decoding token."}, 401, headers={"WWW-Authenticate": 'JWT realm="api"'})
    return None


def _blendx_auth(request: Request) -> Response | None:
    if request.headers.get("actionsecret") != ACTION_SECRET:
        return JSONResponse({"message": "Unauthorized", "status": "failed"}, 401)
    return None


def _not_found(detail: str = "Not found.") -> Response:
    return JSONResponse({"detail": detail}, 404)


def _limit_offset(request: Request, items: list, default: int = 2) -> Response:
    limit = _int(request.query_params.get("limit"), default)
    limit = default if limit is None or limit <= 0 else limit
    offset = _int(request.query_params.get("offset"), 0)
    offset = 0 if offset is None or offset < 0 else offset
    url = request.url
    nxt = str(url.include_query_params(limit=limit, offset=offset + limit)) if offset + limit < len(items) else None
    if offset <= 0:
        prev = None
    elif offset - limit <= 0:
        prev = str(url.include_query_params(limit=limit).remove_query_params("offset"))
    else:
        prev = str(url.include_query_params(limit=limit, offset=offset - limit))
    return JSONResponse({"count": len(items), "next": nxt, "previous": prev, "results": items[offset:offset + limit]})


def _page_number(request: Request, items: list, default: int = 2, maximum: int = 100) -> dict | Response:
    size = _int(request.query_params.get("page_size"), default)
    size = default if size is None or size <= 0 else min(size, maximum)
    pages = max(1, math.ceil(len(items) / size))
    page = _int(request.query_params.get("page"), 1)
    if page is None or page < 1 or page > pages:
        return _not_found("Invalid page.")
    url = request.url
    nxt = str(url.include_query_params(page=page + 1)) if page < pages else None
    if page == 1:
        prev = None
    elif page == 2:
        prev = str(url.remove_query_params("page"))
    else:
        prev = str(url.include_query_params(page=page - 1))
    return {"count": len(items), "next": nxt, "previous": prev, "results": items[(page - 1) * size:page * size]}


def _xml(node, name: str = "root") -> str:
    if isinstance(node, dict):
        inner = "".join(_xml(v, k) for k, v in node.items())
    elif isinstance(node, list):
        inner = "".join(_xml(v, "list-item") for v in node)
    else:
        inner = "" if node is None else escape(str(node))
    return f"<{name}>{inner}</{name}>"


def _negotiate(request: Request, body: dict) -> Response:
    if "application/xml" in request.headers.get("accept", ""):
        document = '<?xml version="1.0" encoding="utf-8"?>\n' + _xml(body)
        return Response(document, media_type="application/xml; charset=utf-8")
    return JSONResponse(body)


async def list_catalogs(request: Request) -> Response:
    return _edx_auth(request) or _limit_offset(request, CATALOGS)


async def get_catalog(request: Request) -> Response:
    if denied := _edx_auth(request):
        return denied
    found = [c for c in CATALOGS if str(c["id"]) == request.path_params["id"]]
    return JSONResponse(found[0]) if found else _not_found("No Catalog matches the given query.")


async def list_catalog_courses(request: Request) -> Response:
    if denied := _edx_auth(request):
        return denied
    if not any(str(c["id"]) == request.path_params["id"] for c in CATALOGS):
        return _not_found("No Catalog matches the given query.")
    return _limit_offset(request, COURSES)


async def list_enterprise_catalogs(request: Request) -> Response:
    if denied := _edx_auth(request):
        return denied
    page = _page_number(request, ENTERPRISE_CATALOGS)
    return page if isinstance(page, Response) else _negotiate(request, page)


async def get_enterprise_catalog(request: Request) -> Response:
    if denied := _edx_auth(request):
        return denied
    if request.path_params["catalog_id"] != CATALOG_UUID:
        return _not_found("No EnterpriseCatalog matches the given query.")
    page = _page_number(request, CONTENT)
    return page if isinstance(page, Response) else _negotiate(request, page)


def _content_detail(request: Request, field: str, value: str) -> Response:
    if denied := _edx_auth(request):
        return denied
    if request.path_params["catalog_id"] != CATALOG_UUID:
        return JSONResponse({"detail": "You do not have permission to perform this action."}, 403)
    found = [c for c in CONTENT if c.get(field) == value]
    return JSONResponse(found[0]) if found else _not_found()


async def get_catalog_course(request: Request) -> Response:
    return _content_detail(request, "key", request.path_params["course_key"])


async def get_catalog_course_run(request: Request) -> Response:
    return _content_detail(request, "key", request.path_params["course_run_id"])


async def get_catalog_program(request: Request) -> Response:
    return _content_detail(request, "uuid", request.path_params["program_uuid"])


async def learner_summary(request: Request) -> Response:
    if denied := _edx_auth(request):
        return denied
    if request.path_params["enterprise_uuid"] != CUSTOMER_UUID:
        return JSONResponse({"detail": "You do not have permission to perform this action."}, 403)
    page = _page_number(request, ROWS, maximum=1000)
    return page if isinstance(page, Response) else JSONResponse(page)


async def blendx_courses(request: Request) -> Response:
    if denied := _blendx_auth(request):
        return denied
    limit = _int(request.query_params.get("limit"), 8)
    limit = 8 if limit is None else min(max(limit, 1), 100)
    page = _int(request.query_params.get("page"), 1)
    page = 1 if page is None or page < 1 else page
    offset = (page - 1) * limit
    courses = BLENDX[offset:offset + limit]
    if request.query_params.get("fields") == "full":
        courses = [{**c, **BLENDX_FULL, "number": c["openedx_course_id"].split("+")[1]} for c in courses]
    return JSONResponse({"courses": courses, "total_count": len(BLENDX), "has_more": offset + len(courses) < len(BLENDX),
                         "limit": limit, "page": page, "offset": offset})


async def blendx_course(request: Request) -> Response:
    if denied := _blendx_auth(request):
        return denied
    found = [c for c in BLENDX if c["openedx_course_id"] == request.path_params["openedx_course_id"]]
    if not found:
        return JSONResponse({"message": "Course not found", "status": "failed"}, 404)
    return JSONResponse({**found[0], **BLENDX_FULL, "organisation": "Org", "reviews": []})


async def course_discovery(request: Request) -> Response:
    if request.method != "POST":
        return Response(b"", 405, headers={"Allow": "POST"})
    form = await request.form()
    size, index = 20, 0
    if "page_size" in form:
        try:
            size = int(form["page_size"])
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 500)
        if not 0 < size <= 100:
            return JSONResponse({"error": f"Invalid page size of {size}"}, 500)
        index = _int(form.get("page_index"), 0) or 0
    results = SEARCH[index * size:(index + 1) * size]
    return JSONResponse({"took": 3, "total": len(SEARCH), "max_score": 1.0 if results else None,
                         "results": results, "aggs": {}})


async def access_token(request: Request) -> Response:
    form = await request.form()
    if form.get("grant_type") != "client_credentials" or form.get("client_id") != CLIENT_ID:
        return JSONResponse({"error": "invalid_client"}, 401)
    if form.get("client_secret") != CLIENT_SECRET:
        return JSONResponse({"error": "invalid_client", "error_description": "bad secret"}, 401)
    return JSONResponse({"access_token": JWT, "token_type": "JWT", "expires_in": 3600, "scope": "read"})


def create_app() -> Starlette:
    """The conforming fixture target."""
    return Starlette(routes=[
        Route("/catalog/v1/catalogs/", list_catalogs),
        Route("/catalog/v1/catalogs/{id}/", get_catalog),
        Route("/catalog/v1/catalogs/{id}/courses/", list_catalog_courses),
        Route("/enterprise/v1/enterprise-catalogs", list_enterprise_catalogs),
        Route("/enterprise/v2/enterprise-catalogs/{catalog_id}", get_enterprise_catalog),
        Route("/enterprise/v2/enterprise-catalogs/{catalog_id}/courses/{course_key}", get_catalog_course),
        Route("/enterprise/v2/enterprise-catalogs/{catalog_id}/course-runs/{course_run_id}", get_catalog_course_run),
        Route("/enterprise/v2/enterprise-catalogs/{catalog_id}/programs/{program_uuid}", get_catalog_program),
        Route("/enterprise/v3/enterprise-customer/{enterprise_uuid}/learner-summary", learner_summary),
        Route("/blendxapi/discovery/courses/", blendx_courses),
        Route("/blendxapi/discovery/course/{openedx_course_id}/", blendx_course),
        Route("/search/course_discovery/", course_discovery, methods=["GET", "POST", "PUT", "DELETE"]),
        Route("/oauth2/v1/access_token", access_token, methods=["POST"]),
    ])
