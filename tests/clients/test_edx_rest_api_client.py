"""edx-rest-api-client's OAuthAPIClient, the canonical edX token + JWT session, against the live mock.

It fetches a token from `<base>/oauth2/access_token` (it needs `access_token` and `expires_in`), then
sends `Authorization: JWT <token>` on every request, reusing the cached token.
"""

from __future__ import annotations

import pytest

client_module = pytest.importorskip(
    "edx_rest_api_client.client",
    reason="edx-rest-api-client is not installed (make test installs requirements-clients.txt when it can)",
)


@pytest.fixture(scope="module")
def api(mockserver_server, django_configured):
    return client_module.OAuthAPIClient(mockserver_server.url, "integration-client", "secret", timeout=(5, 30))


def _token_posts(app) -> int:
    return len([e for e in app.runtime.journal.entries(method="POST") if e.path.startswith("/oauth2/")])


def test_one_token_serves_every_get_route(api, mockserver_server, mockserver_app):
    world = mockserver_app.runtime.world
    base = mockserver_server.url
    before = _token_posts(mockserver_app)
    catalogs = api.get(f"{base}/catalog/v1/catalogs/")
    assert catalogs.status_code == 200, catalogs.text
    first = catalogs.json()["results"][0]["id"]
    routes = [f"/catalog/v1/catalogs/{first}/", f"/catalog/v1/catalogs/{first}/courses/",
              "/enterprise/v1/enterprise-catalogs"]
    enterprise = api.get(f"{base}/enterprise/v1/enterprise-catalogs").json()["results"][0]
    routes.append(f"/enterprise/v2/enterprise-catalogs/{enterprise['uuid']}")
    routes.append(f"/enterprise/v3/enterprise-customer/{enterprise['enterprise_customer']}/learner-summary")
    for path in routes:
        response = api.get(base + path)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:200]}"
        assert response.request.headers["Authorization"].startswith("JWT ")
    assert _token_posts(mockserver_app) - before == 1, "the client should fetch exactly one token and reuse it"
    assert world is not None


def test_token_reply_has_what_the_client_requires(mockserver_server, django_configured):
    token, expires_at = client_module.get_oauth_access_token(
        f"{mockserver_server.url}/oauth2/v1/access_token", "integration-client", "secret")
    assert token.count(".") == 2, "a JWT"
    assert expires_at is not None


def test_a_session_prefix_in_the_base_url_is_all_the_client_needs(mockserver_server, mockserver_app,
                                                                   django_configured):
    base = f"{mockserver_server.url}/__session/client-run"
    api = client_module.OAuthAPIClient(base, "session-client", "secret", timeout=(5, 30))
    first = api.get(f"{base}/catalog/v1/catalogs/", params={"limit": 1})
    assert first.status_code == 200, first.text
    following = api.get(first.json()["next"])
    assert following.status_code == 200 and following.url.startswith(f"{base}/catalog/v1/catalogs/")
    session = mockserver_app.runtime.sessions.get("client-run")
    assert [(e.method, e.path) for e in session.journal.entries()] == [
        ("POST", "/oauth2/access_token"), ("GET", "/catalog/v1/catalogs/"), ("GET", "/catalog/v1/catalogs/")]
    assert not [e for e in mockserver_app.runtime.journal.entries() if e.path.startswith("/__session")]
