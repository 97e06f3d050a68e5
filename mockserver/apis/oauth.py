"""The OAuth2 token route of the LMS behind api.edx.org: client credentials in, an access token out.

Real clients (edx-rest-api-client's OAuthAPIClient, enterprise_reporting) call it first, ask for
`token_type=jwt` and need `access_token` and `expires_in`. As in the LMS (edx-platform
`oauth_dispatch.views.AccessTokenView`), a JWT is issued only for `token_type=jwt` (or an
`X-Token-Type: jwt` header); otherwise the answer is django-oauth-toolkit's opaque bearer token, which the
edX routes do not take. Permissive mode gives any client a token; strict mode checks the configured secrets.

The two paths differ only in who answers a form without its required fields: the api.edx.org gateway
(`/oauth2/v1/access_token`, a gateway 400) or the LMS itself (`/oauth2/access_token`, oauthlib's errors).
That difference is the `MISSING_FIELD_ANSWERS` table, not a branch.
"""

from __future__ import annotations

import hmac
import secrets

from mockserver import auth
from mockserver.errors import ApiError
from mockserver.params import read_form
from mockserver.render import json_response
from mockserver.state import snapshot_of

GRANT_TYPES = ("client_credentials",)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _gateway_missing(missing: list[str]) -> ApiError:
    return ApiError("missing_credentials", f"Missing required request parameters: [{', '.join(missing)}]")


def _lms_missing(missing: list[str]) -> ApiError:
    if "grant_type" in missing:
        return ApiError("bad_request", body={"error": "unsupported_grant_type"})
    return ApiError("unauthorized", body={"error": "invalid_client"})


MISSING_FIELD_ANSWERS = {"gateway": _gateway_missing, "lms": _lms_missing}
REQUIRED = ("grant_type", "client_id")


async def _issue(request, answered_by: str):
    form = await read_form(request)
    missing = [name for name in REQUIRED if not form.get(name)]
    if missing:
        raise MISSING_FIELD_ANSWERS[answered_by](missing)
    if form["grant_type"] not in GRANT_TYPES:
        raise ApiError("bad_request", body={"error": "unsupported_grant_type"})
    config = snapshot_of(request).auth
    if config.mode == "strict" and config.clients:
        secret = dict(config.clients).get(form["client_id"])
        if secret is None or not hmac.compare_digest(secret.encode(), form.get("client_secret", "").encode()):
            raise ApiError("unauthorized", body={"error": "invalid_client"})
    wants_jwt = "jwt" in (form.get("token_type", "").lower(), request.headers.get("x-token-type", "").lower())
    if wants_jwt:
        issuer = f"{request.url.scheme}://{request.url.netloc}/oauth2"
        reply = auth.issue_token(config, form["client_id"], form.get("scope", ""), issuer)
    else:
        reply = {"access_token": secrets.token_urlsafe(22), "token_type": "Bearer",
                 "expires_in": config.token_lifetime, "scope": form.get("scope") or "read write email profile"}
    return json_response(reply, headers=NO_STORE)


async def issue_token_v1(request):
    """POST /oauth2/v1/access_token (through the api.edx.org gateway)."""
    return await _issue(request, "gateway")


async def issue_token(request):
    """POST /oauth2/access_token (the LMS's own path)."""
    return await _issue(request, "lms")
