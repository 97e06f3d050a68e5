"""Tests of specs/blendx.yaml for the stock edx-search route `POST /search/course_discovery/`
(`search.course_discovery`).

Owns: every field the document lists for the search is in the spec (or where the real server sends it),
no auth, both form encodings, the paging fields with their real bounds and 500 leniency, the
`{"error"}`-only failure body, the 405 description and the `aggs`/`score` rules. Generic example and
deviation checks live elsewhere.
"""

from __future__ import annotations

from typing import Any

import _spec_helpers as helpers
import pytest
from _spec_helpers import deviation_refs
from jsonschema_path import SchemaPath
from openapi_schema_validator import OAS30Validator

SPEC: dict[str, Any] = helpers.load_spec("blendx")
DOC = helpers.load_data("blendx_search_doc_fields")

PATH = "/search/course_discovery/"
OPERATION = SchemaPath.from_dict(SPEC) / "paths" / PATH / "post"
RAW_OPERATION = SPEC["paths"][PATH]["post"]
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def validator(pointer: str) -> OAS30Validator:
    """An OAS 3.0 validator for the schema at this JSON pointer of the spec, local refs resolvable."""
    return helpers.validator(SPEC, {"$ref": pointer})


def schema_at(status: str, path: list[str]) -> SchemaPath:
    node = OPERATION / "responses" / status / "content" / "application/json" / "schema"
    for step in path:
        node = node / "items" if step == "[]" else node / "properties" / step
    return node


def hit(**overrides: Any) -> dict[str, Any]:
    """A minimal real-looking Elasticsearch hit."""
    key = "course-v1:edX+DemoX+Demo_Course"
    base = {"_index": "course_info", "_type": "_doc", "_id": key, "score": 1.0,
            "data": {"id": key, "course": key, "content": {"display_name": "Demo", "number": "DemoX"},
                     "image_url": "/asset-v1:edX+DemoX+Demo_Course+type@asset+block@images_course_image.jpg",
                     "start": "2013-02-05T05:00:00+00:00", "number": "DemoX", "org": "edX",
                     "modes": ["audit", "verified"]}}
    base.update(overrides)
    return base


def page(**overrides: Any) -> dict[str, Any]:
    body = {"took": 3, "total": 1, "max_score": 1.0, "results": [hit()],
            "aggs": {"org": {"terms": {"edX": 1}, "total": 1, "other": 0}}}
    body.update(overrides)
    return body


# --- documented fields --------------------------------------------------------------------------


@pytest.mark.parametrize("group", sorted(DOC["groups"]))
def test_every_documented_response_field_is_where_the_real_server_sends_it(group: str) -> None:
    spec = DOC["groups"][group]
    names = set((schema_at("200", spec["path"]) / "properties").keys())
    moved = spec.get("moved", {})
    assert set(spec["fields"]) - set(moved) - names == set(), f"{group}: missing from the 200 schema"
    for name, where in moved.items():
        assert name not in names, f"{name} is never part of a successful body"
        elsewhere = OPERATION / "responses" / where["status"] / "content" / "application/json" / "schema"
        assert name in (elsewhere / "properties").keys()
        assert where["ref"] in deviation_refs(elsewhere.read_value())


@pytest.mark.parametrize("media_type", FORM_TYPES)
def test_every_documented_form_field_is_accepted_in_both_encodings(media_type: str) -> None:
    form = (OPERATION / "requestBody" / "content" / media_type / "schema").read_value()
    assert set(DOC["form"]) <= set(form["properties"])
    assert {"org", "modes", "language"} <= set(form["properties"]), "the default term filters"


# --- operation ------------------------------------------------------------------------------------


def test_search_is_a_post_without_authentication() -> None:
    assert set(SPEC["paths"][PATH]) - {"x-method-not-allowed"} == {"post"}
    assert RAW_OPERATION["operationId"] == "search.course_discovery"
    assert RAW_OPERATION["security"] == []
    assert "gt-4.34" in deviation_refs(RAW_OPERATION)


def test_request_body_is_optional_and_sent_as_urlencoded_or_multipart() -> None:
    body = RAW_OPERATION["requestBody"]
    assert body["required"] is False
    assert tuple(body["content"]) == FORM_TYPES
    schemas = {mt: media["schema"] for mt, media in body["content"].items()}
    assert schemas[FORM_TYPES[0]] == schemas[FORM_TYPES[1]] == {"$ref": "#/components/schemas/SearchForm"}


