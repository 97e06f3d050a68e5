"""Tests of specs/catalog.yaml, the edX Course Catalog API spec.

Owns the catalog-specific promises of the spec: every documented field under its real name, the
per-operation security, error responses (with their families, headers and texts) and paging parameters,
the key patterns, and the corrections of the document's types. Generic checks (validity, every example
against its schema, the deviations page) live in tests/specs/test_specs.py.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import _spec_helpers as helpers
import pytest
import yaml

SPEC: dict[str, Any] = helpers.load_spec("catalog")
DATA = helpers.load_data("catalog_doc_fields")
SCHEMAS = SPEC["components"]["schemas"]

OPERATIONS = {
    "catalog.list_catalogs": ("/catalogs/", {"limit", "offset", "page", "page_size", "username"}),
    "catalog.get_catalog": ("/catalogs/{id}/", {"id"}),
    "catalog.list_catalog_courses": ("/catalogs/{id}/courses/", {"id", "limit", "offset", "page", "page_size"}),
}
GATEWAY_STATUSES = {"400", "405", "500", "503"}
DRF_STATUSES = {"401", "403", "404", "406", "429"}
DRF_JWT_401_TEXTS = {
    "Token has expired.",
    "Error decoding token.",
    "Invalid token.",
    "Invalid payload.",
    "User account is disabled.",
    "Authentication credentials were not provided.",
    "Invalid Authorization header. No credentials provided.",
    "Invalid Authorization header. Credentials string should not contain spaces.",
}


resolve = partial(helpers.resolve, SPEC)
validator = partial(helpers.validator, SPEC)


def is_valid(schema_name: str, value: Any) -> bool:
    return validator({"$ref": f"#/components/schemas/{schema_name}"}).is_valid(value)


def properties(schema: Any) -> dict:
    """The properties of a schema, looking through `$ref` and `allOf`."""
    schema = resolve(schema)
    found = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        found.update(properties(part))
    return found


def property_at(schema_name: str, dotted: str) -> dict | None:
    """The schema of `a.b.c` inside a component schema, or None."""
    node: Any = SCHEMAS[schema_name]
    for name in dotted.split("."):
        node = properties(node).get(name)
        if node is None:
            return None
    return node


def deviation_refs(node: Any) -> set[str]:
    """Every x-doc-deviation ref recorded in a subtree (following refs one level into components)."""
    return helpers.deviation_refs(node) | helpers.deviation_refs(resolve(node))


def operation(operation_id: str) -> dict:
    path, _ = OPERATIONS[operation_id]
    return SPEC["paths"][path]["get"]


def parameter(operation_id: str, name: str) -> dict:
    for param in operation(operation_id).get("parameters", []):
        param = resolve(param)
        if param["name"] == name:
            return param
    raise AssertionError(f"{operation_id} has no parameter {name}")


# --- documented fields ---------------------------------------------------------------------------------

DOC_FIELDS = [
    (table, field) for table, spec in DATA["tables"].items() for field in spec["fields"]
]


@pytest.mark.parametrize(("table", "field"), DOC_FIELDS, ids=[f"{t}.{f}" for t, f in DOC_FIELDS])
def test_every_documented_field_appears_under_its_real_name(table, field):
    spec = DATA["tables"][table]
    renamed = spec.get("renamed", {}).get(field)
    real = renamed["real"] if renamed else field
    assert property_at(spec["schema"], real) is not None, \
        f"{spec['section']}: {field!r} (real {real!r}) is not a property of {spec['schema']}"
    if renamed:
        assert renamed["ref"] in deviation_refs(SCHEMAS[spec["schema"]]), \
            f"{spec['schema']} does not record the rename {field} -> {real} ({renamed['ref']})"


def test_fields_the_table_omits_are_recorded_as_deviations():
    spec = DATA["tables"]["course_runs_undocumented"]
    for field in spec["fields"]:
        assert spec["ref"] in deviation_refs(property_at(spec["schema"], field)), field


def test_every_document_error_of_the_catalog_part_is_recorded():
    refs = deviation_refs(SPEC)
    assert {f"gt-4.{n}" for n in range(1, 13)} <= refs


@pytest.mark.parametrize("case", DATA["doc_values_rejected"], ids=lambda c: f"{c['schema']}-{c['ref']}")
def test_document_values_the_real_server_never_sends_are_rejected(case):
    assert not is_valid(case["schema"], case["value"])


# --- operations: security, errors, parameters ------------------------------------------------------------

def test_exactly_the_three_get_operations():
    found = {op["operationId"]: (path, method) for path, item in SPEC["paths"].items()
             for method, op in item.items() if isinstance(op, dict) and "operationId" in op}
    assert found == {oid: (path, "get") for oid, (path, _) in OPERATIONS.items()}
    assert SPEC["servers"][0]["url"] == "/catalog/v1"


def test_jwt_scheme_is_the_authorization_header():
    scheme = SPEC["components"]["securitySchemes"]["jwt"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
    assert "x-apikeyInfoFunc" not in yaml.safe_dump(SPEC)


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_operation_requires_jwt_explicitly(operation_id):
    assert operation(operation_id)["security"] == [{"jwt": []}]


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_operation_declares_every_error_with_its_family(operation_id):
    responses = operation(operation_id)["responses"]
    assert set(responses) == {"200"} | GATEWAY_STATUSES | DRF_STATUSES
    for status, response in responses.items():
        content = resolve(response)["content"]
        assert list(content) == ["application/json"], status
        if status == "200":
            continue
        family = "GatewayError" if status in GATEWAY_STATUSES else "DrfError"
        assert content["application/json"]["schema"] == {"$ref": f"#/components/schemas/{family}"}, status
        examples = content["application/json"]["examples"]
        assert examples and all(is_valid(family, resolve(e)["value"]) for e in examples.values()), status


@pytest.mark.parametrize(("status", "header"), [("401", "WWW-Authenticate"), ("429", "Retry-After"), ("405", "Allow")])
def test_error_responses_carry_their_headers(status, header):
    for operation_id in OPERATIONS:
        headers = resolve(operation(operation_id)["responses"][status]).get("headers", {})
        assert resolve(headers.get(header, {})).get("required") is True, f"{operation_id} {status} {header}"


def test_401_challenge_is_drf_jwts():
    assert SPEC["components"]["headers"]["WWW-Authenticate"]["schema"]["enum"] == ['JWT realm="api"']


def _example_values(response_name: str, key: str) -> set[str]:
    examples = SPEC["components"]["responses"][response_name]["content"]["application/json"]["examples"]
    return {e["value"][key] for e in examples.values()}


def test_error_texts_are_the_real_servers():
    assert _example_values("Unauthorized", "detail") == DRF_JWT_401_TEXTS
    assert _example_values("MissingAuthorization", "message") == {"Missing required request headers: [Authorization]"}
    assert _example_values("NotAcceptable", "detail") == {"Could not satisfy the request Accept header."}
    assert "Invalid page." in _example_values("CatalogCoursesNotFound", "detail")
    assert "Not found." in _example_values("CatalogNotFound", "detail")


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_operation_declares_exactly_its_parameters(operation_id):
    names = {resolve(p)["name"] for p in operation(operation_id).get("parameters", [])}
    assert names == OPERATIONS[operation_id][1]



@pytest.mark.parametrize("operation_id", ["catalog.list_catalogs", "catalog.list_catalog_courses"])
def test_paging_parameters_keep_true_types_and_say_how_they_are_lenient(operation_id):
    expected = {
        "limit": ({"type": "integer", "minimum": 1, "default": 20}, "default"),
        "offset": ({"type": "integer", "minimum": 0, "default": 0}, "default"),
        "page_size": ({"type": "integer", "minimum": 1, "default": 20}, "default"),
    }
    for name, (schema, on_invalid) in expected.items():
        param = parameter(operation_id, name)
        assert param["schema"] == schema, name
        assert "maximum" not in param["schema"], f"{name}: DRF sets no maximum here"
        assert param["x-on-invalid"] == on_invalid, name
    page = parameter(operation_id, "page")
    assert page["x-on-invalid"] == "404"
    page_validator = validator(page["schema"])
    assert page_validator.is_valid(3) and page_validator.is_valid("last")
    assert not page_validator.is_valid(0) and not page_validator.is_valid("abc")


@pytest.mark.parametrize("operation_id", ["catalog.get_catalog", "catalog.list_catalog_courses"])
def test_catalog_id_is_an_integer_and_anything_else_is_a_404(operation_id):
    param = parameter(operation_id, "id")
    assert param["in"] == "path" and param["required"] is True
    assert param["schema"]["type"] == "integer" and param["x-on-invalid"] == "404"
    assert not validator(param["schema"]).is_valid("abc")


# --- shapes a reader relies on ---------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "valid"), [
    ("course-v1:MITx+15.071x+1T2019", True),
    ("course-v1:edX+DemoX+Demo_Course", True),
    ("MITx/15.071x/1T2014", True),
    ("course-v1:MITx+15.071x", False),
    ("MITx+15.071x", False),
])
def test_run_key_pattern_needs_three_segments(value, valid):
    assert is_valid("CourseRunKey", value) is valid


@pytest.mark.parametrize(("value", "valid"), [
    ("MITx+15.071x", True), ("HarvardX+CS50x", True), ("course-v1:MITx+15.071x+1T2019", False),
])
def test_course_key_pattern(value, valid):
    assert is_valid("CourseKey", value) is valid


def test_page_links_may_be_null_and_previous_drops_offset_zero():
    assert is_valid("PageLink", None)
    assert "gt-4.9" in deviation_refs(SCHEMAS["CoursePage"]["properties"]["previous"])
    example = SPEC["paths"]["/catalogs/{id}/courses/"]["get"]["responses"]["200"]["content"]["application/json"][
        "examples"]["doc-course-list"]["value"]
    assert "offset=0" not in example["previous"]


def test_images_are_objects_with_integer_or_null_sizes():
    assert is_valid("Image", {"src": "https://x/y.jpg", "description": None, "height": None, "width": None})
    assert is_valid("Image", None)
    assert is_valid("Image", {"src": "https://x/y.jpg", "description": "d", "height": 300, "width": 400})


def test_person_profile_image_is_a_dict_of_size_variants():
    person = {"uuid": "4f8e2b9c-3d1a-4c5e-9a7b-2e6f8d0c1b3a", "given_name": "Ada", "family_name": "Lovelace",
              "bio": None, "profile_image": {"medium": {"height": 110, "url": "https://x/p.png", "width": 110}}}
    assert is_valid("Person", person)
    assert is_valid("Person", {**person, "profile_image": {}})
    assert not is_valid("Person", {**person, "profile_image": {"src": "https://x/p.png", "description": None,
                                                                 "height": 150, "width": 150}})


def test_enumerations_follow_the_code_not_the_document():
    pacing = property_at("CourseRun", "pacing_type")
    assert pacing["enum"] == ["instructor_paced", "self_paced", None] and pacing["nullable"] is True
    level = property_at("Course", "level_type")
    assert "enum" not in level and level["nullable"] is True
    assert property_at("CourseRun", "instructors")["maxItems"] == 0


def test_seat_price_is_a_two_decimal_string():
    seat = {"type": "verified", "price": "150.00", "currency": "USD", "upgrade_deadline": None,
            "credit_provider": None, "credit_hours": None}
    assert is_valid("Seat", seat)
    assert not is_valid("Seat", {**seat, "price": 150})
    assert not is_valid("Seat", {**seat, "type": "professional education"})


def test_responses_allow_extra_properties():
    offenders = [name for name, schema in SCHEMAS.items() if schema.get("additionalProperties") is False]
    assert not offenders


def test_course_requires_only_the_fields_every_deployment_sends():
    assert set(SCHEMAS["Course"]["required"]) == set(DATA["tables"]["course"]["fields"]) - {"expected_learning_items`"} | {
        "expected_learning_items"}
    assert "uuid" not in SCHEMAS["Course"]["required"]
