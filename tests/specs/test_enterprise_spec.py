"""Tests of specs/enterprise.yaml, the edX Enterprise API spec.

Owns the Enterprise-specific promises of the spec: documented fields under their real names, the
per-operation security, errors and paging parameters, the content-item union, the key patterns,
and the JSON/XML media types. Generic checks (spec validity, every example against its schema,
deviations page freshness) live in the lead's generic spec tests.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import _spec_helpers as helpers
import pytest
from defusedxml import ElementTree

DATA = helpers.load_data("enterprise_doc_fields")
SPEC: dict[str, Any] = helpers.load_spec("enterprise")
SCHEMAS = SPEC["components"]["schemas"]

OPERATION_IDS = {
    "enterprise.list_enterprise_catalogs",
    "enterprise.get_enterprise_catalog",
    "enterprise.get_catalog_course",
    "enterprise.get_catalog_course_run",
    "enterprise.get_catalog_program",
    "enterprise.get_learner_summary",
}
PAGED = {
    "enterprise.list_enterprise_catalogs": 100,
    "enterprise.get_enterprise_catalog": 100,
    "enterprise.get_learner_summary": 1000,
}
ERROR_STATUSES = {"400", "401", "403", "404", "405", "406", "429"}


OPS = helpers.operations_by_id(SPEC)
resolve = partial(helpers.resolve, SPEC)
is_valid = partial(helpers.is_valid, SPEC)
deviations = partial(helpers.deviation_entries, SPEC)


def walk(node: Any, path: str = ""):
    """Yield (json-pointer, key, value) for every mapping entry in the spec."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}/{i}")


def params_of(op: dict) -> dict[str, dict]:
    return {resolve(p)["name"]: resolve(p) for p in op.get("parameters", [])}


# --- documented fields --------------------------------------------------------------------------


@pytest.mark.parametrize("table", sorted(DATA["tables"]))
def test_documented_fields_appear_under_their_real_names(table):
    spec_table = DATA["tables"][table]
    properties = SCHEMAS[spec_table["schema"]]["properties"]
    renamed = spec_table.get("renamed", {})
    for field in spec_table["fields"]:
        real = renamed.get(field, {}).get("real", field)
        assert real in properties, f"{spec_table['section']}: {field} (real name {real}) missing"


def test_renamed_learner_summary_fields_use_real_names_and_cite_the_deviation():
    table = DATA["tables"]["learner_summary"]
    properties = SCHEMAS[table["schema"]]["properties"]
    for doc_name, rename in table["renamed"].items():
        assert doc_name not in properties, f"document name {doc_name} must not be served"
        deviation = properties[rename["real"]]["x-doc-deviation"]
        assert deviation["ref"] == rename["ref"] and deviation["doc"] == doc_name


def test_learner_summary_requires_every_documented_field():
    table = DATA["tables"]["learner_summary"]
    real_names = {table["renamed"].get(f, {}).get("real", f) for f in table["fields"]}
    assert len(real_names) == 44
    assert real_names <= set(SCHEMAS["LearnerEnrollment"]["required"])


def test_doc_example_keys_exist_on_course_run_listing_schema():
    properties = SCHEMAS["CourseRunContentItem"]["properties"]
    assert set(DATA["doc_example_course_run_keys"]) <= set(properties)


# --- operations: ids, security, errors, media types ---------------------------------------------


def test_operation_ids_are_the_architecture_names():
    assert set(OPS) == OPERATION_IDS
    assert SPEC["servers"][0]["url"] == "/enterprise"


