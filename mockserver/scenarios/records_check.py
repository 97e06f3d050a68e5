"""Checking scenario records against the API specs: every record is rendered by the real app and validated.

For each record a scenario adds or overrides, the candidate world is asked for it (the world applies
patches lazily, so this is where an ill-typed nested value surfaces), and then the routes that serve it are
called in-process on a probe app running the candidate snapshot (without behaviours): the BlendX detail
of a run, the enterprise detail routes of a course, run or program in a catalog that holds it, the page of a
discovery catalog's course list that holds a course, a learner summary, and so on. Each answer is validated
against the response schema of its operation in `specs/`. A body that breaks the spec is reported at the
record's field when the failing property is one the scenario set, else at the record.

The caller passes the renderer (`render(snapshot)`, a context manager giving an ASGI app that serves that
snapshot: `mockserver.app.ProbeRenderer`), so this module needs no app of its own and imports none.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from urllib.parse import quote

from mockserver.scenarios import records as rec
from mockserver.scenarios.problems import Problem
from mockserver.scenarios.validate import describe, spec_schemas

LIST_SCAN_LIMIT = 5000  # beyond this a record's list position is not searched for (huge worlds)


@dataclass(frozen=True)
class Probe:
    """One request that renders a record."""

    operation_id: str
    method: str
    path: str
    params: tuple = ()
    form: tuple = ()


def _enc(value) -> str:
    return quote(str(value), safe=":+@")


def _index_of(seq, predicate) -> int | None:
    for i, item in enumerate(seq):
        if i >= LIST_SCAN_LIMIT:
            return None
        if predicate(item):
            return i
    return None


def _catalog_with(world, key: str):
    for catalog in world.enterprise_catalogs:
        if world.enterprise_catalog_contains(catalog, key):
            return catalog
    return None


def probes_for(world, kind: str, key) -> list[Probe]:
    """The requests whose answers show record `kind[key]` of `world`."""
    out: list[Probe] = []
    ent = "/enterprise/v2/enterprise-catalogs"
    if kind == "courses":
        catalog = _catalog_with(world, key)
        if catalog is not None:
            out.append(Probe("enterprise.get_catalog_course", "GET", f"{ent}/{catalog.uuid}/courses/{_enc(key)}"))
        for catalog in world.catalogs:
            i = _index_of(world.catalog_active_courses(catalog), lambda c: c.key == key)
            if i is not None:
                out.append(Probe("catalog.list_catalog_courses", "GET", f"/catalog/v1/catalogs/{catalog.id}/courses/",
                                 (("limit", "1"), ("offset", str(i)))))
                break
    elif kind in ("runs", "blendx_courses"):
        out.append(Probe("blendx.get_course", "GET", f"/blendxapi/discovery/course/{_enc(key)}/"))
        i = _index_of(world.blendx_query(), lambda c: c.openedx_course_id == key)
        if i is not None:
            out.append(Probe("blendx.list_courses", "GET", "/blendxapi/discovery/courses/",
                             (("fields", "full"), ("limit", "1"), ("page", str(i + 1)))))
        if kind == "runs":
            catalog = _catalog_with(world, key)
            if catalog is not None:
                out.append(Probe("enterprise.get_catalog_course_run", "GET",
                                 f"{ent}/{catalog.uuid}/course-runs/{_enc(key)}"))
    elif kind == "programs":
        catalog = _catalog_with(world, key)
        if catalog is not None:
            out.append(Probe("enterprise.get_catalog_program", "GET", f"{ent}/{catalog.uuid}/programs/{key}"))
    elif kind == "catalogs":
        out.append(Probe("catalog.get_catalog", "GET", f"/catalog/v1/catalogs/{key}/"))
        out.append(Probe("catalog.list_catalog_courses", "GET", f"/catalog/v1/catalogs/{key}/courses/",
                         (("limit", "100"),)))
    elif kind == "enterprise_catalogs":
        out.append(Probe("enterprise.get_enterprise_catalog", "GET", f"{ent}/{key}", (("page_size", "100"),)))
    elif kind == "enterprise_customers":
        out.append(Probe("enterprise.get_learner_summary", "GET",
                         f"/enterprise/v3/enterprise-customer/{key}/learner-summary", (("page_size", "1000"),)))
    elif kind == "enrollments":
        enrollment = world.enrollment(int(key))
        if enrollment is not None:
            out.append(Probe("enterprise.get_learner_summary", "GET",
                             f"/enterprise/v3/enterprise-customer/{enrollment.enterprise_customer_uuid}/learner-summary",
                             (("page_size", "1000"),)))
    elif kind == "search_documents":
        out.append(Probe("search.course_discovery", "POST", "/search/course_discovery/",
                         form=(("page_size", "100"),)))
    return out


_LOOKUPS = {
    "organizations": lambda w, k: w.organization(k),
    "people": lambda w, k: w.person(k),
    "subjects": lambda w, k: w.subject(k),
    "courses": lambda w, k: w.course(k),
    "runs": lambda w, k: w.run(k),
    "programs": lambda w, k: w.program(k),
    "catalogs": lambda w, k: w.catalog(int(k)),
    "enterprise_customers": lambda w, k: w.enterprise_customer(k),
    "enterprise_catalogs": lambda w, k: w.enterprise_catalog(k),
    "enrollments": lambda w, k: w.enrollment(int(k)),
    "blendx_courses": lambda w, k: w.blendx_course(k),
    "search_documents": lambda w, k: w.search_document(k),
}


def _records(scenarios):
    """(scenario, kind, key, fields) for every record, the last file that sets a record owning it."""
    owners = {}
    for scenario in scenarios:
        for kind, items in (scenario.data.get("records") or {}).items():
            for key, fields in (items or {}).items():
                owners[(kind, key)] = (scenario, fields or {})
    return [(scenario, kind, key, fields) for (kind, key), (scenario, fields) in owners.items()]


_IDENTITY_FIELDS = ("key", "uuid", "openedx_course_id", "id", "enrollment_id", "course", "courserun_key")


def _owner(body, error, owners: dict, default):
    """The overlaid record deepest on the error's path (a run inside a course answer is the run's fault)."""
    found, node = default, body
    for part in [None, *error.absolute_path]:
        if part is not None:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        if isinstance(node, dict):
            for name in _IDENTITY_FIELDS:
                value = node.get(name)
                if isinstance(value, (str, int)) and str(value) in owners:
                    found = owners[str(value)]
                    break
    return found


def _blame(owner, error, probe: Probe) -> Problem:
    scenario, kind, key, fields = owner
    base = rec.record_path(kind, key)
    names = [p for p in error.absolute_path if isinstance(p, str)]
    target = next((n for n in reversed(names) if n in fields), None)
    where = base + ((target,) if target else ())
    shown = "/".join(str(p) for p in error.absolute_path) or "(body)"
    message = describe(error)[0][1]
    return scenario.source.problem(
        where, f"{probe.method} {probe.path} ({probe.operation_id}) would break its spec at {shown}: {message}",
        at_key=bool(target))


def check_records(scenarios, snapshot, settings, render) -> list[Problem]:
    """Problems of the scenarios' records, rendered through `render(snapshot)` (behaviours left out)."""
    from starlette.testclient import TestClient

    from mockserver.auth import issue_token
    from mockserver.world import WorldError

    world = snapshot.world
    problems: list[Problem] = []
    jobs = []
    records = _records(scenarios)
    owners = {str(key): (scenario, kind, key, fields) for scenario, kind, key, fields in records}
    for scenario, kind, key, fields in records:
        try:
            if _LOOKUPS[kind](world, key) is None:
                problems.append(scenario.source.problem(rec.record_path(kind, key), f"{kind} {key!r} is not in the world",
                                                        at_key=True))
                continue
            jobs.append((scenario, kind, key, fields, probes_for(world, kind, key)))
        except WorldError as exc:
            problems.append(world_problem(scenarios, exc))
    if problems or not jobs:
        return problems

    schemas = spec_schemas(settings.specs_dir)
    probe_snapshot = dataclasses.replace(snapshot, behaviours=None, enterprise_format="json")
    token = issue_token(snapshot.auth, "scenario-check", "", "http://testserver/oauth2")["access_token"]
    headers = {"Authorization": f"JWT {token}", "actionsecret": snapshot.auth.action_secret,
               "Accept": "application/json"}
    with render(probe_snapshot) as app:
        with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
            for scenario, kind, key, fields, probes in jobs:
                for probe in probes:
                    response = client.request(probe.method, probe.path, params=list(probe.params),
                                              data=dict(probe.form) or None, headers=headers)
                    if response.status_code >= 500 or response.status_code in (401, 403):
                        problems.append(scenario.source.problem(
                            rec.record_path(kind, key),
                            f"{probe.method} {probe.path} ({probe.operation_id}) answers {response.status_code} "
                            f"with this record: {response.text[:200]}", at_key=True))
                        continue
                    if response.status_code != 200:
                        continue
                    body = response.json()
                    for error in schemas.errors(probe.operation_id, 200, body):
                        owner = _owner(body, error, owners, (scenario, kind, key, fields))
                        problems.append(_blame(owner, error, probe))
    return _dedupe(problems)


