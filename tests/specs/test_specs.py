"""Every spec is valid OpenAPI, every example in it validates against its schema, every recorded
departure from the documents is on the generated page, and the page is fresh."""

from __future__ import annotations

import re

import _spec_helpers as helpers
import pytest
from openapi_spec_validator import validate

from mockserver import deviations, specs


@pytest.fixture(scope="module", params=specs.SPEC_NAMES)
def spec(request):
    path = specs.DEFAULT_SPECS_DIR / f"{request.param}.yaml"
    assert path.exists(), f"specs/{request.param}.yaml is missing"
    return request.param, specs.load_spec(request.param)


def test_spec_is_valid_openapi(spec):
    name, document = spec
    validate(document)
    assert document["openapi"].startswith("3.0"), f"{name}: OpenAPI 3.0.x expected"


def _examples(document):
    """(where, schema, value) for every example attached to a media type, parameter or schema."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            bodies = [("requestBody", operation.get("requestBody", {}))]
            bodies += [(f"responses/{code}", response) for code, response in operation.get("responses", {}).items()]
            for label, holder in bodies:
                holder = specs.resolve_ref(document, holder)
                for media_type, media in holder.get("content", {}).items():
                    if "json" not in media_type and "form" not in media_type:
                        continue
                    schema = media.get("schema", {})
                    where = f"{method.upper()} {path} {label} {media_type}"
                    if "example" in media:
                        yield where, schema, media["example"]
                    for key, example in media.get("examples", {}).items():
                        example = specs.resolve_ref(document, example)
                        if "value" in example:
                            yield f"{where} examples/{key}", schema, example["value"]
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        if "example" in schema:
            yield f"components/schemas/{name}", {"$ref": f"#/components/schemas/{name}"}, schema["example"]


def test_every_example_validates_against_its_schema(spec):
    name, document = spec
    failures = []
    count = 0
    for where, schema, value in _examples(document):
        count += 1
        # the shared validator also checks formats (date-time, uuid ...), which the examples must honour too
        errors = sorted(helpers.validator(document, schema).iter_errors(value), key=lambda e: list(e.absolute_path))
        failures += [f"{where}: /{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:3]]
    assert count > 0, f"{name}: no examples found"
    assert not failures, "\n".join(failures)


def test_every_numbered_document_error_is_recorded():
    refs = {d.ref for d in deviations.collect()}
    missing = [f"gt-4.{n}" for n in range(1, 37) if f"gt-4.{n}" not in refs]
    assert not missing, f"no x-doc-deviation records {missing}"


def test_every_deviation_names_doc_real_and_evidence():
    incomplete = [f"{d.api}{d.pointer} ({d.ref or 'no ref'})" for d in deviations.collect()
                  if not (d.ref and d.doc and d.real and d.evidence)]
    assert not incomplete, "deviations missing ref/doc/real/evidence: " + ", ".join(incomplete)


def test_deviation_refs_are_well_formed():
    bad = [d.ref for d in deviations.collect() if not re.fullmatch(r"gt-[\w.§-]+|mock-[a-z0-9-]+", d.ref)]
    assert not bad, f"refs must be gt-… or mock-…: {bad}"


def test_deviations_page_is_fresh():
    assert deviations.PAGE_PATH.exists(), "docs/deviations.md is missing: run `mockserver docs deviations --write`"
    assert deviations.PAGE_PATH.read_text(encoding="utf-8") == deviations.render_page(), \
        "docs/deviations.md is stale: run `mockserver docs deviations --write`"


def test_deviations_page_lists_every_deviation_with_its_evidence():
    page = deviations.PAGE_PATH.read_text(encoding="utf-8")
    for d in deviations.collect():
        assert d.pointer in page and " ".join(d.evidence.split())[:40].replace("|", "\\|") in page
