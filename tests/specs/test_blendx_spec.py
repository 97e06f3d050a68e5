"""Tests of specs/blendx.yaml for the two BlendX routes (`blendx.list_courses`, `blendx.get_course`).

Owns: every field the BlendX document lists is in the spec under its real name, each operation's
security, parameters and error responses, the light/full field sets, the course-run id pattern and the
consistency of the corrected document examples. The edx-search route is tested in test_search_spec.py;
generic checks (spec validity, every example against its schema, deviations page) live elsewhere.
"""

from __future__ import annotations

from typing import Any

import _spec_helpers as helpers
import pytest
from _spec_helpers import deviation_refs
from jsonschema_path import SchemaPath
from openapi_schema_validator import OAS30Validator

SPEC_FILE = helpers.spec_file("blendx")
DOC_FIELDS = helpers.load_data("blendx_doc_fields")

SPEC: dict[str, Any] = helpers.load_spec("blendx")
SPEC_PATH = SchemaPath.from_dict(SPEC)
OPS = helpers.operations_by_id(SPEC)

BLENDX_OPERATIONS = ("blendx.list_courses", "blendx.get_course")
ERROR_FAMILY = "#/components/schemas/BlendxError"


def operation(operation_id: str) -> tuple[str, str, SchemaPath]:
    """Path, method and (ref-resolving) node of the operation with this operationId."""
    path, method, _ = OPS[operation_id]
    return path, method, SPEC_PATH / "paths" / path / method


def response_schema(operation_id: str, status: str) -> SchemaPath:
    _, _, op = operation(operation_id)
    return op / "responses" / status / "content" / "application/json" / "schema"


def branches(schema: SchemaPath) -> list[SchemaPath]:
    """The schema and every allOf/anyOf/oneOf branch below it, refs resolved."""
    found = [schema]
    for keyword in ("allOf", "anyOf", "oneOf"):
        if keyword in schema:
            for branch in schema / keyword:
                found.extend(branches(branch))
    return found


def child(schema: SchemaPath, step: str) -> list[SchemaPath]:
    """Where one path step (a property name, or "[]" for array items) leads, over all branches."""
    found = []
    for branch in branches(schema):
        if step == "[]":
            if "items" in branch:
                found.append(branch / "items")
        elif "properties" in branch and step in branch / "properties":
            found.append(branch / "properties" / step)
    return found


def nodes_at(schema: SchemaPath, path: list[str]) -> list[SchemaPath]:
    nodes = [schema]
    for step in path:
        nodes = [n for node in nodes for n in child(node, step)]
    assert nodes, f"nothing at {path}"
    return nodes


def property_names(nodes: list[SchemaPath]) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        for branch in branches(node):
            if "properties" in branch:
                names.update((branch / "properties").keys())
    return names


def validator(pointer: str) -> OAS30Validator:
    """An OAS 3.0 validator for the schema at this JSON pointer of the spec, local refs resolvable."""
    return helpers.validator(SPEC, {"$ref": pointer})


# --- documented fields --------------------------------------------------------------------------


@pytest.mark.parametrize("group", sorted(DOC_FIELDS["groups"]))
def test_every_documented_field_is_in_the_spec_under_its_real_name(group: str) -> None:
    spec = DOC_FIELDS["groups"][group]
    names = property_names(nodes_at(response_schema(spec["operation"], spec["status"]), spec["path"]))
    renamed = spec.get("renamed", {})
    expected = {renamed.get(f, {}).get("real", f) for f in spec["fields"]}
    assert expected - names == set(), f"{group}: missing from the spec"
    for doc_name, rename in renamed.items():
        assert doc_name not in names, f"{doc_name} is documented as renamed to {rename['real']}"


def test_renamed_fields_carry_the_deviation_ref() -> None:
    for spec in DOC_FIELDS["groups"].values():
        for rename in spec.get("renamed", {}).values():
            nodes = nodes_at(response_schema(spec["operation"], spec["status"]), [*spec["path"], rename["real"]])
            refs = set().union(*(deviation_refs(n.read_value()) for n in nodes))
            assert rename["ref"] in refs


def test_light_items_have_exactly_the_17_light_fields_and_full_items_12_more() -> None:
    light = SPEC["components"]["schemas"]["BlendxCourseLight"]
    full = SPEC["components"]["schemas"]["BlendxCourseFull"]
    light_doc = DOC_FIELDS["groups"]["light_course"]["fields"]
    extra_doc = DOC_FIELDS["groups"]["full_course_extra"]["fields"]
    assert len(light_doc) == 17 and len(extra_doc) == 12
    assert set(light["required"]) == set(light["properties"]) == set(light_doc)
    assert full["allOf"][0] == {"$ref": "#/components/schemas/BlendxCourseLight"}
    assert set(full["allOf"][1]["required"]) == set(full["allOf"][1]["properties"]) == set(extra_doc)


