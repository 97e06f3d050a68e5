"""The JSON Schema of scenario files (draft-07, so editors such as VS Code YAML complete and check it).

The schema is built here as data and published as `schemas/scenario.schema.json`
(`python -m mockserver.scenarios.schema --write`; a test fails when the file is stale). The `records`
part is generated from the world's overlay record types (`records.RECORD_KINDS`), so a field the world does
not have is an unknown field, and a value of the wrong type is refused, with its line, before anything
is built.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mockserver.resources import SCHEMAS_DIR
from mockserver.search import BACKENDS
from mockserver import specs
from mockserver.scenarios.formats import DATE_TIME_PATTERN, NAME_PATTERN
from mockserver.scenarios.records import records_schema as _records_schema
from mockserver.settings import SEED_MIN

SCHEMA_PATH = SCHEMAS_DIR / "scenario.schema.json"
SCHEMA_ID = "https://mockserver.local/schemas/scenario.schema.json"

def spec_operations(specs_dir: Path = specs.DEFAULT_SPECS_DIR) -> dict[str, str]:
    """operationId -> `METHOD /path` of every operation the specs declare (a behaviour's `operation`)."""
    return {op.operation_id: f"{op.method} {op.path}"
            for name in specs.available_specs(specs_dir) for op in specs.operations(name, specs.load_spec(name, specs_dir))}


FAULTS = {
    "connection_dropped": "The connection is closed before any response is sent (clients see a reset / "
                          "'server disconnected without sending a response').",
    "truncated_body": "The normal response starts with its full Content-Length, then the connection closes "
                      "halfway through the body.",
    "malformed_body": "The normal status and headers, but the body is not valid JSON (cut short and followed "
                      "by junk, with a matching Content-Length).",
}

BEHAVIOUR_HEADER = "X-Mock-Behaviour"


def _latency() -> dict:
    return {
        "description": "Delay before the answer, in milliseconds: a number, or a range `{min, max}` "
                       "(uniformly random in between).",
        "oneOf": [
            {"type": "integer", "minimum": 0, "maximum": 120000},
            {"type": "object", "additionalProperties": False, "required": ["min", "max"],
             "properties": {"min": {"type": "integer", "minimum": 0, "maximum": 120000,
                                    "description": "Shortest delay, ms."},
                            "max": {"type": "integer", "minimum": 0, "maximum": 120000,
                                    "description": "Longest delay, ms."}}},
        ],
    }


def _respond() -> dict:
    return {
        "type": "object",
        "description": "Answer with this status instead of the normal response. Without `body`, the API's own "
                       "error body for that status is sent (e.g. BlendX `{message, status: failed}`).",
        "additionalProperties": False,
        "required": ["status"],
        "properties": {
            "status": {"type": "integer", "minimum": 100, "maximum": 599, "description": "HTTP status code."},
            "body": {"description": "JSON body to send (checked against the spec's response schema for this "
                                    "status when the spec declares one). A string is sent as text."},
            "headers": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "Extra response headers."},
        },
    }


def _partial_errors() -> dict:
    return {
        "type": "object",
        "description": "BlendX only (`blendx.list_courses`): add `partial_errors` to the normal page.",
        "additionalProperties": False,
        "required": ["errors"],
        "properties": {
            "count": {"type": "integer", "minimum": 0,
                      "description": "Defaults to the number of errors listed."},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object", "additionalProperties": False,
                    "required": ["course_id", "error_type", "error_message"],
                    "properties": {
                        "course_id": {"type": "string", "description": "An `openedx_course_id`."},
                        "error_type": {"type": "string", "description": "e.g. `structure_fetch_failed`."},
                        "error_message": {"type": "string"},
                    },
                },
            },
        },
    }


def _actions() -> dict:
    return {
        "latency": _latency(),
        "respond": _respond(),
        "fault": {"enum": list(FAULTS), "description": "Break the connection or the body: "
                  + "; ".join(f"`{k}`: {v}" for k, v in FAULTS.items())},
        "partial_errors": _partial_errors(),
    }


