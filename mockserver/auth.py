"""Auth policies, one per security scheme of the specs, called by connexion's security middleware.

connexion resolves each scheme's `x-apikeyInfoFunc` (injected by `app.py`, so the specs name no code) to a
function here. A function returns token info (the request may proceed) or raises `ApiError` with the
body the real server would send. When no scheme's credential is present at all, connexion raises its own
401, which `errors.py` turns into the API's "missing credentials" answer (the gateway's 400 on edX routes).

- `jwt`: `Authorization: JWT <token>` as drf-jwt / edx-drf-extensions read it. Permissive mode takes any
  well-formed, unexpired JWT; strict mode only tokens this mock signed.
- `actionsecret`: the BlendX shared secret (Hasura-actions style), compared in constant time.
- `session`: a `sessionid` cookie. Permissive mode takes any non-empty value as a logged-in session (a
  documented deviation, `mock-permissive-session`); strict mode only session ids this mock issued
  (`issue_session`, signed with the JWT key) or a scenario lists (`auth.sessions`).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass

import jwt

from mockserver import limits
from mockserver.errors import ApiError

JWT_PREFIX = "jwt"
SIGNING_ALGORITHM = "HS256"


@dataclass(frozen=True)
class AuthConfig:
    """The auth knobs a scenario may change at run time."""

    mode: str = "permissive"
    action_secret: str = "your_secret"
    token_lifetime: int = 3600
    jwt_secret: str = "mockserver-local-signing-key-not-a-secret"
    clients: tuple[tuple[str, str], ...] = ()
    sessions: tuple[str, ...] = ()
    """Session ids strict mode accepts besides the ones this mock issued (a scenario's `auth.sessions`)."""

    @classmethod
    def from_settings(cls, settings) -> "AuthConfig":
        return cls(settings.auth_mode, settings.action_secret, settings.token_lifetime, settings.jwt_secret,
                   settings.clients)


def _config(request) -> AuthConfig:
    # The request's pinned snapshot, not the runtime's current one: a reload mid-request changes nothing.
    return request.scope["mockserver.snapshot"].auth


def _unauthorized(detail: str) -> ApiError:
    return ApiError("unauthorized", detail)


def read_jwt(header: str) -> str:
    """The token of an `Authorization` header, with drf-jwt's messages for malformed headers."""
    parts = header.split()
    if not parts or parts[0].lower() != JWT_PREFIX:
        # Not a JWT header: no authenticator accepts the request.
        raise _unauthorized("Authentication credentials were not provided.")
    if len(parts) == 1:
        raise _unauthorized("Invalid Authorization header. No credentials provided.")
    if len(parts) > 2:
        raise _unauthorized("Invalid Authorization header. Credentials string should not contain spaces.")
    return parts[1]


def decode_token(token: str, config: AuthConfig, now: float | None = None) -> dict:
    """Claims of a token, or the drf-jwt 401 for it.

    Decoding (and in strict mode verifying) a token costs more than the rest of a cached request, and
    clients send the same token for its whole life: the verified claims are kept, and only the time
    checks run again on later requests. Tokens over `limits.JWT_CACHE_TOKEN_MAX_BYTES` are verified every
    time instead: the cache holds 2,048 tokens, and 2,048 huge ones would be gigabytes.
    """
    if len(token) > limits.JWT_CACHE_TOKEN_MAX_BYTES:
        claims = _verify(token, config.mode, config.jwt_secret)
    else:
        claims = _verified_claims(token, config.mode, config.jwt_secret)
    moment = time.time() if now is None else now
    if "exp" in claims and moment >= _number(claims["exp"]):
        raise _unauthorized("Token has expired.")
    if "nbf" in claims and moment < _number(claims["nbf"]):
        raise _unauthorized("Invalid token.")
    return claims


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _unauthorized("Invalid token.") from None


def _verify(token: str, mode: str, jwt_secret: str) -> dict:
    """Signature (strict mode) and structure checks of a token; time checks are the caller's."""
    # Only structure (and the signature in strict mode) here: exp/nbf depend on the moment of each request.
    options = {"verify_signature": mode == "strict", "verify_exp": False, "verify_nbf": False,
               "verify_iat": False, "verify_aud": False, "verify_iss": False}
    try:
        return jwt.decode(token, key=jwt_secret, algorithms=[SIGNING_ALGORITHM] if mode == "strict" else None,
                          options=options)
    except jwt.DecodeError:
        raise _unauthorized("Error decoding token.") from None
    except jwt.InvalidTokenError:
        raise _unauthorized("Invalid token.") from None


_verified_claims = functools.lru_cache(maxsize=2048)(_verify)


def claims_cache_stats() -> dict:
    """What `/__admin/health` shows of the (process-wide) verified-claims cache."""
    info = _verified_claims.cache_info()
    return {"entries": info.currsize, "max_entries": info.maxsize,
            "token_max_bytes": limits.JWT_CACHE_TOKEN_MAX_BYTES}


def check_jwt(api_key: str, request=None, required_scopes=None) -> dict:
    """Security function of the `jwt` scheme."""
    claims = decode_token(read_jwt(api_key), _config(request))
    return {"sub": claims.get("sub") or claims.get("preferred_username") or "jwt-user", "claims": claims}


def check_action_secret(api_key: str, request=None, required_scopes=None) -> dict:
    """Security function of the `actionsecret` scheme."""
    expected = _config(request).action_secret
    if not hmac.compare_digest(api_key.encode(), expected.encode()):
        raise ApiError("unauthorized")
    return {"sub": "action-secret"}


def _session_signature(nonce: str, jwt_secret: str) -> str:
    return hmac.new(jwt_secret.encode(), f"sessionid:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def issue_session(config: AuthConfig, nonce: str | None = None) -> str:
    """A `sessionid` this mock issued: a nonce and its HMAC under the signing key (strict mode checks it)."""
    nonce = nonce or secrets.token_hex(12)
    return f"{nonce}.{_session_signature(nonce, config.jwt_secret)}"


def session_accepted(value: str, config: AuthConfig) -> bool:
    """Whether `value` is a session: any non-empty one in permissive mode; issued or listed in strict mode."""
    if not value:
        return False
    if config.mode != "strict" or value in config.sessions:
        return True
    nonce, _, signature = value.rpartition(".")
    return bool(nonce) and hmac.compare_digest(signature, _session_signature(nonce, config.jwt_secret))


def check_session(api_key: str, request=None, required_scopes=None) -> dict:
    """Security function of the `session` scheme (see the module docstring for the two modes)."""
    if not session_accepted(api_key.strip(), _config(request)):
        raise ApiError("unauthorized")
    return {"sub": "session"}


SCHEME_FUNCTIONS = {
    "jwt": "mockserver.auth.check_jwt",
    "actionsecret": "mockserver.auth.check_action_secret",
    "session": "mockserver.auth.check_session",
}


def issue_token(config: AuthConfig, client_id: str, scope: str, issuer: str, now: float | None = None) -> dict:
    """A signed JWT access token and the OAuth2 reply that carries it (LMS `/oauth2/access_token` style)."""
    issued = int(now if now is not None else time.time())
    scopes = scope.split() if scope else ["read", "write", "email", "profile"]
    claims = {
        "aud": "lms-key",
        "iss": issuer,
        "sub": client_id,
        "preferred_username": client_id,
        "grant_type": "client-credentials",
        "scopes": scopes,
        "version": "1.2.0",
        "is_restricted": False,
        "filters": [],
        "iat": issued,
        "exp": issued + config.token_lifetime,
        "jti": str(uuid.uuid4()),
    }
    token = jwt.encode(claims, config.jwt_secret, algorithm=SIGNING_ALGORITHM)
    return {"access_token": token, "token_type": "JWT", "expires_in": config.token_lifetime,
            "scope": " ".join(scopes)}


def sample_token(config: AuthConfig, issuer: str) -> str:
    """A token to print at start-up so that curl works at once."""
    return issue_token(config, "mockserver-sample-client", "", issuer)["access_token"]
