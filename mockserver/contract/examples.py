"""Examples taken from the target itself: which list item answers in which detail route, and real ids.

`LINKS` is the one table of how these APIs point from a list to a detail route (catalogs, enterprise
catalog content, learner summaries, BlendX courses): the `list_detail_agreement` check compares the two,
and `discover` walks it against the target before a run, so every operation is exercised with ids that
exist there (list -> detail ids, ids from the page a `next` link leads to, and the spec's own examples,
which are the API documents' ids, when the target knows them). A drift that shows on every response of
an operation is then found on every run, whatever the seed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from mockserver.contract.context import RunContext, fill_path, json_body

__all__ = ["Link", "LINKS", "Binding", "discover", "bindings_for", "path_names"]

# The path parameters of one request, e.g. {"catalog_id": "0e87…", "course_key": "edX+DemoX"}.
Binding = dict[str, str]


@dataclass(frozen=True)
class Link:
    """Items under `items` of the list route `list` answer in `detail`; `params` maps detail path parameters
    to the item's field (or, as `@name`, to the list route's own path parameter `name`)."""

    list: str
    items: str
    detail: str
    params: dict[str, str]
    when: tuple[str, str] | None = None
    fields: tuple[str, ...] | None = ()
    """Fields list and detail must agree on; `None`: every field the item carries; `()`: not compared."""

    def binding(self, item: dict, list_binding: Binding) -> Binding | None:
        if self.when and item.get(self.when[0]) != self.when[1]:
            return None
        values = {name: list_binding.get(source[1:]) if source.startswith("@") else item.get(source)
                  for name, source in self.params.items()}
        if any(value in (None, "") for value in values.values()):
            return None
        return {name: str(value) for name, value in values.items()}


_ENT_CATALOG = "/v2/enterprise-catalogs/{catalog_id}"
LINKS: dict[str, tuple[Link, ...]] = {
    "catalog": (
        Link("/catalogs/", "results", "/catalogs/{id}/", {"id": "id"}, fields=None),
        Link("/catalogs/", "results", "/catalogs/{id}/courses/", {"id": "id"}),
    ),
    "enterprise": (
        Link("/v1/enterprise-catalogs", "results", _ENT_CATALOG, {"catalog_id": "uuid"}),
        Link("/v1/enterprise-catalogs", "results", "/v3/enterprise-customer/{enterprise_uuid}/learner-summary",
             {"enterprise_uuid": "enterprise_customer"}),
        Link(_ENT_CATALOG, "results", _ENT_CATALOG + "/courses/{course_key}",
             {"catalog_id": "@catalog_id", "course_key": "key"}, when=("content_type", "course"), fields=("key", "title")),
        Link(_ENT_CATALOG, "results", _ENT_CATALOG + "/course-runs/{course_run_id}",
             {"catalog_id": "@catalog_id", "course_run_id": "key"}, when=("content_type", "courserun"),
             fields=("key", "title")),
        Link(_ENT_CATALOG, "results", _ENT_CATALOG + "/programs/{program_uuid}",
             {"catalog_id": "@catalog_id", "program_uuid": "uuid"}, when=("content_type", "program"),
             fields=("uuid", "title")),
    ),
    "blendx": (
        Link("/blendxapi/discovery/courses/", "courses", "/blendxapi/discovery/course/{openedx_course_id}/",
             {"openedx_course_id": "openedx_course_id"},
             fields=("id", "openedx_course_id", "display_name", "short_description", "price", "start", "end",
                     "is_invite_only", "is_published", "avg_rating", "course_mode", "overview", "effort",
                     "enrollment_start", "enrollment_end", "certificate_available_date", "language", "self_paced",
                     "course_video_url", "has_any_active_web_certificate", "available_course_modes")),
    ),
}

_PER_ROUTE = 3  # real ids kept per detail route: enough to see a drift on every response, cheap on staging


def path_names(path: str) -> list[str]:
    return re.findall(r"\{([^}]+)\}", path)


def _items(run: RunContext, path: str, binding: Binding, items: str) -> list[dict]:
    """The items of the first page of `path`, and of the page its `next` link leads to."""
    found: list[dict] = []
    url: str | None = run.url_for(fill_path(path, binding))
    for _ in range(2):
        if not url or not run.policy.same_origin(url):
            break
        try:
            # JSON asked for by name: a target that drifted to XML by default still shows its ids.
            response = run.send("GET", url, headers={"Accept": "application/json"})
        except httpx.HTTPError:
            break
        body = json_body(response)
        if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get(items), list):
            break
        found += [item for item in body[items] if isinstance(item, dict)]
        url = body.get("next") if isinstance(body.get("next"), str) else None
    return found


def discover(run: RunContext, paths: set[str]) -> dict[str, list[Binding]]:
    """Real bindings per spec path with path parameters, found by walking `LINKS` on the target."""
    known: dict[str, list[Binding]] = {}
    pending = [link for link in LINKS.get(run.api, ()) if link.detail in paths]
    # Lists without path parameters first, then the lists whose own ids were just found.
    for _ in range(3):
        progressed = []
        for link in pending:
            parents = [{}] if not path_names(link.list) else known.get(link.list, [])
            if not parents:
                continue
            progressed.append(link)
            for parent in parents[:_PER_ROUTE]:
                for item in _items(run, link.list, parent, link.items):
                    binding = link.binding(item, parent)
                    bucket = known.setdefault(link.detail, [])
                    if binding is not None and binding not in bucket and len(bucket) < _PER_ROUTE:
                        bucket.append(binding)
        pending = [link for link in pending if link not in progressed]
        if not pending:
            break
    return known


def bindings_for(run: RunContext, path: str, known: dict[str, list[Binding]]) -> tuple[list[Binding], str]:
    """Bindings to exercise `path` with, and where they came from ("target", "spec example" or "")."""
    names = path_names(path)
    if not names:
        return [{}], "target"
    if known.get(path):
        return known[path], "target"
    example = _spec_examples(run, path, names)
    return ([example], "spec example") if example else ([], "")


def _spec_examples(run: RunContext, path: str, names: list[str]) -> Binding | None:
    values: Binding = {}
    for parameter in run.parameters("get", path):
        if parameter.get("in") != "path" or parameter.get("name") not in names:
            continue
        value: Any = parameter.get("example", (parameter.get("schema") or {}).get("example"))
        if value is None and isinstance(parameter.get("examples"), dict):
            value = next((e.get("value") for e in parameter["examples"].values() if isinstance(e, dict)), None)
        if value is not None:
            values[parameter["name"]] = str(value)
    return values if set(values) == set(names) else None