def _behaviour(operations: dict[str, str]) -> dict:
    step = {
        "type": "object",
        "description": "One step of a sequence: what the next `times` matching calls get. A step with no "
                       "action answers normally.",
        "additionalProperties": False,
        "properties": {"times": {"type": "integer", "minimum": 1, "default": 1,
                                 "description": "How many calls this step covers."},
                       **_actions()},
    }
    scalar = {"type": ["string", "integer", "number", "boolean"]}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["operation"],
        "description": "What one operation does instead of (or on top of) its normal answer.",
        "properties": {
            "operation": {"enum": list(operations), "description": "The operationId of the specs.",
                          "markdownEnumDescriptions": list(operations.values())},
            "name": {"type": "string", "pattern": NAME_PATTERN,
                     "description": f"Named behaviours apply only to requests that select them with the "
                                    f"`{BEHAVIOUR_HEADER}: <name>` header (comma-separate several)."},
            "description": {"type": "string"},
            "when": {
                "type": "object", "additionalProperties": False,
                "description": "Narrow the behaviour to matching requests (all given values must match).",
                "properties": {
                    "path": {"type": "object", "additionalProperties": scalar,
                             "description": "Path parameters, e.g. `{openedx_course_id: course-v1:MITx+6.00x+1T2026}`."},
                    "query": {"type": "object", "additionalProperties": scalar,
                              "description": "Query parameters (and form fields for POST search)."},
                },
            },
            **_actions(),
            "sequence": {
                "type": "array", "minItems": 1, "items": step,
                "description": "Steps taken in order by successive matching calls; once they are used up, "
                               "calls get the behaviour's own actions (none: the normal answer). "
                               "`[{times: 2, respond: {status: 500}}]` = two 500s, then normal.",
            },
        },
    }


def build_schema(records_schema: dict | None = None) -> dict:
    """The whole scenario-file schema."""
    if records_schema is None:
        records_schema = _records_schema()
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "mockserver scenario",
        "description": "A scenario pins the world's data and the mock's behaviour for a test situation. "
                       "See docs/scenarios.md.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "pattern": NAME_PATTERN,
                     "description": "Name shown by /__admin/scenarios (default: the file name)."},
            "description": {"type": "string", "description": "What the scenario is for."},
            "seed": {"type": "integer", "minimum": SEED_MIN, "description": "Seed of the generated world."},
            "clock": {"type": "string", "pattern": DATE_TIME_PATTERN,
                      "description": "The world's 'now' (ISO 8601, UTC if no offset): dates are laid out around it."},
            "size": {"description": "World size: small, default, large, or a number of courses (0: only this "
                                    "file's records, nothing generated; what `mockserver record` writes).",
                     "oneOf": [{"enum": ["small", "default", "large"]},
                               {"type": "integer", "minimum": 0, "maximum": 100000}]},
            "auth": {
                "type": "object", "additionalProperties": False,
                "description": "Authentication knobs.",
                "properties": {
                    "mode": {"enum": ["permissive", "strict"],
                             "description": "permissive: any well-formed unexpired JWT; strict: only tokens this mock signed."},
                    "action_secret": {"type": "string", "minLength": 1,
                                      "description": "The BlendX `actionsecret` header value."},
                    "token_lifetime": {"type": "integer", "minimum": 1,
                                       "description": "Seconds an issued token lives (`expires_in`)."},
                    "sessions": {"type": "array", "maxItems": 10000,
                                 "items": {"type": "string", "minLength": 1, "maxLength": 1024},
                                 "description": "`sessionid` cookie values strict mode accepts (besides the ones "
                                                "the mock issued); permissive mode takes any non-empty one."},
                    "tokens_expired": {"type": "boolean",
                                       "description": "Treat every JWT as expired: edX routes answer 401 "
                                                      "`{\"detail\": \"Token has expired.\"}`."},
                },
            },
            "enterprise": {
                "type": "object", "additionalProperties": False,
                "description": "edX Enterprise API settings.",
                "properties": {"default_format": {"enum": ["json", "xml"],
                                                  "description": "Format of the enterprise routes when the client "
                                                                 "sends no Accept (xml: the document's claim)."}},
            },
            "search": {
                "type": "object", "additionalProperties": False,
                "description": "edx-search settings.",
                "properties": {"backend": {"enum": list(BACKENDS),
                                           "description": "The engine `POST /search/course_discovery/` emulates "
                                                          "(query language, ranking, body shape)."}},
            },
            "records": records_schema,
            "behaviours": {"type": "array", "items": _behaviour(spec_operations()),
                           "description": "Per-operation behaviours; the first matching one applies (named "
                                          "behaviours selected by the request come first)."},
        },
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = schema_text()
    if "--write" in argv:
        Path(SCHEMA_PATH).parent.mkdir(parents=True, exist_ok=True)
        Path(SCHEMA_PATH).write_text(text, encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
