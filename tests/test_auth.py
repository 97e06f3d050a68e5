"""Auth policies: decoded JWT claims are reused, but expiry is judged at every request."""

from __future__ import annotations

import time

import jwt
import pytest

from mockserver.auth import AuthConfig, decode_token, issue_token
from mockserver.errors import ApiError


def test_a_token_seen_before_still_expires_on_time():
    config = AuthConfig(token_lifetime=60)
    token = issue_token(config, "client", "", "http://testserver/oauth2", now=time.time())["access_token"]
    claims = decode_token(token, config)
    assert claims["sub"] == "client"
    assert decode_token(token, config, now=claims["exp"] - 1)["sub"] == "client"  # served from the cache
    with pytest.raises(ApiError) as info:
        decode_token(token, config, now=claims["exp"])
    assert info.value.message == "Token has expired."


def test_not_yet_valid_token_is_invalid():
    token = jwt.encode({"sub": "x", "nbf": int(time.time()) + 3600}, "key-0123456789abcdef0123456789abcdef",
                       algorithm="HS256")
    with pytest.raises(ApiError) as info:
        decode_token(token, AuthConfig())
    assert info.value.message == "Invalid token."


def test_cached_claims_do_not_leak_across_modes():
    foreign = jwt.encode({"sub": "x", "exp": int(time.time()) + 600}, "someone-elses-key-0123456789abcdef",
                         algorithm="HS256")
    assert decode_token(foreign, AuthConfig(mode="permissive"))["sub"] == "x"
    with pytest.raises(ApiError) as info:
        decode_token(foreign, AuthConfig(mode="strict"))
    assert info.value.message == "Error decoding token."


def test_a_request_is_judged_by_the_snapshot_it_started_with():
    from starlette.requests import Request

    from mockserver.auth import check_jwt
    from mockserver.state import Snapshot

    foreign = jwt.encode({"sub": "x", "exp": int(time.time()) + 600}, "someone-elses-key-0123456789abcdef",
                         algorithm="HS256")
    started_strict = Snapshot(world=None, auth=AuthConfig(mode="strict"))
    reloaded_permissive = Snapshot(world=None, auth=AuthConfig(mode="permissive"))

    class Runtime:  # the runtime has moved on to a reloaded, permissive snapshot
        snapshot = reloaded_permissive
        auth = reloaded_permissive.auth

    request = Request({"type": "http", "headers": [], "mockserver": Runtime(),
                       "mockserver.snapshot": started_strict})
    with pytest.raises(ApiError) as info:
        check_jwt(f"JWT {foreign}", request)
    assert info.value.message == "Error decoding token."
