"""The OpenAPI specs under `specs/`: loaded once, looked up by API and by operation.

Everything that needs a spec at run time (the app, the scenario loader, the contract runner, the docs
generator) goes through here, so each file is parsed once per process; `resolve_ref` follows a spec's
local `$ref`s for any of them. The default directory is `resources.SPECS_DIR` (the wheel's copy or the
checkout's); a directory holding no spec is an error, never an empty list: without its specs the mock
would serve 404s behind a healthy banner, and a scenario check would skip its check against them.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from mockserver.settings import DEFAULT_SPECS_DIR, SettingsError

# libyaml's parser builds the same documents (same SafeConstructor) about 8x faster than the pure-Python
# one; the specs are ~200 kB of YAML, so this is most of the start-up cost of parsing them.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SPEC_NAMES = ("catalog", "enterprise", "blendx", "oauth")
CONTRACT_APIS = ("catalog", "enterprise", "blendx")
"""The APIs a contract run covers (the token route is exercised through credentials, not fuzzed)."""
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecsNotFound(SettingsError):
    """The specs directory lacks the specs the caller needs."""

    def __init__(self, specs_dir: Path, missing: list[str]):
        files = ", ".join(f"{name}.yaml" for name in missing)
        super().__init__(f"API specs not found: {files} missing in {specs_dir} (the package is incomplete: "
                         "reinstall it from a wheel or sdist, or run from a checkout)")
        self.specs_dir = specs_dir
        self.missing = missing


@dataclass(frozen=True)
class Operation:
    """One operation of one spec."""

    api: str
    operation_id: str
    method: str
    path: str  # the full public path template, base path included
    spec_path: str  # the path template as written under `paths:`
    definition: dict


@functools.lru_cache(maxsize=8)
def _load(path: Path, mtime: float) -> dict:
    with path.open("r", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader, C or Python


def load_spec(name: str, specs_dir: Path = DEFAULT_SPECS_DIR) -> dict:
    """A deep copy of spec `name` (callers may change their copy)."""
    path = Path(specs_dir) / f"{name}.yaml"
    return copy.deepcopy(_load(path, path.stat().st_mtime))


def available_specs(specs_dir: Path = DEFAULT_SPECS_DIR) -> list[str]:
    """The spec names that exist in `specs_dir`, in SPEC_NAMES order; SpecsNotFound when there is none."""
    found = [n for n in SPEC_NAMES if (Path(specs_dir) / f"{n}.yaml").is_file()]
    if not found:
        raise SpecsNotFound(Path(specs_dir), list(SPEC_NAMES))
    return found


def require_specs(specs_dir: Path = DEFAULT_SPECS_DIR) -> list[str]:
    """Every one of SPEC_NAMES, or SpecsNotFound naming the missing ones (the server needs them all)."""
    missing = [n for n in SPEC_NAMES if not (Path(specs_dir) / f"{n}.yaml").is_file()]
    if missing:
        raise SpecsNotFound(Path(specs_dir), missing)
    return list(SPEC_NAMES)


def base_path(spec: dict) -> str:
    servers = spec.get("servers") or [{"url": "/"}]
    url = servers[0].get("url", "/")
    if "://" in url:
        url = "/" + url.split("://", 1)[1].partition("/")[2]
    return url.rstrip("/")


def resolve_ref(spec: dict, node):
    """`node` with its local `$ref`s followed (`#/a/b~1c` is JSON-pointer escaped) until a concrete node."""
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operations(name: str, spec: dict) -> list[Operation]:
    """Every operation of a spec, with its full public path."""
    prefix = base_path(spec)
    found = []
    for spec_path, item in (spec.get("paths") or {}).items():
        for method, definition in item.items():
            if method in HTTP_METHODS:
                found.append(Operation(name, definition.get("operationId", ""), method.upper(),
                                       prefix + spec_path, spec_path, definition))
    return found
