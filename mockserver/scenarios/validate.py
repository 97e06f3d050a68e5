"""Checking a parsed scenario against the scenario schema, and JSON values against the API specs.

Turns jsonschema errors into `Problem`s that point at the offending line: an unknown field points at its
key (with a "did you mean" from the allowed names), a wrong value at the value. The same translation serves
the spec check (`SpecSchemas`): bodies a scenario makes the mock send are validated against the response
schemas of the operation that sends them.
"""

from __future__ import annotations

import difflib
import functools
import re

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

from mockserver import specs
from mockserver.scenarios.formats import EXPLAINED
from mockserver.scenarios.schema import build_schema
from mockserver.scenarios.source import Source

PATTERN_WORDS = {**EXPLAINED, r"^[0-9]+$": "is not an integer id"}


@functools.lru_cache(maxsize=1)
def _validator() -> Draft7Validator:
    return Draft7Validator(build_schema())


def _suggest(name: str, allowed) -> str:
    close = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _leaf(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf, the sub-error that best explains the failure.

    A branch whose type does not even fit the value explains least ("expected object" for a negative
    latency), so errors of the branches the value's type does fit are preferred.
    """
    while error.context:
        fitting = [e for e in error.context if e.validator != "type" or e.relative_path]
        candidate = best_match(fitting or error.context)
        if candidate is None or candidate is error:
            break
        error = candidate
    return error


def _unknown_fields(error: ValidationError) -> list[str]:
    properties = error.schema.get("properties", {})
    patterns = error.schema.get("patternProperties", {})
    return [key for key in error.instance
            if key not in properties and not any(re.search(p, key) for p in patterns)]


def describe(error: ValidationError, base_path: tuple = ()) -> list[tuple[tuple, str, bool]]:
    """(path, message, at_key) for one jsonschema error, with friendlier wording for common cases."""
    error = _leaf(error)
    path = base_path + tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict) \
            and error.schema.get("additionalProperties") is False:
        allowed = error.schema.get("properties", {})
        return [(path + (key,), f"unknown field {key!r}{_suggest(key, allowed)}", True)
                for key in _unknown_fields(error)]
    if error.validator == "enum":
        suggestion = _suggest(str(error.instance), [str(v) for v in error.validator_value])
        if suggestion:
            return [(path, f"{error.instance!r} is not allowed here{suggestion}", False)]
        shown = ", ".join(map(str, error.validator_value))
        if len(shown) > 160:
            shown = shown[:160] + ", …"
        return [(path, f"{error.instance!r} is not one of: {shown}{suggestion}", False)]
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return [(path, f"expected {expected}, got {_type_name(error.instance)} {_short(error.instance)}", False)]
    if error.validator == "required":
        return [(path, error.message, False)]
    if "propertyNames" in list(error.schema_path)[-2:]:
        return [(path + (str(error.instance),), f"key {error.instance!r} {_pattern_words(error)}", True)]
    if error.validator == "pattern":
        return [(path, f"{error.instance!r} {_pattern_words(error)}", False)]
    return [(path, error.message, False)]


def _pattern_words(error: ValidationError) -> str:
    leaf = _leaf(error)
    if leaf.validator == "pattern":
        return PATTERN_WORDS.get(leaf.validator_value, f"does not match {leaf.validator_value!r}")
    return leaf.message


def _type_name(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_document(source: Source) -> list:
    """Problems of `source` against the scenario schema (all of them)."""
    if source.data is None:
        return []
    if not isinstance(source.data, dict):
        return [source.problem((), f"a scenario is a mapping of fields, got {_type_name(source.data)}")]
    problems = []
    for error in _validator().iter_errors(source.data):
        for path, message, at_key in describe(error):
            problems.append(source.problem(path, message, at_key=at_key))
    return problems


class SpecSchemas:
    """Response schemas of the specs by (operationId, status), validated as OpenAPI 3.0 schemas."""

    def __init__(self, specs_dir=specs.DEFAULT_SPECS_DIR):
        from openapi_schema_validator import OAS30Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4

        self._validators = {}
        self._ops = {}
        for name in specs.available_specs(specs_dir):
            document = specs.load_spec(name, specs_dir)
            uri = f"urn:mockserver:spec:{name}"
            registry = Registry().with_resource(uri, Resource.from_contents(document, default_specification=DRAFT4))
            for op in specs.operations(name, document):
                self._ops[op.operation_id] = op
                for status, response in (op.definition.get("responses") or {}).items():
                    response = specs.resolve_ref(document, response)
                    media = (response.get("content") or {}).get("application/json")
                    if not media or "schema" not in media:
                        continue
                    schema = {"$ref": f"{uri}#" + _pointer_of(document, media["schema"], op, status)}
                    self._validators[(op.operation_id, str(status))] = OAS30Validator(schema, registry=registry)

    def operation(self, operation_id: str):
        return self._ops.get(operation_id)

    def has(self, operation_id: str, status: int | str) -> bool:
        return (operation_id, str(status)) in self._validators

    def errors(self, operation_id: str, status: int | str, body) -> list[ValidationError]:
        validator = self._validators.get((operation_id, str(status)))
        if validator is None:
            return []
        return list(validator.iter_errors(body))


def _pointer_of(document: dict, schema: dict, op, status) -> str:
    """A JSON pointer into the spec for a response schema (its `$ref` when it has one)."""
    if isinstance(schema, dict) and set(schema) == {"$ref"} and schema["$ref"].startswith("#/"):
        return schema["$ref"][1:]
    escaped = op.spec_path.replace("~", "~0").replace("/", "~1")
    return f"/paths/{escaped}/{op.method.lower()}/responses/{status}/content/application~1json/schema"


@functools.lru_cache(maxsize=4)
def spec_schemas(specs_dir=specs.DEFAULT_SPECS_DIR) -> SpecSchemas:
    return SpecSchemas(specs_dir)