@pytest.mark.parametrize("operation_id", sorted(OPERATION_IDS))
def test_operation_requires_jwt(operation_id):
    _, _, op = OPS[operation_id]
    assert op.get("security", SPEC["security"]) == [{"jwt": []}]
    scheme = SPEC["components"]["securitySchemes"]["jwt"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")


def test_spec_names_no_python_code_besides_operation_ids():
    keys = {key for _, key, _ in walk(SPEC)}
    assert not {k for k in keys if k.startswith("x-") and k.lower().endswith("func")}


@pytest.mark.parametrize("operation_id", sorted(OPERATION_IDS))
def test_operation_declares_every_real_error_with_its_family(operation_id):
    _, _, op = OPS[operation_id]
    responses = {code: resolve(r) for code, r in op["responses"].items()}
    assert ERROR_STATUSES <= set(responses)
    for code in ERROR_STATUSES:
        assert list(responses[code]["content"]) == ["application/json"], code
    gateway = {"400", "405"}
    for code in ERROR_STATUSES:
        schema = resolve(responses[code]["content"]["application/json"]["schema"])
        assert schema["required"] == (["message"] if code in gateway else ["detail"]), code
    missing_auth = responses["400"]["content"]["application/json"]["examples"]
    assert {"message": "Missing required request headers: [Authorization]"} in [e["value"] for e in missing_auth.values()]
    assert "WWW-Authenticate" in responses["401"]["headers"]
    assert "Allow" in responses["405"]["headers"]
    assert "Retry-After" in responses["429"]["headers"]


def test_unauthorized_documents_the_drf_jwt_messages():
    examples = resolve(SPEC["components"]["responses"]["Unauthorized"])["content"]["application/json"]["examples"]
    details = {e["value"]["detail"] for e in examples.values()}
    assert {"Token has expired.", "Error decoding token.", "Invalid token.", "Invalid payload.",
            "User account is disabled.", "Authentication credentials were not provided."} <= details
    header = resolve(SPEC["components"]["responses"]["Unauthorized"]["headers"]["WWW-Authenticate"])
    assert header["schema"]["enum"] == ['JWT realm="api"']


@pytest.mark.parametrize("operation_id", sorted(OPERATION_IDS))
def test_success_offers_json_and_drf_xml(operation_id):
    _, _, op = OPS[operation_id]
    content = op["responses"]["200"]["content"]
    assert list(content) == ["application/json", "application/xml"]
    xml = content["application/xml"]
    assert resolve(xml["schema"])["type"] == "string"
    assert xml["example"].startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    assert ElementTree.fromstring(xml["example"].encode()).tag == "root"


# --- paging -------------------------------------------------------------------------------------


@pytest.mark.parametrize("operation_id", sorted(PAGED))
def test_list_operations_take_lenient_page_and_page_size(operation_id):
    _, _, op = OPS[operation_id]
    params = params_of(op)
    page, size = params["page"], params["page_size"]
    assert page["x-on-invalid"] == "404"
    assert (page["schema"]["type"], page["schema"]["minimum"], page["schema"]["default"]) == ("integer", 1, 1)
    assert size["x-on-invalid"] in {"clamp", "default"}
    assert (size["schema"]["type"], size["schema"]["default"], size["schema"]["maximum"]) == ("integer", 10, PAGED[operation_id])
    body = resolve(op["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(body["required"]) == set(body["properties"]) == {"count", "next", "previous", "results"}


def test_limit_is_an_alias_only_on_the_catalog_content_route():
    carrying = {oid for oid, (_, _, op) in OPS.items() if "limit" in params_of(op)}
    assert carrying == {"enterprise.get_enterprise_catalog"}
    limit = params_of(OPS["enterprise.get_enterprise_catalog"][2])["limit"]
    assert limit["x-doc-deviation"]["ref"] == "gt-4.14"
    assert limit["schema"]["default"] == 10 and "x-on-invalid" in limit


@pytest.mark.parametrize("link", [None, "", "https://api.edx.org/enterprise/v1/enterprise-catalogs?page=2"])
def test_page_links_accept_null_empty_string_and_urls(link):
    body = {"count": 0, "next": link, "previous": link, "results": []}
    assert is_valid({"$ref": "#/components/schemas/EnterpriseCatalogPage"}, body)


def test_page_envelope_rejects_a_body_without_count():
    assert not is_valid({"$ref": "#/components/schemas/EnterpriseCatalogPage"}, {"next": None, "previous": None, "results": []})


# --- keys and path patterns ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("course-v1:edX+DemoX+Demo_Course", True),
        ("course-v1:MITx+15.071x+3T2025", True),
        ("course-v1:MyUni+Sport101x", False),  # the document's example request: 404 (gt-4.16)
        ("edX+DemoX", False),
    ],
)
def test_course_run_id_requires_three_segments(value, ok):
    param = resolve(SPEC["components"]["parameters"]["CourseRunId"])
    assert is_valid(param["schema"], value) is ok
    assert param["x-on-invalid"] == "404"


@pytest.mark.parametrize(
    ("value", "ok"),
    [("edX+DemoX", True), ("MITx+15.071x", True), ("edX", False), ("course-v1:edX+DemoX+Demo_Course", False)],
)
def test_course_key_is_org_plus_number(value, ok):
    assert is_valid(SPEC["components"]["parameters"]["CourseKey"]["schema"], value) is ok


def test_document_program_uuid_example_is_not_a_uuid():
    schema = SPEC["components"]["parameters"]["ProgramUuid"]["schema"]
    assert not is_valid(schema, "7b24a21c-98c8-47c0-b9c8-g54714d40d94")
    assert is_valid(schema, "7b24a21c-98c8-47c0-b9c8-a54714d40d94")


@pytest.mark.parametrize(
    ("schema", "field", "good", "bad"),
    [
        ("CourseContentItem", "aggregation_key", "course:edX+DemoX", "courserun:edX+DemoX"),
        ("CourseRunContentItem", "aggregation_key", "courserun:edX+DemoX", "course:edX+DemoX"),
        ("ProgramContentItem", "aggregation_key", "program:a3951294-926b-4247-8c3c-51c1e4347a15", "program:7a8b9c6ead"),
    ],
)
def test_aggregation_key_formats(schema, field, good, bad):
    sub = SCHEMAS[schema]["properties"][field]
    assert is_valid(sub, good) and not is_valid(sub, bad)


# --- the content-item union ---------------------------------------------------------------------

ITEMS = {
    "course": {"content_type": "course", "key": "edX+DemoX", "aggregation_key": "course:edX+DemoX",
               "title": "Demo", "enrollment_url": "https://courses.edx.org/enterprise/x/course/edX+DemoX/enroll/"},
    "courserun": {"content_type": "courserun", "key": "course-v1:edX+DemoX+Demo_Course",
                  "aggregation_key": "courserun:edX+DemoX", "title": "Demo",
                  "enrollment_url": "https://courses.edx.org/enterprise/x/course/course-v1:edX+DemoX+Demo_Course/enroll/"},
    "program": {"content_type": "program", "uuid": "a3951294-926b-4247-8c3c-51c1e4347a15",
                "aggregation_key": "program:a3951294-926b-4247-8c3c-51c1e4347a15", "title": "Stats", "enrollment_url": None},
}


def test_content_item_discriminator_maps_each_content_type():
    mapping = SCHEMAS["ContentItem"]["discriminator"]["mapping"]
    assert {"course", "courserun", "program"} <= set(mapping)
    for content_type, ref in mapping.items():
        assert resolve({"$ref": ref})["properties"]["content_type"]["enum"] == [content_type]


@pytest.mark.parametrize("content_type", sorted(ITEMS))
def test_each_content_type_validates_as_a_content_item(content_type):
    assert is_valid({"$ref": "#/components/schemas/ContentItem"}, ITEMS[content_type])


@pytest.mark.parametrize(
    "item",
    [
        {**ITEMS["courserun"], "key": "course-v1:edX+DemoX"},  # 2-segment run key
        {**ITEMS["course"], "content_type": "video"},  # unknown content type
        {k: v for k, v in ITEMS["courserun"].items() if k != "key"},  # identity key missing
        {**ITEMS["courserun"], "start": "2017-11-01T05:00:00"},  # the document's zone-less date (gt-4.26)
        {**ITEMS["courserun"], "seat_types": "verified"},  # seat_types is an array (gt-4.21)
    ],
)
def test_malformed_content_items_are_rejected(item):
    assert not is_valid({"$ref": "#/components/schemas/ContentItem"}, item)


def test_program_listing_language_is_an_array_and_run_language_a_nullable_name():
    assert SCHEMAS["ProgramContentItem"]["properties"]["language"]["type"] == "array"
    run_language = SCHEMAS["CourseRunContentItem"]["properties"]["language"]
    assert run_language["type"] == "string" and run_language["nullable"] is True


def test_logo_image_urls_may_contain_null():
    sub = SCHEMAS["CourseRunContentItem"]["properties"]["logo_image_urls"]
    assert is_valid(sub, [None, "https://example.org/logo.png"])


def test_course_detail_image_is_an_object_or_null_not_an_array():
    sub = SCHEMAS["CourseDetail"]["properties"]["image"]
    assert is_valid(sub, None)
    assert is_valid(sub, {"src": "https://x/y.jpg", "description": None, "height": None, "width": None})
    assert not is_valid(sub, [{"src": "https://x/y.jpg"}])


def test_detail_routes_add_enrollment_url_everywhere():
    assert "enrollment_url" in SCHEMAS["CourseDetail"]["required"]
    assert "enrollment_url" in SCHEMAS["CourseRunDetail"]["required"]
    assert "enrollment_url" in SCHEMAS["ProgramDetail"]["required"]
    assert "enrollment_url" in SCHEMAS["ProgramCourse"]["required"]
    assert "enrollment_url" in SCHEMAS["ProgramCourse"]["properties"]["course_runs"]["items"]["required"]


# --- learner summary ----------------------------------------------------------------------------


def test_learner_summary_prices_are_numbers_and_dates_are_dates():
    properties = SCHEMAS["LearnerEnrollment"]["properties"]
    for price in ("course_list_price", "amount_learner_paid"):
        assert properties[price]["type"] == "number"
        assert is_valid(properties[price], 199.0) and not is_valid(properties[price], "199.00")
    for date in ("enrollment_date", "course_start_date", "course_end_date", "last_activity_date", "passed_date"):
        assert properties[date]["format"] == "date"
    assert not is_valid(properties["enrollment_date"], "2025-03-02T00:00:00Z")


def test_learner_summary_describes_ordering_and_course_api_url_quirk():
    _, _, op = OPS["enterprise.get_learner_summary"]
    assert "-last_activity_date" in op["description"]
    quirk = SCHEMAS["LearnerEnrollment"]["properties"]["course_api_url"]["description"]
    assert "/enterprise/v1/enterprise-catalogs/{enterprise_customer_uuid}/courses/{courserun_key}" in quirk


# --- deviations and document examples -----------------------------------------------------------


def test_every_enterprise_ground_truth_item_is_recorded():
    refs = {entry["ref"] for _, entry in deviations()}
    assert set(DATA["ground_truth_refs"]) <= refs


def test_every_deviation_names_ref_doc_real_and_evidence():
    for pointer, entry in deviations():
        assert set(entry) >= {"ref", "doc", "real", "evidence"}, pointer
        assert all(isinstance(entry[k], str) and entry[k] for k in ("ref", "doc", "real", "evidence")), pointer


def test_document_listing_example_is_kept_corrected_and_valid():
    _, _, op = OPS["enterprise.get_enterprise_catalog"]
    media = op["responses"]["200"]["content"]["application/json"]
    example = media["examples"]["doc-course-run-listing"]
    item = example["value"]["results"][0]
    assert item["key"] == "course-v1:edX+DemoX+Demo_Course" and item["start"].endswith("Z")
    assert not {"uuid", "title", "enterprise_customer"} & set(example["value"])
    assert "gt-4.26" in example["description"] and "gt-4.16" in example["description"]
    assert is_valid(media["schema"], example["value"])


def test_challenge_and_retry_headers_are_required():
    headers = SPEC["components"]["headers"]
    assert headers["WWW-Authenticate"]["required"] is True
    assert headers["Retry-After"]["required"] is True


@pytest.mark.parametrize(
    ("operation_id", "on_invalid"),
    [
        ("enterprise.get_enterprise_catalog", "404"),  # get_object_or_404 on the catalog
        ("enterprise.get_catalog_course", None),  # unknown catalog: 403 from the role check, not lenient
        ("enterprise.get_catalog_course_run", None),
        ("enterprise.get_catalog_program", None),
    ],
)
def test_unknown_catalog_handling_per_route(operation_id, on_invalid):
    catalog = params_of(OPS[operation_id][2])["catalog_id"]
    assert catalog.get("x-on-invalid") == on_invalid
    if on_invalid is None:
        assert "403" in catalog["description"]