_RECORD_RE = re.compile(r"^(?P<kind>\w+)\[(?P<key>[^\]]+)\](?P<rest>.*)$")


def _field_path(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", text) if p)


def world_problem(scenarios, exc) -> Problem:
    """Place a `WorldError` (`record` = `kind[key]...`, `field`) on the scenario line that set it."""
    record, field_name = str(getattr(exc, "record", "") or ""), getattr(exc, "field", None)
    match = _RECORD_RE.match(record)
    if match:
        kind, key = match["kind"], match["key"]
        for scenario in reversed(scenarios):
            if key in ((scenario.data.get("records") or {}).get(kind) or {}):
                path = rec.record_path(kind, key) + _field_path(match["rest"]) + _field_path(str(field_name or ""))
                return scenario.source.problem(path, str(exc), at_key=True)
    # Not traceable to one record: report it at the records of the last file that has any.
    for scenario in reversed(scenarios):
        if scenario.data.get("records"):
            return scenario.source.problem(("records",), str(exc), at_key=True)
    return Problem(scenarios[-1].file if scenarios else "<scenario>", 1, 1, (), str(exc))


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        # The same bad value seen through several routes is one problem (the first route names it).
        marker = (p.file, p.line, p.column, p.message.rsplit(": ", 1)[-1])
        if marker not in seen:
            seen.add(marker)
            out.append(p)
    return out
