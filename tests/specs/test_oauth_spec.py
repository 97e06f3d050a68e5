"""Tests of specs/oauth.yaml, the OAuth2 token route real edX clients call first.

Owns the token route's promises: both paths and their operationIds, no security scheme, the
client-credentials form, the reply clients depend on, and the error answers of the gateway and the LMS.
Generic checks (validity, examples, the deviations page) live in tests/specs/test_specs.py.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import _spec_helpers as helpers
import pytest
import yaml

SPEC: dict[str, Any] = helpers.load_spec("oauth")
DATA = helpers.load_data("catalog_oauth_fields")
FORM_TYPE = "application/x-www-form-urlencoded"

resolve = partial(helpers.resolve, SPEC)
is_valid = partial(helpers.is_valid, SPEC)


def schema_ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def post(path: str) -> dict:
    return SPEC["paths"][path]["post"]


def response_schema(path: str, status: str) -> dict:
    return resolve(post(path)["responses"][status])["content"]["application/json"]["schema"]


ROUTES = list(DATA["routes"])


def test_both_paths_are_post_only_under_oauth2():
    assert SPEC["servers"][0]["url"] == "/oauth2"
    assert {path: {m: op["operationId"] for m, op in item.items()} for path, item in SPEC["paths"].items()} == {
        path: {"post": operation_id} for path, operation_id in DATA["routes"].items()}


@pytest.mark.parametrize("path", ROUTES)
def test_no_security_scheme_applies(path):
    assert post(path)["security"] == []
    assert SPEC["security"] == []
    assert "x-apikeyInfoFunc" not in yaml.safe_dump(SPEC)


@pytest.mark.parametrize("path", ROUTES)
def test_request_is_the_client_credentials_form(path):
    body = resolve(post(path)["requestBody"])
    assert body["required"] is True and FORM_TYPE in body["content"]
    form = resolve(body["content"][FORM_TYPE]["schema"])
    assert set(form["required"]) == set(DATA["form"]["required"])
    assert set(form["properties"]) == set(DATA["form"]["required"]) | set(DATA["form"]["optional"])
    good = {"grant_type": "client_credentials", "client_id": "partner", "client_secret": "s", "token_type": "jwt"}
    assert is_valid(form, good)
    for missing in DATA["form"]["required"]:
        assert not is_valid(form, {k: v for k, v in good.items() if k != missing}), missing
    assert not is_valid(form, {**good, "grant_type": "password"})
    assert not is_valid(form, {**good, "client_id": ""})


def test_token_type_is_jwt_or_bearer_and_defaults_to_the_lms_bearer():
    token_type = SPEC["components"]["schemas"]["TokenForm"]["properties"]["token_type"]
    assert {"jwt", "bearer"} <= set(token_type["enum"])
    assert token_type["default"] == "bearer"


@pytest.mark.parametrize("path", ROUTES)
def test_reply_carries_what_clients_need(path):
    response = resolve(post(path)["responses"]["200"])
    schema = resolve(response["content"]["application/json"]["schema"])
    assert set(schema["required"]) == set(DATA["reply"]["required"])
    assert set(DATA["reply"]["clients_need"]) <= set(schema["required"])
    assert schema["properties"]["token_type"]["enum"] == ["JWT", "Bearer"]
    assert schema["properties"]["expires_in"]["type"] == "integer"
    assert {"Cache-Control", "Pragma"} <= set(response["headers"])
    reply = {"access_token": "a.b.c", "token_type": "JWT", "expires_in": 3600, "scope": "read write"}
    assert is_valid(schema, reply)
    assert not is_valid(schema, {k: v for k, v in reply.items() if k != "expires_in"})


@pytest.mark.parametrize("path", ROUTES)
def test_every_error_is_declared_with_its_family(path):
    responses = post(path)["responses"]
    assert {"400", "401", "405"} <= set(responses)
    assert is_valid(response_schema(path, "400"), {"message": "Missing required request parameters: [client_id]"})
    assert is_valid(response_schema(path, "400"), {"error": "unsupported_grant_type"})
    assert not is_valid(response_schema(path, "400"), {"detail": "Not found."})
    assert response_schema(path, "401") == schema_ref("OAuthError")
    assert is_valid(response_schema(path, "401"), {"error": "invalid_client"})
    allow = resolve(resolve(responses["405"])["headers"]["Allow"])
    assert allow["required"] is True


def test_gateway_route_answers_405_with_a_gateway_body_and_the_lms_with_none():
    assert response_schema("/v1/access_token", "405") == schema_ref("GatewayError")
    assert "content" not in resolve(post("/access_token")["responses"]["405"])


def test_gateway_400_examples_name_the_missing_fields():
    examples = resolve(post("/v1/access_token")["responses"]["400"])["content"]["application/json"]["examples"]
    messages = [e["value"]["message"] for e in examples.values() if "message" in e["value"]]
    assert messages and all(m.startswith("Missing required request parameters: [") for m in messages)
    assert any(e["value"].get("error") == "unsupported_grant_type" for e in examples.values())


def test_the_lms_path_documents_oauthlibs_errors_and_djangos_empty_405():
    responses = post("/access_token")["responses"]
    assert responses["400"]["$ref"].endswith("LmsBadRequest")
    assert responses["405"]["$ref"].endswith("LmsMethodNotAllowed")
    assert "content" not in resolve(responses["405"]), "Django's 405 has an empty body"