def test_page_size_keeps_its_real_bounds_and_answers_500_when_invalid() -> None:
    fields = SPEC["components"]["schemas"]["SearchForm"]["properties"]
    size = fields["page_size"]
    assert (size["type"], size["minimum"], size["maximum"], size["default"]) == ("integer", 1, 100, 20)
    assert size["x-on-invalid"] == "500"
    assert "gt-4.35" in deviation_refs(size)
    index = fields["page_index"]
    assert (index["type"], index["minimum"], index["default"]) == ("integer", 0, 0)
    assert index["x-on-invalid"] == "500"
    assert "only when `page_size` is also sent" in index["description"]


def test_responses_are_200_500_the_inferred_csrf_403_and_djangos_400() -> None:
    responses = (OPERATION / "responses").read_value()
    assert set(responses) == {"200", "400", "403", "500"}
    assert list((OPERATION / "responses" / "400" / "content").keys()) == ["text/html"]
    assert list((OPERATION / "responses" / "200" / "content").keys()) == ["application/json"]
    assert list((OPERATION / "responses" / "500" / "content").keys()) == ["application/json"]
    assert list((OPERATION / "responses" / "403" / "content").keys()) == ["text/html"]


def test_other_methods_are_described_as_405_with_an_empty_body_and_allow_post() -> None:
    described = SPEC["paths"][PATH]["x-method-not-allowed"]
    assert (described["status"], described["allow"], described["body"]) == (405, "POST", "")
    response = SPEC["components"]["responses"]["SearchMethodNotAllowed"]
    assert "content" not in response, "405 has an empty body"
    assert "Allow" in response["headers"]


# --- bodies -------------------------------------------------------------------------------------


def test_error_body_has_error_as_its_only_key() -> None:
    check = validator("#/components/schemas/SearchError")
    assert check.is_valid({"error": "Invalid page size of 101"})
    assert not check.is_valid({"error": "Invalid page size of 101", "took": 0})
    assert not check.is_valid({"message": "Invalid page size of 101"})
    examples = SPEC["components"]["responses"]["SearchServerError"]["content"]["application/json"]["examples"]
    messages = {ex["value"]["error"] for ex in examples.values()}
    assert "Invalid page size of 101" in messages
    assert "invalid literal for int() with base 10: 'abc'" in messages


def test_a_successful_body_never_carries_error() -> None:
    check = validator("#/components/schemas/SearchResponse")
    assert check.is_valid(page())
    assert not check.is_valid(page(error="Nothing to search"))


def test_aggs_are_required_and_score_is_optional() -> None:
    check = validator("#/components/schemas/SearchResponse")
    without_aggs = page()
    del without_aggs["aggs"]
    assert not check.is_valid(without_aggs)
    meilisearch_hit = hit()
    del meilisearch_hit["score"]
    assert check.is_valid(page(results=[meilisearch_hit]))
    assert check.is_valid(page(total=0, max_score=None, results=[]))


def test_indexed_dates_use_the_plus_zero_offset_or_none_under_meilisearch() -> None:
    check = validator("#/components/schemas/SearchCourseDocument")
    document = hit()["data"]
    assert check.is_valid(document)
    assert check.is_valid({**document, "start": "2013-02-05T05:00:00"})  # Meilisearch: naive
    assert not check.is_valid({**document, "start": "2013-02-05T05:00:00+02:00"})
    assert not check.is_valid({**document, "start": "2013-02-05"})
    assert check.is_valid({**document, "invitation_only": True, "catalog_visibility": "about"})
    assert not check.is_valid({**document, "catalog_visibility": "public"})


def test_doc_example_is_corrected_and_self_consistent() -> None:
    examples = RAW_OPERATION["responses"]["200"]["content"]["application/json"]["examples"]
    doc = examples["doc-search"]
    assert "gt-4.35" in deviation_refs(doc)
    body = doc["value"]
    assert "aggs" in body
    assert len(body["results"]) <= body["total"]
    assert all(result["_id"] == result["data"]["id"] for result in body["results"])


def test_every_search_document_error_is_recorded() -> None:
    refs = deviation_refs(SPEC["paths"][PATH]) | deviation_refs(SPEC["components"]["schemas"])
    assert {"gt-4.34", "gt-4.35", "gt-4.36"} <= refs
