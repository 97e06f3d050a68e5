"""What the spec tests share: a spec and the documents' field tables, `$ref` resolution, the spec's
operations by operationId, validators for its schemas, and the `x-doc-deviation` entries under a node.

Each helper takes the spec it works on, so a test module binds the ones it uses to its own spec
(`functools.partial(resolve, SPEC)`) and its test bodies read as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from mockserver import specs
from mockserver.specs import resolve_ref as resolve

__all__ = ["DATA_DIR", "deviation_entries", "deviation_refs", "is_valid", "load_data", "load_spec",
           "operations_by_id", "resolve", "spec_file", "validator"]

DATA_DIR = Path(__file__).parent / "data"
DEVIATION = "x-doc-deviation"


def spec_file(name: str) -> Path:
    return specs.DEFAULT_SPECS_DIR / f"{name}.yaml"


def load_spec(name: str) -> dict[str, Any]:
    """specs/<name>.yaml as a plain document (parsed here, not through the app's cache)."""
    return yaml.safe_load(spec_file(name).read_text("utf-8"))


def load_data(name: str) -> Any:
    """tests/specs/data/<name>.yaml: what a document lists, as the tests compare it with the spec."""
    return yaml.safe_load((DATA_DIR / f"{name}.yaml").read_text("utf-8"))


def operations_by_id(spec: dict) -> dict[str, tuple[str, str, dict]]:
    """operationId → (path as written under `paths:`, lower-case method, operation object)."""
    return {op.operation_id: (op.spec_path, op.method.lower(), op.definition)
            for op in specs.operations("", spec)}


def validator(spec: dict, schema: dict) -> OAS30Validator:
    """An OpenAPI 3.0 validator (`nullable`, formats) for `schema`, its local refs resolving into `spec`."""
    root = {"allOf": [schema], "components": spec.get("components", {}), "paths": spec.get("paths", {})}
    return OAS30Validator(root, format_checker=oas30_format_checker)


def is_valid(spec: dict, schema: dict, value: Any) -> bool:
    return validator(spec, schema).is_valid(value)


def deviation_entries(node: Any, pointer: str = "") -> list[tuple[str, dict]]:
    """(where, entry) of every `x-doc-deviation` entry inside a raw spec node, in document order."""
    found: list[tuple[str, dict]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == DEVIATION:
                found += [(pointer, entry) for entry in (value if isinstance(value, list) else [value])]
            else:
                found += deviation_entries(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += deviation_entries(value, f"{pointer}/{index}")
    return found


def deviation_refs(node: Any) -> set[str]:
    """The `ref` of every `x-doc-deviation` entry inside a raw spec node."""
    return {entry["ref"] for _, entry in deviation_entries(node)}
