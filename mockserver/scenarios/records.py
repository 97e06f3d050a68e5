"""Scenario `records`: their schema (generated from the world's entities) and their mapping onto the overlay.

`records` mirrors `mockserver.world.overlay.Overlay`: one mapping per kind, keyed by the record's natural
key, each value a partial record whose fields are named as in `mockserver/world/entities.py` (which are the
APIs' own field names). A key the world does not have adds a record; an existing key overrides the given
fields. The schema is derived from the entity type hints, so an unknown field or a wrong type is refused
with its line before the world is built; what only the world can judge (a reference to a record that does
not exist, a derived field) comes back from it as `WorldError` and is reported at the record's line.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime

from mockserver.scenarios.formats import DATE_PATTERN, DATE_TIME_PATTERN
from mockserver.world import entities as e
from mockserver.world.keys import COURSE_KEY_PATTERN


@dataclass(frozen=True)
class RecordKind:
    """One `records.<kind>` mapping: the entity it patches and how its natural key is spelled."""

    name: str
    entity: type
    key_field: str
    key_description: str
    int_key: bool = False
    extra: tuple = ()  # (field, schema) the overlay accepts beyond the entity's fields


_CONTENT_ITEM = {
    "description": "A content item: `{content_type, key}` or a bare key (run key, course key or program uuid).",
    "oneOf": [
        {"type": "string", "minLength": 1},
        {"type": "object", "additionalProperties": False, "required": ["content_type", "key"],
         "properties": {"content_type": {"enum": ["course", "courserun", "program"]},
                        "key": {"type": "string", "minLength": 1}}},
    ],
}

RECORD_KINDS: tuple[RecordKind, ...] = (
    RecordKind("organizations", e.Organization, "key", "organization key, e.g. `MITx`"),
    RecordKind("people", e.Person, "uuid", "person uuid"),
    RecordKind("subjects", e.Subject, "uuid", "subject uuid"),
    RecordKind("courses", e.Course, "key", "course key `Org+Number`"),
    RecordKind("runs", e.CourseRun, "key", "course run key `course-v1:Org+Number+Run`"),
    RecordKind("programs", e.Program, "uuid", "program uuid"),
    RecordKind("catalogs", e.Catalog, "id", "discovery catalog id (an integer)", int_key=True,
               extra=(("courses", {"type": "array", "items": {"type": "string", "pattern": COURSE_KEY_PATTERN},
                                   "description": "Exactly these course keys (sugar for a `key:(...)` query)."}),)),
    RecordKind("enterprise_customers", e.EnterpriseCustomer, "uuid", "enterprise customer uuid"),
    RecordKind("enterprise_catalogs", e.EnterpriseCatalog, "uuid", "enterprise catalog uuid"),
    RecordKind("enrollments", e.Enrollment, "enrollment_id", "learner-summary `enrollment_id` (an integer)",
               int_key=True),
    RecordKind("blendx_courses", e.BlendXCourse, "openedx_course_id", "BlendX `openedx_course_id` (a run key)"),
    RecordKind("search_documents", e.SearchDocument, "id", "edx-search document id (a run key)"),
)
KINDS_BY_NAME = {kind.name: kind for kind in RECORD_KINDS}


def _nullable(schema: dict) -> dict:
    if "type" in schema:
        types_ = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return {**schema, "type": [*types_, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def type_schema(tp, seen: frozenset = frozenset()) -> dict:
    """JSON Schema for values of the annotated type `tp`, as the overlay accepts them."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        inner = [a for a in args if a is not type(None)]
        schema = type_schema(inner[0], seen)
        return _nullable(schema) if len(inner) < len(args) else schema
    if origin is tuple:
        return {"type": "array", "items": type_schema(typing.get_args(tp)[0], seen)}
    if tp is datetime:
        return {"type": "string", "pattern": DATE_TIME_PATTERN, "description": "ISO 8601 date-time (UTC if no offset)."}
    if tp is date:
        return {"type": "string", "pattern": DATE_PATTERN, "description": "ISO 8601 date."}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is str:
        return {"type": "string"}
    if dataclasses.is_dataclass(tp):
        return entity_schema(tp, seen=seen)
    return {}


def entity_schema(cls: type, *, extra: tuple = (), seen: frozenset = frozenset()) -> dict:
    """A partial record of `cls`: every field optional, no other field allowed."""
    hints = typing.get_type_hints(cls)
    doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    properties = {f.name: type_schema(hints[f.name], seen | {cls}) for f in dataclasses.fields(cls)}
    if cls is e.EnterpriseCatalog:
        properties["content"] = {"type": "array", "items": _CONTENT_ITEM,
                                 "description": "The catalog's content, in order (`[]`: an empty catalog)."}
    if cls is e.CourseStructure:
        properties["total_sections"] = {"type": "integer", "description": "Ignored: counted from `sections`."}
        properties["total_subsections"] = {"type": "integer", "description": "Ignored: counted from `sections`."}
    for name, schema in extra:
        properties[name] = schema
    return {"type": "object", "description": doc, "additionalProperties": False, "properties": properties}


def _without(schema: dict, name: str) -> dict:
    # The natural key is the mapping key; the world refuses it as a field.
    return {**schema, "properties": {k: v for k, v in schema["properties"].items() if k != name}}


def records_schema() -> dict:
    """The `records` section of the scenario schema."""
    kinds = {}
    for kind in RECORD_KINDS:
        names = {"pattern": r"^[0-9]+$"} if kind.int_key else {"minLength": 1}
        kinds[kind.name] = {
            "type": "object",
            "description": f"{kind.entity.__name__} records keyed by {kind.key_description}: a new key adds a "
                           f"record, an existing one overrides the fields given.",
            "propertyNames": names,
            "additionalProperties": _without(entity_schema(kind.entity, extra=kind.extra), kind.key_field),
        }
    return {"type": "object", "additionalProperties": False, "properties": kinds,
            "description": "Records to add to the world or override in it, by natural key "
                           "(fields as in mockserver/world/entities.py)."}


def to_overlay(records: dict):
    """An `Overlay` from a (schema-valid) `records` mapping."""
    from mockserver.world.overlay import Overlay

    values = {}
    for name, items in (records or {}).items():
        kind = KINDS_BY_NAME[name]
        values[name] = {(int(key) if kind.int_key else key): dict(fields or {}) for key, fields in items.items()}
    return Overlay(**values)


def record_path(kind: str, key) -> tuple:
    """The scenario path of one record, e.g. `('records', 'courses', 'MITx+6.00x')`."""
    return ("records", kind, str(key))
