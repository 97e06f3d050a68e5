"""The pipeline, over HTTP: route (404) → method (405) → auth (400/401) → handler, for every API family,
trailing-slash tolerance, per-API docs, and a journal that never records a credential."""

from __future__ import annotations

import time

import jwt
import pytest

from mockserver.testing import token_for

CATALOGS = "/catalog/v1/catalogs/"
ENTERPRISE = "/enterprise/v1/enterprise-catalogs"
BLENDX = "/blendxapi/discovery/courses/"
SEARCH = "/search/course_discovery/"


def expired_token() -> str:
    return jwt.encode({"sub": "someone", "exp": int(time.time()) - 60}, "another-issuers-key-0123456789abcdef",
                      algorithm="HS256")


@pytest.fixture
def jwt_headers(mockserver_token):
    return {"Authorization": f"JWT {mockserver_token}"}


@pytest.mark.parametrize("path", [CATALOGS, ENTERPRISE])
def test_edx_route_without_authorization_is_the_gateways_400(mockserver_client, path):
    response = mockserver_client.get(path)
    assert response.status_code == 400
    assert response.json() == {"message": "Missing required request headers: [Authorization]"}


@pytest.mark.parametrize("path", [CATALOGS, ENTERPRISE])
def test_expired_token_is_401_saying_expired_with_www_authenticate(mockserver_client, path):
    response = mockserver_client.get(path, headers={"Authorization": f"JWT {expired_token()}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Token has expired."}
    assert response.headers["WWW-Authenticate"] == 'JWT realm="api"'


@pytest.mark.parametrize("header,detail", [
    ("JWT not-a-token", "Error decoding token."),
    ("Bearer abc.def.ghi", "Authentication credentials were not provided."),
    ("JWT", "Invalid Authorization header. No credentials provided."),
    ("JWT a b", "Invalid Authorization header. Credentials string should not contain spaces."),
])
def test_malformed_authorization_gets_drf_jwt_detail(mockserver_client, header, detail):
    response = mockserver_client.get(CATALOGS, headers={"Authorization": header})
    assert (response.status_code, response.json()) == (401, {"detail": detail})


def test_jwt_prefix_is_case_insensitive(mockserver_client, mockserver_token):
    assert mockserver_client.get(CATALOGS, headers={"Authorization": f"jwt {mockserver_token}"}).status_code == 200


def test_permissive_mode_accepts_any_unexpired_jwt(mockserver_client):
    foreign = jwt.encode({"sub": "x", "exp": int(time.time()) + 600}, "someone-elses-key-0123456789abcdef",
                         algorithm="HS256")
    assert mockserver_client.get(CATALOGS, headers={"Authorization": f"JWT {foreign}"}).status_code == 200


def test_strict_mode_accepts_only_its_own_tokens(mockserver_settings):
    from starlette.testclient import TestClient

    from mockserver.app import create_app

    app = create_app(mockserver_settings.replace(auth_mode="strict"), world=None)
    foreign = jwt.encode({"sub": "x", "exp": int(time.time()) + 600}, "someone-elses-key-0123456789abcdef",
                         algorithm="HS256")
    with TestClient(app) as client:
        rejected = client.get(CATALOGS, headers={"Authorization": f"JWT {foreign}"})
        assert (rejected.status_code, rejected.json()) == (401, {"detail": "Error decoding token."})
        assert client.get(CATALOGS, headers={"Authorization": f"JWT {token_for(app)}"}).status_code == 200


def test_unknown_route_is_404_before_auth(mockserver_client):
    response = mockserver_client.get("/catalog/v1/no-such-thing/")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize("path,body", [
    (CATALOGS, {"message": "Method Not Allowed"}),
    (ENTERPRISE, {"message": "Method Not Allowed"}),
    (BLENDX, {"message": "Method not allowed", "status": "failed"}),
])
def test_wrong_method_is_405_with_allow_before_auth(mockserver_client, path, body):
    response = mockserver_client.post(path)
    assert response.status_code == 405
    assert response.json() == body
    assert "GET" in response.headers["Allow"]


def test_search_needs_no_auth(mockserver_client):
    assert mockserver_client.post(SEARCH, data={"search_string": "x"}).status_code == 200


@pytest.mark.parametrize("headers,status", [
    ({}, 401), ({"actionsecret": "wrong"}, 401), ({"actionsecret": "your_secret"}, 200),
    ({"Cookie": "sessionid=abc123"}, 200),
])
def test_blendx_needs_the_action_secret_or_a_session(mockserver_client, headers, status):
    response = mockserver_client.get(BLENDX, headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.json() == {"message": "Unauthorized", "status": "failed"}


@pytest.mark.parametrize("path", ["/catalog/v1/catalogs", "/catalog/v1/catalogs/", "/enterprise/v1/enterprise-catalogs",
                                  "/enterprise/v1/enterprise-catalogs/"])
def test_trailing_slash_or_none_both_work(mockserver_client, jwt_headers, path):
    assert mockserver_client.get(path, headers=jwt_headers).status_code == 200


@pytest.mark.parametrize("docs", ["/catalog/v1/openapi.json", "/enterprise/openapi.json", "/openapi.json",
                                  "/oauth2/openapi.json"])
def test_each_api_serves_its_spec(mockserver_client, docs):
    response = mockserver_client.get(docs)
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.0")


def test_swagger_ui_is_served(mockserver_client):
    response = mockserver_client.get("/catalog/v1/ui/")
    assert response.status_code == 200 and "swagger" in response.text.lower()


def test_journal_records_requests_without_credentials(mockserver_client, mockserver_app, mockserver_token):
    mockserver_client.get(CATALOGS, headers={"Authorization": f"JWT {mockserver_token}"})
    mockserver_client.get(BLENDX, headers={"actionsecret": "your_secret", "Cookie": "sessionid=s3cret-session"})
    entries = mockserver_app.runtime.journal.entries()
    assert [e.path for e in entries[-2:]] == [CATALOGS, BLENDX]
    text = repr([e.as_dict() for e in entries])
    for secret in (mockserver_token, "your_secret", "s3cret-session"):
        assert secret not in text
    assert entries[-1].headers["actionsecret"] == "[redacted]"


def test_an_operation_without_a_handler_stops_the_app_build():
    from mockserver.routing import build_routes
    from mockserver.specs import Operation

    typo = Operation("catalog", "catalog.list_catalogz", "GET", "/catalog/v1/catalogs/", "/catalogs/", {})
    with pytest.raises(LookupError, match="catalog.list_catalogz"):
        build_routes([({"paths": {"/catalogs/": {}}}, typo)])


def test_architecture_doc_states_the_pipeline_in_the_order_of_middlewares():
    import re
    from pathlib import Path

    from mockserver.app import MIDDLEWARES

    doc = (Path(__file__).resolve().parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    stated = re.findall(r"^\| (\d+) \| `(\w+)` \|", doc, flags=re.MULTILINE)
    assert [int(n) for n, _ in stated] == list(range(1, len(stated) + 1))
    assert [name for _, name in stated] == [step.__name__ for step in MIDDLEWARES]


def test_journal_names_the_operation_under_a_server_whose_scope_has_no_extensions(mockserver_app, mockserver_token):
    # uvicorn and httpx's ASGI transport send no `extensions` in the scope (Starlette's TestClient does).
    import asyncio

    import httpx

    async def call():
        transport = httpx.ASGITransport(app=mockserver_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            await client.get(CATALOGS, headers={"Authorization": f"JWT {mockserver_token}"})
            await client.get(BLENDX)

    mockserver_app.runtime.journal.clear()
    asyncio.run(call())
    entries = mockserver_app.runtime.journal.entries()
    mockserver_app.runtime.journal.clear()
    assert [(e.path, e.status, e.operation_id) for e in entries] == [
        (CATALOGS, 200, "catalog.list_catalogs"), (BLENDX, 401, "blendx.list_courses")]


def test_a_negative_catalog_id_reaches_the_handler_in_the_first_app_of_a_process(tmp_path):
    # connexion's signed `int` path converter must be in place before the first app compiles its routes.
    import subprocess
    import sys

    script = (
        "from starlette.testclient import TestClient\n"
        "from mockserver.app import create_app\n"
        "from mockserver.settings import Settings\n"
        "from mockserver.testing import token_for\n"
        "app = create_app(Settings(size='small'))\n"
        "client = TestClient(app)\n"
        "headers = {'Authorization': 'JWT ' + token_for(app)}\n"
        "print(client.get('/catalog/v1/catalogs/-1/', headers=headers).text)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == '{"detail":"No Catalog matches the given query."}'
