"""The deviation register: every `x-doc-deviation` of every spec, and the generated `docs/deviations.md`.

A spec records where it departs from its API document on the node that departs; this module walks the
specs, collects each entry with its location (a JSON pointer into the spec) and renders the page. The
page is generated, never edited: `mockserver docs deviations --write`, and a test fails when it is stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mockserver import specs
from mockserver.resources import CHECKOUT_ROOT

PAGE_PATH: Path | None = CHECKOUT_ROOT / "docs" / "deviations.md" if CHECKOUT_ROOT else None
"""The generated page in a checkout; an installed package has no docs/ to write (it can print the page)."""
EXTENSION = "x-doc-deviation"
TITLES = {"catalog": "edX Course Catalog API", "enterprise": "edX Enterprise API",
          "blendx": "BlendX Discovery API (and edx-search)", "oauth": "OAuth2 token route"}


@dataclass(frozen=True)
class Deviation:
    api: str
    pointer: str
    ref: str
    doc: str
    real: str
    evidence: str


def _escape(part: str) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def _walk(node, pointer: str):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == EXTENSION:
                for entry in value if isinstance(value, list) else [value]:
                    yield pointer, entry
            else:
                yield from _walk(value, f"{pointer}/{_escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{index}")


def collect(specs_dir: Path = specs.DEFAULT_SPECS_DIR) -> list[Deviation]:
    """Every deviation of every spec, in spec order then ref order."""
    found = []
    for name in specs.available_specs(specs_dir):
        for pointer, entry in _walk(specs.load_spec(name, specs_dir), ""):
            entry = entry if isinstance(entry, dict) else {"doc": str(entry)}
            found.append(Deviation(name, pointer or "/", str(entry.get("ref", "")), str(entry.get("doc", "")),
                                   str(entry.get("real", "")), str(entry.get("evidence", ""))))
    return sorted(found, key=lambda d: (specs.SPEC_NAMES.index(d.api), _ref_key(d.ref), d.pointer))


def _ref_key(ref: str):
    match = re.fullmatch(r"gt-4\.(\d+)", ref)
    return (0, int(match.group(1)), "") if match else (1, 0, ref)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_page(specs_dir: Path = specs.DEFAULT_SPECS_DIR) -> str:
    """The Markdown page listing every deviation with its evidence."""
    deviations = collect(specs_dir)
    lines = [
        "# Where the specs depart from the API documents",
        "",
        "Generated from the `x-doc-deviation` entries of `specs/*.yaml` by `mockserver docs deviations --write`;",
        "do not edit by hand. The specs (and so the mock and the contract checks) follow the real deployments;",
        "each row says what the document claims, what the real server does, and the evidence.",
        "`gt-4.N` refers to the N-th recorded contradiction between document and implementation.",
        "",
        f"{len(deviations)} deviations in all.",
    ]
    for api in specs.SPEC_NAMES:
        rows = [d for d in deviations if d.api == api]
        if not rows:
            continue
        lines += ["", f"## {TITLES[api]} (`specs/{api}.yaml`, {len(rows)})", "",
                  "| ref | where (JSON pointer) | the document says | the real server | evidence |",
                  "|---|---|---|---|---|"]
        for d in rows:
            lines.append(f"| {_cell(d.ref)} | `{_cell(d.pointer)}` | {_cell(d.doc)} | {_cell(d.real)} | {_cell(d.evidence)} |")
    return "\n".join(lines) + "\n"
