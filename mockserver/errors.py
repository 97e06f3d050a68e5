"""Error bodies as data, one family per API, and the one handler that renders every error.

Handlers and auth policies raise `ApiError` with a *kind* (`not_found`, `unauthorized`, ...) and an optional
message; which body shape, status and headers that becomes is decided here from the request path, so a
difference between the APIs is a row in `POLICIES`, never a branch in a handler.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import orjson
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionResponse
from starlette.exceptions import HTTPException

logger = logging.getLogger(__name__)

# Django's page for a 400 when no 400.html template exists (django/views/defaults.py ERROR_PAGE_TEMPLATE).
DJANGO_ERROR_PAGE = """
<!doctype html>
<html lang="en">
<head>
  <title>%(title)s</title>
</head>
<body>
  <h1>%(title)s</h1><p>%(details)s</p>
</body>
</html>
"""

# Body shapes: a family turns a message into the body its servers send (bytes: sent as they are).
FAMILIES = {
    "gateway": lambda message: {"message": message},  # the api.edx.org API Gateway
    "drf": lambda message: {"detail": message},  # Django REST framework services behind it
    "blendx": lambda message: {"message": message, "status": "failed"},  # the BlendX document
    "search": lambda message: {"error": message},  # edx-search
    "oauth": lambda message: {"error": message},  # django-oauth-toolkit / RFC 6749
    "django_page": lambda message: (DJANGO_ERROR_PAGE % {"title": message, "details": ""}).encode(),
}


@dataclass(frozen=True)
class Template:
    """How one kind of error looks on one API: status, body family, default message, headers."""

    status: int
    family: str
    message: str
    headers: tuple[tuple[str, str], ...] = ()
    empty_body: bool = False
    content_type: str = "application/json"


_DRF_401 = (("WWW-Authenticate", 'JWT realm="api"'),)
# What Django itself answers for a body it will not read (ground-truth §1.6): the view never runs.
_DJANGO_400 = Template(400, "django_page", "Bad Request (400)", content_type="text/html; charset=utf-8")

_EDX = {
    "missing_credentials": Template(400, "gateway", "Missing required request headers: [Authorization]"),
    "unauthorized": Template(401, "drf", "Authentication credentials were not provided.", _DRF_401),
    "forbidden": Template(403, "drf", "You do not have permission to perform this action."),
    "not_found": Template(404, "drf", "Not found."),
    "method_not_allowed": Template(405, "gateway", "Method Not Allowed"),
    "not_acceptable": Template(406, "drf", "Could not satisfy the request Accept header."),
    "throttled": Template(429, "drf", "Request was throttled. Expected available in 60 seconds.", (("Retry-After", "60"),)),
    "server_error": Template(500, "gateway", "Internal server error"),
    "unavailable": Template(503, "gateway", "Service Unavailable"),
}

_BLENDX = {
    "missing_credentials": Template(401, "blendx", "Unauthorized"),
    "unauthorized": Template(401, "blendx", "Unauthorized"),
    "forbidden": Template(403, "blendx", "Forbidden"),
    "not_found": Template(404, "blendx", "Not found"),
    "method_not_allowed": Template(405, "blendx", "Method not allowed"),
    "not_acceptable": Template(406, "blendx", "Not acceptable"),
    "throttled": Template(429, "blendx", "Too many requests", (("Retry-After", "60"),)),
    "server_error": Template(500, "blendx", "Error fetching courses"),
    "unavailable": Template(503, "blendx", "Service unavailable"),
}

# The detail route words its 404 and 500 differently from the list route.
_BLENDX_DETAIL = {**_BLENDX,
                  "not_found": Template(404, "blendx", "Course not found"),
                  "server_error": Template(500, "blendx", "Error fetching course details")}

_SEARCH = {
    "django_bad_request": _DJANGO_400,
    # edx-search has no authentication of its own; a 401 in front of it still speaks its family.
    "unauthorized": Template(401, "search", "Authentication credentials were not provided."),
    # The LMS's 403 in front of the view is Django's CSRF failure page (blendx.yaml SearchCsrfForbidden).
    "forbidden": Template(403, "django_page", "Forbidden (403)", content_type="text/html; charset=utf-8"),
    # Django's require_POST answers 405 with an empty HTML response and an Allow header.
    "method_not_allowed": Template(405, "search", "", (("Allow", "POST"),), empty_body=True,
                                   content_type="text/html; charset=utf-8"),
    "not_found": Template(404, "search", "Not found"),
    "server_error": Template(500, "search", "Nothing to search"),
    "throttled": Template(429, "search", "Too many requests", (("Retry-After", "60"),)),
    "unavailable": Template(503, "search", "Service unavailable"),
}

_OAUTH = {
    "django_bad_request": _DJANGO_400,
    "missing_credentials": Template(400, "gateway", "Missing required request parameters: [grant_type, client_id]"),
    "bad_request": Template(400, "oauth", "invalid_request"),
    "unauthorized": Template(401, "oauth", "invalid_client"),
    "forbidden": Template(403, "gateway", "Forbidden"),
    "not_found": Template(404, "gateway", "Not Found"),
    "method_not_allowed": Template(405, "gateway", "Method Not Allowed"),
    "server_error": Template(500, "gateway", "Internal server error"),
    "throttled": Template(429, "gateway", "Too Many Requests", (("Retry-After", "60"),)),
    "unavailable": Template(503, "gateway", "Service Unavailable"),
}

# The LMS's own token path has no gateway in front: Django's require_POST answers other methods.
_OAUTH_LMS = {**_OAUTH,
              "method_not_allowed": Template(405, "oauth", "", (("Allow", "POST, OPTIONS"),), empty_body=True,
                                             content_type="text/html; charset=utf-8")}

_FALLBACK = {
    # Before routing, so no API's own: the answer of the proxy or server that would refuse it.
    "header_too_large": Template(431, "drf", "Request Header Fields Too Large"),
    "not_found": Template(404, "drf", "Not found."),
    "method_not_allowed": Template(405, "drf", "Method not allowed."),
    "server_error": Template(500, "drf", "A server error occurred."),
}


@dataclass(frozen=True)
class Policy:
    """The error policy of the routes under one path prefix."""

    prefix: str
    api: str
    templates: dict = field(default_factory=dict)


# Longest prefix first: the first match wins.
POLICIES: tuple[Policy, ...] = (
    Policy("/catalog/", "catalog", _EDX),
    Policy("/enterprise/", "enterprise", _EDX),
    Policy("/blendxapi/discovery/course/", "blendx", _BLENDX_DETAIL),
    Policy("/blendxapi/", "blendx", _BLENDX),
    Policy("/search/", "search", _SEARCH),
    Policy("/oauth2/access_token", "oauth", _OAUTH_LMS),
    Policy("/oauth2/", "oauth", _OAUTH),
)
_FALLBACK_POLICY = Policy("/", "other", _FALLBACK)


def policy_for(path: str) -> Policy:
    """The error policy of the API that owns `path`."""
    for policy in POLICIES:
        if path.startswith(policy.prefix):
            return policy
    return _FALLBACK_POLICY


class ApiError(ProblemException):
    """An error answer. `kind` picks the template; `message` and `headers` refine it.

    It subclasses connexion's ProblemException so that connexion's security middleware lets it through
    unchanged when an auth policy raises it.
    """

    def __init__(self, kind: str, message: str | None = None, *, status: int | None = None,
                 headers: dict[str, str] | None = None, body: dict | None = None):
        self.kind = kind
        self.message = message
        self.forced_status = status
        self.extra_headers = headers or {}
        self.body = body
        super().__init__(status=status or 500, title=kind, detail=message)

    @classmethod
    def not_found(cls, message: str | None = None) -> "ApiError":
        return cls("not_found", message)


# The error kind each HTTP status stands for when connexion or Starlette raises it: connexion's only 401 is
# "no scheme's credential was sent at all", which the edX gateway answers with its 400.
STATUS_KINDS = {400: "bad_request", 401: "missing_credentials", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 406: "not_acceptable", 429: "throttled", 500: "server_error",
                 503: "unavailable"}
# The error kind a scenario's forced status (`respond: {status: N}` without a body) stands for: the API's
# own answer for that status, so a forced 401 is the service's 401 (DRF's, with its challenge on edX).
FORCED_KINDS = {**STATUS_KINDS, 401: "unauthorized"}


def error_response(path: str, kind: str, message: str | None = None, *, status: int | None = None,
                   headers: dict[str, str] | None = None, body: dict | None = None) -> tuple[int, bytes, dict[str, str]]:
    """Status, body bytes and headers of an error of `kind` on the API owning `path`."""
    templates = policy_for(path).templates
    template = templates.get(kind) or _FALLBACK.get(kind) or Template(status or 500, "drf", message or kind)
    out_headers = dict(template.headers)
    out_headers.update(headers or {})
    out_headers["Content-Type"] = template.content_type
    if body is not None:
        payload = orjson.dumps(body)
    elif template.empty_body:
        payload = b""
    else:
        shaped = FAMILIES[template.family](message or template.message)
        payload = shaped if isinstance(shaped, bytes) else orjson.dumps(shaped)
    return status or template.status, payload, out_headers


async def send_error(send, status: int, body: bytes, headers: dict[str, str]) -> None:
    """Send an `error_response` (or any status, body and headers) straight on an ASGI `send`."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
           if k.lower() != "content-length"]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def handle_exception(request, exc: Exception) -> ConnexionResponse:
    """The app-wide error handler: every error of every API goes through here."""
    path = request.url.path
    if isinstance(exc, ApiError):
        status, body, headers = error_response(path, exc.kind, exc.message, status=exc.forced_status,
                                               headers=exc.extra_headers, body=exc.body)
    elif isinstance(exc, ProblemException):
        # connexion's own problems: a missing credential (no scheme matched) is the one we expect.
        kind = STATUS_KINDS.get(exc.status, "server_error")
        status, body, headers = error_response(path, kind)
    elif isinstance(exc, HTTPException):
        kind = STATUS_KINDS.get(exc.status_code, "server_error")
        status, body, headers = error_response(path, kind)
        if exc.headers and "allow" in {k.lower() for k in exc.headers}:
            headers.setdefault("Allow", exc.headers.get("Allow") or exc.headers.get("allow"))
    else:
        # A bug of ours: answer with the API's own 500 body (never connexion's problem+json) and log it.
        logger.error("unhandled error on %s %s", request.method, path, exc_info=exc)
        status, body, headers = error_response(path, "server_error")
    content_type = headers.pop("Content-Type")
    return ConnexionResponse(status_code=status, body=body, content_type=content_type, headers=headers)
