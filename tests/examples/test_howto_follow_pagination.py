"""How to: walk a paginated edX collection the way DRF clients do.

`next` is an absolute URL that keeps every other query parameter; follow it until it is null. `count` is
the size of the whole collection, the same on every page.
"""


def test_follow_next_links_until_null(mockserver_client, mockserver_token):
    headers = {"Authorization": f"JWT {mockserver_token}"}
    url, courses = "/catalog/v1/catalogs/1/courses/?limit=7", []
    while url:
        page = mockserver_client.get(url, headers=headers).json()
        courses += page["results"]
        url = page["next"]  # e.g. http://testserver/catalog/v1/catalogs/1/courses/?limit=7&offset=7
    assert len(courses) == page["count"]
    assert len({c["key"] for c in courses}) == len(courses)


def test_page_numbers_instead_of_offsets(mockserver_client, mockserver_token):
    # With `page` present, the catalog routes switch to page numbers (course-discovery's ProxiedPagination).
    headers = {"Authorization": f"JWT {mockserver_token}"}
    second = mockserver_client.get("/catalog/v1/catalogs/1/courses/?page=2&page_size=5", headers=headers).json()
    assert second["previous"].endswith("/catalog/v1/catalogs/1/courses/?page_size=5")  # page=1 is dropped
    assert "page=3" in second["next"]
