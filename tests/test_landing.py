"""The landing page at `/` and what each API's docs pages are served with (browser tests: test_swagger_ui.py)."""

from __future__ import annotations

from mockserver import __version__, specs


def test_json_lists_every_api_with_working_links(mockserver_client):
    response = mockserver_client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    page = response.json()
    assert page["version"] == __version__
    assert [api["name"] for api in page["apis"]] == list(specs.SPEC_NAMES)
    for api in page["apis"]:
        assert mockserver_client.get(api["swagger_ui"]).status_code == 200, api["swagger_ui"]
        served = mockserver_client.get(api["openapi"])
        assert served.status_code == 200
        assert len(api["operations"]) == len(specs.operations(api["name"], served.json()))
    assert mockserver_client.get(page["admin"]["health"]).status_code == 200


def test_browsers_get_html_with_the_same_links(mockserver_client):
    page = mockserver_client.get("/").json()
    response = mockserver_client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["vary"] == "Accept"
    for api in page["apis"]:
        assert f'href="{api["swagger_ui"]}"' in response.text
        assert f'href="{api["openapi"]}"' in response.text
    assert f"mockserver {__version__}" in response.text


def test_only_get_and_head(mockserver_client):
    assert mockserver_client.head("/").status_code == 200
    response = mockserver_client.post("/")
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_every_served_spec_names_a_server_swagger_ui_can_show(mockserver_client):
    for api in mockserver_client.get("/").json()["apis"]:
        servers = mockserver_client.get(api["openapi"]).json()["servers"]
        assert servers and all(server["url"] for server in servers), (api["name"], servers)
    assert mockserver_client.get("/openapi.json").json()["servers"][0]["url"] == "/"


def test_the_jwt_scheme_shows_the_header_value_with_its_prefix(mockserver_client):
    for base in ("/catalog/v1", "/enterprise"):
        scheme = mockserver_client.get(f"{base}/openapi.json").json()["components"]["securitySchemes"]["jwt"]
        assert "`JWT eyJ" in scheme["description"], base


def test_swagger_ui_pages_leave_empty_optional_form_fields_out_by_default(mockserver_client):
    page = mockserver_client.get("/ui/")
    assert "EmptyFormFieldsOff" in page.text and "defaultValue: false" in page.text
    assert mockserver_client.get("/ui/swagger-ui-bundle.js").status_code == 200