def test_list_items_are_either_light_or_full() -> None:
    items = SPEC["components"]["schemas"]["BlendxCourseList"]["properties"]["courses"]["items"]
    assert items == {"anyOf": [{"$ref": "#/components/schemas/BlendxCourseLight"},
                               {"$ref": "#/components/schemas/BlendxCourseFull"}]}
    example = SPEC["paths"]["/blendxapi/discovery/courses/"]["get"]["responses"]["200"]["content"][
        "application/json"]["examples"]
    light_item = example["doc-light"]["value"]["courses"][0]
    full_schema = validator("#/components/schemas/BlendxCourseFull")
    assert not full_schema.is_valid(light_item), "a light item must not pass as a full one"
    assert validator("#/components/schemas/BlendxCourseLight").is_valid(light_item)


def test_detail_has_no_currency_and_list_has_no_detail_only_fields() -> None:
    detail = property_names([response_schema("blendx.get_course", "200")])
    light = property_names(nodes_at(response_schema("blendx.list_courses", "200"), ["courses", "[]"]))
    assert "currency" not in detail and "currency" in light
    assert {"start_display", "course_structure", "reviews", "organisation_id"} & light == set()


def test_available_course_modes_keep_camel_case_keys_and_record_it() -> None:
    mode = SPEC["components"]["schemas"]["CourseMode"]
    assert set(mode["required"]) == {"modeSlug", "minPrice", "modeDisplayName", "currency", "visible"}
    assert "gt-4.33" in deviation_refs(mode)


def test_nullable_fields_follow_the_document() -> None:
    light = SPEC["components"]["schemas"]["BlendxCourseLight"]["properties"]
    detail = SPEC["components"]["schemas"]["BlendxCourseDetail"]["properties"]
    assert light["org_logo_url"]["nullable"] and light["org_favicon_url"]["nullable"]
    assert detail["course_video_url"]["nullable"] and detail["organisation_logo_url"]["nullable"]
    assert not light["display_name"].get("nullable") and not light["start"].get("nullable")


# --- operations: security, parameters, errors ----------------------------------------------------


def test_operations_are_at_their_documented_paths() -> None:
    assert SPEC["servers"] == [{"url": "/"}]
    assert operation("blendx.list_courses")[:2] == ("/blendxapi/discovery/courses/", "get")
    assert operation("blendx.get_course")[:2] == ("/blendxapi/discovery/course/{openedx_course_id}/", "get")


@pytest.mark.parametrize("operation_id", BLENDX_OPERATIONS)
def test_blendx_operations_take_an_action_secret_or_a_session(operation_id: str) -> None:
    _, _, op = operation(operation_id)
    assert op.read_value()["security"] == [{"actionsecret": []}, {"session": []}]
    schemes = SPEC["components"]["securitySchemes"]
    assert schemes["actionsecret"] == {**schemes["actionsecret"], "type": "apiKey", "in": "header", "name": "actionsecret"}
    assert schemes["session"] == {**schemes["session"], "type": "apiKey", "in": "cookie", "name": "sessionid"}


@pytest.mark.parametrize("operation_id", BLENDX_OPERATIONS)
def test_blendx_operations_declare_exactly_the_documented_parameters(operation_id: str) -> None:
    _, _, op = operation(operation_id)
    params = {p.read_value()["name"]: p.read_value() for p in op / "parameters"}
    documented = DOC_FIELDS["parameters"][operation_id]
    assert set(params) == {p["name"] for p in documented}
    for doc in documented:
        param = params[doc["name"]]
        assert param["in"] == doc["in"]
        if "default" in doc:
            assert param["schema"]["default"] == doc["default"]


def test_list_parameters_keep_true_types_and_say_how_invalid_values_are_treated() -> None:
    _, _, op = operation("blendx.list_courses")
    params = {p.read_value()["name"]: p.read_value() for p in op / "parameters"}
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 8}
    assert params["limit"]["x-on-invalid"] == "clamp"
    assert params["page"]["schema"] == {"type": "integer", "minimum": 1, "default": 1}
    assert params["page"]["x-on-invalid"] == "first-page"
    assert params["fields"]["schema"]["enum"] == ["light", "full"]
    assert params["fields"]["x-on-invalid"] == "default"
    assert params["order_by"]["x-on-invalid"] == "default"
    assert all(not p.get("required", False) for p in params.values())


