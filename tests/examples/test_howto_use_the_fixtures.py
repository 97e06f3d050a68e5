"""How to: use the mock in your own pytest suite.

Installing mockserver registers a pytest plugin. Its fixtures give you the mock in-process (fast, no
socket) or on a real socket on 127.0.0.1 (for clients that need a URL), plus a token the edX routes accept.
"""

import httpx


def test_in_process_client(mockserver_client, mockserver_token):
    # `mockserver_client` is a starlette TestClient on the mock: no network, no port.
    response = mockserver_client.get("/catalog/v1/catalogs/1/", headers={"Authorization": f"JWT {mockserver_token}"})
    assert response.status_code == 200
    assert response.json()["name"] == "All Courses"


def test_real_socket_for_any_http_client(mockserver_server):
    # `mockserver_server.url` is e.g. http://127.0.0.1:54321; get a token the way real clients do.
    token = httpx.post(f"{mockserver_server.url}/oauth2/v1/access_token",
                       data={"grant_type": "client_credentials", "client_id": "my-app", "token_type": "jwt"}).json()
    catalogs = httpx.get(f"{mockserver_server.url}/enterprise/v1/enterprise-catalogs",
                         headers={"Authorization": f"JWT {token['access_token']}"})
    assert catalogs.status_code == 200
    assert catalogs.json()["next"].startswith(mockserver_server.url)  # absolute links back to the mock
