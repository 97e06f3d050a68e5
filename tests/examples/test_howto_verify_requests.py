"""How to: check what your code sent, with the request journal (credentials are never recorded)."""


def test_journal_shows_the_requests_made(mockserver_client, mockserver_app, mockserver_token):
    mockserver_client.get("/enterprise/v1/enterprise-catalogs?page_size=2",
                          headers={"Authorization": f"JWT {mockserver_token}"})
    [entry] = mockserver_app.runtime.journal.entries(path="/enterprise/v1/enterprise-catalogs")
    assert entry.query == "page_size=2"
    assert entry.status == 200
    assert entry.headers["authorization"] == "[redacted]"