@pytest.mark.parametrize("operation_id", BLENDX_OPERATIONS)
def test_blendx_errors_are_the_documented_statuses_and_bodies(operation_id: str) -> None:
    _, _, op = operation(operation_id)
    documented = DOC_FIELDS["errors"][operation_id]
    statuses = set((op / "responses").keys()) - {"200"}
    assert statuses == set(documented), "no 400: BlendX tolerates bad query values"
    for status, message in documented.items():
        media = (op / "responses" / status / "content").read_value()
        assert list(media) == ["application/json"]
        assert media["application/json"]["schema"] == {"$ref": ERROR_FAMILY}
        bodies = [ex["value"] for ex in media["application/json"]["examples"].values()]
        assert {"message": message, "status": "failed"} in bodies


def test_blendx_error_body_requires_message_and_failed_status() -> None:
    check = validator(ERROR_FAMILY)
    assert check.is_valid({"message": "Unauthorized", "status": "failed"})
    assert not check.is_valid({"message": "Unauthorized"})
    assert not check.is_valid({"message": "Unauthorized", "status": "ok"})
    assert not check.is_valid({"detail": "Not found."})


# --- course-run id ------------------------------------------------------------------------------


@pytest.mark.parametrize("course_id", [
    "course-v1:Fundacion-Santa-Fe-de-Bogota+HOC201+2025_T2",
    "course-v1:edX+DemoX+Demo_Course",
    "course-v1:MITx+15.071x+1T2019",
])
def test_course_id_pattern_accepts_run_keys(course_id: str) -> None:
    assert validator("#/components/parameters/OpenedxCourseId/schema").is_valid(course_id)


@pytest.mark.parametrize("course_id", [
    "course-v1:MyUni+Sport101x",        # 2 segments: a course key, not a run
    "MITx+15.071x",
    "MITx/15.071x/1T2014",              # deprecated slash form cannot travel in one path segment
    "course-v1:edX+DemoX+Demo/Course",
    "267ce96d-1454-4292-aa42-1a0487c7eaaa",
])
def test_course_id_pattern_rejects_what_is_not_a_run_key(course_id: str) -> None:
    assert not validator("#/components/parameters/OpenedxCourseId/schema").is_valid(course_id)


def test_course_id_path_parameter_is_lenient_with_404() -> None:
    param = SPEC["components"]["parameters"]["OpenedxCourseId"]
    assert param["required"] is True and param["in"] == "path"
    assert param["x-on-invalid"] == "404"


# --- examples and deviations ----------------------------------------------------------------------


def list_examples() -> dict[str, Any]:
    return SPEC["paths"]["/blendxapi/discovery/courses/"]["get"]["responses"]["200"]["content"][
        "application/json"]["examples"]


@pytest.mark.parametrize("name", sorted(list_examples()))
def test_list_examples_have_consistent_paging(name: str) -> None:
    body = list_examples()[name]["value"]
    assert body["offset"] == (body["page"] - 1) * body["limit"]
    assert len(body["courses"]) <= body["limit"]
    assert body["has_more"] == (body["page"] * body["limit"] < body["total_count"])
    if body["courses"]:
        assert body["offset"] < body["total_count"]


def all_course_examples() -> list[dict[str, Any]]:
    detail = SPEC["paths"]["/blendxapi/discovery/course/{openedx_course_id}/"]["get"]["responses"]["200"][
        "content"]["application/json"]["examples"]
    courses = [c for ex in list_examples().values() for c in ex["value"]["courses"]]
    return courses + [ex["value"] for ex in detail.values()]


@pytest.mark.parametrize("course", all_course_examples(), ids=lambda c: c["openedx_course_id"])
def test_example_courses_agree_with_their_own_run_key(course: dict[str, Any]) -> None:
    org, number, _run = course["openedx_course_id"].removeprefix("course-v1:").split("+")
    image = course.get("display_image") or course["course_image_url"]
    assert f"asset-v1:{course['openedx_course_id'].removeprefix('course-v1:')}+" in image
    if "number" in course:
        assert course["number"] == number
    if "org" in course:
        assert course["org"] == org


def test_corrected_examples_record_why() -> None:
    examples = list_examples()
    assert {"gt-4.30", "gt-4.32"} <= deviation_refs(examples["doc-light"])
    assert {"gt-4.31", "gt-4.32"} <= deviation_refs(examples["doc-full"])


def test_every_blendx_document_error_is_recorded_in_the_spec() -> None:
    refs = deviation_refs(SPEC)
    assert {f"gt-4.{n}" for n in range(29, 37)} <= refs


def test_every_deviation_says_what_the_document_says_what_is_real_and_why() -> None:
    deviations = [entry for _, entry in helpers.deviation_entries(SPEC)]
    assert deviations
    for deviation in deviations:
        assert set(deviation) == {"ref", "doc", "real", "evidence"}, deviation
        assert all(isinstance(v, str) and v for v in deviation.values()), deviation


def test_spec_names_no_python_code_but_operation_ids() -> None:
    text = SPEC_FILE.read_text("utf-8")
    assert "x-apikeyInfoFunc" not in text
    assert "mockserver." not in text
