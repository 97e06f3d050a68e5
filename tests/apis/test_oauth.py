"""The OAuth2 token route over HTTP: what real clients send and need, and the errors of each path."""

from __future__ import annotations

import jwt
import pytest

FORM = {"grant_type": "client_credentials", "client_id": "integration-client", "client_secret": "s", "token_type": "jwt"}


@pytest.mark.parametrize("path", ["/oauth2/v1/access_token", "/oauth2/access_token"])
def test_client_credentials_with_token_type_jwt_get_a_jwt_the_edx_routes_take(mockserver_client, path):
    response = mockserver_client.post(path, data=FORM)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "JWT"
    assert body["expires_in"] > 0 and body["scope"]
    assert response.headers["Cache-Control"] == "no-store"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "integration-client" and claims["exp"] - claims["iat"] == body["expires_in"]
    catalogs = mockserver_client.get("/catalog/v1/catalogs/", headers={"Authorization": f"JWT {body['access_token']}"})
    assert catalogs.status_code == 200


def test_without_token_type_the_lms_answers_an_opaque_bearer_token(mockserver_client):
    body = mockserver_client.post("/oauth2/v1/access_token", data={**FORM, "token_type": ""}).json()
    assert body["token_type"] == "Bearer"
    assert body["access_token"].count(".") == 0
    refused = mockserver_client.get("/catalog/v1/catalogs/", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert refused.status_code == 401


def test_x_token_type_header_also_asks_for_a_jwt(mockserver_client):
    form = {k: v for k, v in FORM.items() if k != "token_type"}
    body = mockserver_client.post("/oauth2/v1/access_token", data=form, headers={"X-Token-Type": "jwt"}).json()
    assert body["token_type"] == "JWT"


def test_gateway_route_rejects_missing_fields_with_the_gateway_400(mockserver_client):
    response = mockserver_client.post("/oauth2/v1/access_token", data={"client_secret": "x"})
    assert response.status_code == 400
    assert response.json() == {"message": "Missing required request parameters: [grant_type, client_id]"}


@pytest.mark.parametrize("form,status,body", [
    ({"client_id": "x"}, 400, {"error": "unsupported_grant_type"}),
    ({"grant_type": "client_credentials"}, 401, {"error": "invalid_client"}),
])
def test_lms_route_answers_missing_fields_as_oauthlib(mockserver_client, form, status, body):
    response = mockserver_client.post("/oauth2/access_token", data=form)
    assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize("path", ["/oauth2/v1/access_token", "/oauth2/access_token"])
def test_other_grant_types_are_unsupported(mockserver_client, path):
    response = mockserver_client.post(path, data={**FORM, "grant_type": "password"})
    assert (response.status_code, response.json()) == (400, {"error": "unsupported_grant_type"})


def test_get_is_405_gateway_json_or_django_empty(mockserver_client):
    gateway = mockserver_client.get("/oauth2/v1/access_token")
    assert (gateway.status_code, gateway.json()) == (405, {"message": "Method Not Allowed"})
    lms = mockserver_client.get("/oauth2/access_token")
    assert (lms.status_code, lms.content) == (405, b"")
    assert "POST" in lms.headers["Allow"]


def test_strict_mode_checks_the_client_secret(mockserver_settings):
    from starlette.testclient import TestClient

    from mockserver.app import create_app

    app = create_app(mockserver_settings.replace(auth_mode="strict", clients=(("integration-client", "right"),)),
                     world=None)
    with TestClient(app) as client:
        wrong = client.post("/oauth2/v1/access_token", data={**FORM, "client_secret": "wrong"})
        assert (wrong.status_code, wrong.json()) == (401, {"error": "invalid_client"})
        right = client.post("/oauth2/v1/access_token", data={**FORM, "client_secret": "right"})
        assert right.status_code == 200
        token = right.json()["access_token"]
        assert client.get("/catalog/v1/catalogs/", headers={"Authorization": f"JWT {token}"}).status_code == 200
