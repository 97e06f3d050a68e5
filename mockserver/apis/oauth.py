"""The OAuth2 token route of the LMS behind api.edx.org: client credentials in, a signed JWT out.

Real clients (edx-rest-api-client's OAuthAPIClient, enterprise_reporting) call it first and need
`access_token` and `expires_in`. Permissive mode gives any client a token; strict mode checks the
configured clients' secrets.
"""

from __future__ import annotations

import hmac

from mockserver import auth
from mockserver.errors import ApiError
from mockserver.render import json_response
from mockserver.state import runtime_of

REQUIRED = ("grant_type", "client_id")
GRANT_TYPES = ("client_credentials",)


async def _form(request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "")
    if "form" not in content_type:
        return {}
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def issue_token_v1(request):
    """POST /oauth2/v1/access_token."""
    form = await _form(request)
    missing = [name for name in REQUIRED if not form.get(name)]
    if missing:
        raise ApiError("missing_credentials", f"Missing required request parameters: [{', '.join(missing)}]")
    if form["grant_type"] not in GRANT_TYPES:
        raise ApiError("bad_request", body={"error": "unsupported_grant_type",
                                             "error_description": f"grant_type {form['grant_type']!r} is not supported"})
    config = runtime_of(request).auth
    if config.mode == "strict" and config.clients:
        secret = dict(config.clients).get(form["client_id"])
        if secret is None or not hmac.compare_digest(secret.encode(), form.get("client_secret", "").encode()):
            raise ApiError("unauthorized", body={"error": "invalid_client"})
    issuer = f"{request.url.scheme}://{request.url.netloc}/oauth2"
    reply = auth.issue_token(config, form["client_id"], form.get("scope", ""), issuer)
    if form.get("token_type", "jwt").lower() == "bearer":
        reply["token_type"] = "Bearer"
    return json_response(reply, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


async def issue_token(request):
    """POST /oauth2/access_token: the same route without the version segment."""
    return await issue_token_v1(request)
