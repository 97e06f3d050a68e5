"""edx-enterprise-data's `enterprise_reporting` catalog clients against the live mock.

The only runnable real client that parses content: it follows `next` by re-requesting the same base URL
with only the query string of `next`, and needs `content_type` on every item plus `key` (course,
courserun) or `uuid` (program). Its module `enterprise_reporting.utils` imports report-encryption
libraries at import time (boto3, pgpy, pyminizip, fernet_fields, cryptography) that the catalog clients
never call; stand-in modules take their place so the clients can be imported without them.
"""

from __future__ import annotations

import importlib
import os
import sys
import types

import pytest

pytest.importorskip("enterprise_reporting", reason="edx-enterprise-data is not installed "
                    "(make test installs it with --no-deps when the registry has it)")
pytest.importorskip("edx_rest_api_client", reason="edx-rest-api-client is not installed")

_STAND_INS = ("boto3", "pgpy", "pyminizip", "fernet_fields", "fernet_fields.hkdf", "cryptography",
              "cryptography.fernet")


def _install_stand_ins():
    for name in _STAND_INS:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
        except ImportError:
            module = types.ModuleType(name)
            module.Fernet = object
            module.derive_fernet_key = lambda *a, **k: b""
            sys.modules[name] = module


@pytest.fixture(scope="module")
def clients(mockserver_server, django_configured):
    os.environ.update({"LMS_OAUTH_HOST": mockserver_server.url, "LMS_OAUTH_KEY": "reporting-client",
                       "LMS_OAUTH_SECRET": "secret", "PAGE_SIZE": "3"})
    _install_stand_ins()
    enterprise = importlib.import_module("enterprise_reporting.clients.enterprise")
    base = mockserver_server.url

    class CatalogList(enterprise.EnterpriseCatalogAPIClient):
        API_BASE_URL = base + "/enterprise/v1/"
        PAGE_SIZE = 3

    class CatalogContent(enterprise.EnterpriseCatalogAPIClient):
        API_BASE_URL = base + "/enterprise/v2/"
        GET_CONTENT_METADATA_ENDPOINT = "enterprise-catalogs/{}"
        PAGE_SIZE = 3

    return CatalogList(), CatalogContent()


def test_reporting_clients_walk_catalogs_and_content(clients, mockserver_app):
    world = mockserver_app.runtime.world
    listing, content = clients
    customer = "58152f7f-6d0e-41cf-862d-0a27c6fad72c"
    catalogs = listing.get_customer_catalogs(customer)
    assert catalogs["count"] == len(catalogs["results"]) > 0
    uuids = [c["uuid"] for c in catalogs["results"]]
    assert len(uuids) == len(set(uuids)), "pagination must not repeat catalogs"

    one = {"results": [{"uuid": "0e871df0-6e43-4cfc-92cc-357ebf1fda75"}]}
    items = content.get_content_metadata(one)
    assert items, "the document's 'All Content' catalog has content"
    kinds = {item["content_type"] for item in items}
    assert kinds <= {"course", "courserun", "program"}
    expected = world.enterprise_catalog_items(world.enterprise_catalog("0e871df0-6e43-4cfc-92cc-357ebf1fda75"))
    assert len(items) == len(expected), "traversing next links must reach every item exactly once"
    keys = {item.get("key") or item.get("uuid") for item in items}
    assert "course-v1:edX+DemoX+Demo_Course" in keys
