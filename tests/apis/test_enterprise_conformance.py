"""schemathesis over every operation of specs/enterprise.yaml against the mock, in process, with connexion's
response validation on (so a body that breaks its schema is a 500 and fails the run twice over).

Checks: every check schemathesis 4 has, except the ones a lenient real server legitimately fails
(each listed below with its reason). Positive and negative data, bounded examples per operation.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks as oa_checks

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK, token_for

APP = create_app(Settings(seed=1, clock=DEFAULT_TEST_CLOCK, size="small"), validate_responses=True)
schema = schemathesis.openapi.from_asgi("/enterprise/openapi.json", APP)
schema.config.update(headers={"Authorization": f"JWT {token_for(APP)}"})

# The real services never answer 400 for a bad parameter: `page_size=abc` falls back to 10, `page_size=5000` is cut to
# 100, `limit` is ignored (x-on-invalid in the spec). So "negative data was accepted" is not drift, and neither is
# "a schema-valid request was rejected" when the rejection is the 403/404 the spec documents for an id that names
# nothing in this world (random uuids are schema-valid but are no catalog, customer or program).
EXCLUDED = [
    oa_checks.negative_data_rejection,     # lenient parameters (x-on-invalid), see above
    oa_checks.positive_data_acceptance,    # random schema-valid ids name no record: documented 403/404
    # Without `Authorization` api.edx.org answers 400 (gateway "missing required header"), not 401/403; the spec
    # documents that 400 and test_enterprise.py checks it, so this check's 401/403 expectation does not apply.
    oa_checks.ignored_auth,
    oa_checks.missing_required_header,     # same gateway 400 for the missing security header (expects 401)
]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_enterprise_operation_conforms_to_its_spec(case):
    case.call_and_validate(excluded_checks=EXCLUDED)


@pytest.mark.parametrize("path", [
    "/enterprise/v1/enterprise-catalogs?page_size=3&page=2",
    "/enterprise/v2/enterprise-catalogs/0e871df0-6e43-4cfc-92cc-357ebf1fda75?page_size=100",
    "/enterprise/v2/enterprise-catalogs/0e871df0-6e43-4cfc-92cc-357ebf1fda75/course-runs/course-v1:edX+DemoX+Demo_Course",
    "/enterprise/v3/enterprise-customer/58152f7f-6d0e-41cf-862d-0a27c6fad72c/learner-summary?page_size=1000",
])
def test_known_records_pass_connexion_response_validation(path):
    """Random ids rarely hit a record, so the 200 bodies of real records are validated here explicitly."""
    from starlette.testclient import TestClient

    with TestClient(APP, base_url="http://testserver") as client:
        response = client.get(path, headers={"Authorization": f"JWT {token_for(APP)}"})
    assert response.status_code == 200, response.text


def test_every_content_item_and_its_detail_pass_response_validation():
    from starlette.testclient import TestClient

    headers = {"Authorization": f"JWT {token_for(APP)}"}
    with TestClient(APP, base_url="http://testserver") as client:
        for catalog in client.get("/enterprise/v1/enterprise-catalogs?page_size=100", headers=headers).json()["results"]:
            base = f"/enterprise/v2/enterprise-catalogs/{catalog['uuid']}"
            page = client.get(f"{base}?page_size=100", headers=headers)
            assert page.status_code == 200, page.text
            for item in page.json()["results"]:
                route = {"course": "courses", "courserun": "course-runs", "program": "programs"}[item["content_type"]]
                key = item["uuid"] if item["content_type"] == "program" else item["key"]
                detail = client.get(f"{base}/{route}/{key}", headers=headers)
                assert detail.status_code == 200, (route, key, detail.text)
