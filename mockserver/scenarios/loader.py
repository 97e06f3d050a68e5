"""Loading scenario files: read and check each file, then build one complete snapshot from a list of them.

Two steps, both reporting every problem at once with file, line, column and field path:

1. `read_scenario` — YAML syntax, the scenario schema (`schemas/scenario.schema.json`), and the rules a
   schema cannot say (a `when.path` naming a parameter the operation does not have, `partial_errors` on an
   operation that is not BlendX's list, a forced body that breaks the spec's response schema, ...).
2. `build_snapshot` — merges the files (later files win: settings are replaced, records merged field by
   field, behaviours of later files are tried first), builds the candidate world with the records as its
   overlay, and renders every record through the real handlers, validating each body against the
   response schema of the spec (`records_check.py`). Only when nothing is wrong is a `Snapshot` returned;
   the caller swaps it in whole, so a file with any problem is never partly applied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from mockserver import limits, specs
from mockserver.auth import AuthConfig
from mockserver.scenarios import records as rec
from mockserver.scenarios import records_check
from mockserver.scenarios.behaviours import Action, Behaviour, BehaviourSet
from mockserver.scenarios.formats import DATE_TIME_PATTERN
from mockserver.scenarios.problems import Problem, ScenarioError
from mockserver.scenarios.source import Source, parse
from mockserver.scenarios.validate import check_document, describe, spec_schemas
from mockserver.settings import Settings, SettingsError, parse_clock
from mockserver.state import Snapshot
from mockserver.world import build_world

PARTIAL_ERRORS_OPERATIONS = ("blendx.list_courses",)
ACTIONS = ("latency", "respond", "fault", "partial_errors")


@dataclass
class Scenario:
    """One checked scenario file."""

    name: str
    file: str
    source: Source
    path: Path | None = None
    text: str = ""

    @property
    def data(self) -> dict:
        return self.source.data or {}

    def describe(self) -> dict:
        data = self.data
        return {"name": self.name, "file": self.file, "description": data.get("description", ""),
                "records": {kind: len(items) for kind, items in (data.get("records") or {}).items()},
                "behaviours": len(data.get("behaviours") or [])}


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_scenario(text: str, file: str, path: Path | None = None) -> Scenario:
    """Parse and check one scenario document; raises `ScenarioError` with all its problems."""
    source, problems = parse(text, file)
    if source is None:
        raise ScenarioError(problems)
    problems += check_document(source)
    if isinstance(source.data, dict):
        problems += _check_rules(source)
    if problems:
        raise ScenarioError(problems)
    data = source.data or {}
    name = data.get("name") or (path.stem if path else "posted")
    return Scenario(name, file, source, path, text)


def read_file(path: Path | str, max_bytes: int = limits.SCENARIO_MAX_BYTES) -> Scenario:
    """`read_scenario` on a file; an unreadable, oversized or non-regular file is a problem too."""
    path = Path(path)
    file = _display(path)
    try:
        text = limits.read_file(path, max_bytes, "scenario file").decode("utf-8")
    except limits.TooLarge as exc:
        raise ScenarioError([Problem(file, 1, 1, (), f"{exc} (--max-scenario-bytes)")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(file, 1, 1, (), f"cannot read the file: not UTF-8 text ({exc.reason} "
                                                     f"at byte {exc.start})")]) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError([Problem(file, 1, 1, (), f"cannot read the file: {reason}")]) from None
    return read_scenario(text, file, path)


def read_files(paths, max_bytes: int = limits.SCENARIO_MAX_BYTES) -> list[Scenario]:
    """All files read and checked; one `ScenarioError` with the problems of every file."""
    scenarios, problems = [], []
    for path in paths:
        try:
            scenarios.append(read_file(path, max_bytes))
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return scenarios


def _path_params(operation) -> set[str]:
    return set(re.findall(r"{([^}]+)}", operation.path)) if operation else set()


def _check_rules(source: Source) -> list[Problem]:
    """What the JSON Schema cannot express."""
    data = source.data or {}
    problems = []
    if isinstance(data.get("clock"), str) and re.match(DATE_TIME_PATTERN, data["clock"]):
        try:
            parse_clock(data["clock"])
        except SettingsError:
            problems.append(source.problem(("clock",), f"{data['clock']!r} is not a valid ISO 8601 date or date-time"))
    schemas = spec_schemas()
    behaviours = data.get("behaviours")
    for i, raw in enumerate(behaviours if isinstance(behaviours, list) else []):
        # The schema has already reported malformed entries; only well-formed parts are checked here.
        if not isinstance(raw, dict) or schemas.operation(raw.get("operation")) is None:
            continue
        base = ("behaviours", i)
        operation = schemas.operation(raw["operation"])
        params = _path_params(operation)
        when = raw.get("when") if isinstance(raw.get("when"), dict) else {}
        for key in when.get("path") if isinstance(when.get("path"), dict) else {}:
            if operation is not None and key not in params:
                known = ", ".join(sorted(params)) or "none"
                problems.append(source.problem(base + ("when", "path", key),
                                               f"{raw['operation']} has no path parameter {key!r} (it has: {known})",
                                               at_key=True))
        sequence = raw.get("sequence") if isinstance(raw.get("sequence"), list) else []
        steps = [(base, raw)] + [(base + ("sequence", j), step) for j, step in enumerate(sequence)
                                 if isinstance(step, dict)]
        if not any(a in raw for a in ACTIONS) and not raw.get("sequence"):
            problems.append(source.problem(base, "this behaviour does nothing: give latency, respond, fault, "
                                                 "partial_errors or a sequence"))
        for where, action in steps:
            problems += _check_action(source, where, raw["operation"], action, schemas)
    return problems


def _check_action(source: Source, where: tuple, operation_id: str, action: dict, schemas) -> list[Problem]:
    problems = []
    latency = action.get("latency")
    if isinstance(latency, dict) and isinstance(latency.get("min"), int) and isinstance(latency.get("max"), int) \
            and latency["min"] > latency["max"]:
        problems.append(source.problem(where + ("latency",), f"min {latency['min']} is above max {latency['max']}"))
    if "respond" in action and "fault" in action:
        problems.append(source.problem(where + ("fault",), "a step either responds or faults, not both", at_key=True))
    if "respond" in action and "partial_errors" in action:
        problems.append(source.problem(where + ("partial_errors",),
                                       "partial_errors extends the normal answer; it cannot go with respond",
                                       at_key=True))
    if "partial_errors" in action and operation_id not in PARTIAL_ERRORS_OPERATIONS:
        problems.append(source.problem(where + ("partial_errors",),
                                       f"partial_errors is a BlendX list field; {operation_id} has none "
                                       f"(use it on {', '.join(PARTIAL_ERRORS_OPERATIONS)})", at_key=True))
    respond = action.get("respond")
    if isinstance(respond, dict) and "body" in respond and not isinstance(respond["body"], str) \
            and isinstance(respond.get("status"), int):
        status = respond["status"]
        for error in schemas.errors(operation_id, status, respond["body"]):
            for path, message, at_key in describe(error, where + ("respond", "body")):
                problems.append(source.problem(path, f"{message} (spec response schema of {operation_id} {status})",
                                               at_key=at_key))
    pe = action.get("partial_errors")
    if isinstance(pe, dict) and isinstance(pe.get("count"), int) and isinstance(pe.get("errors"), list) \
            and pe["count"] < len(pe["errors"]):
        problems.append(source.problem(where + ("partial_errors", "count"),
                                       f"count {pe['count']} is less than the {len(pe['errors'])} errors listed"))
    return problems


# --- building a snapshot --------------------------------------------------------------------------------


@dataclass
class Merged:
    """The settings, auth, records and behaviours of several scenarios, later files winning."""

    seed: int
    clock: object
    size: object
    auth: AuthConfig
    expire_tokens: bool
    enterprise_format: str
    search_backend: str
    behaviours: list = field(default_factory=list)


def merge(scenarios: list[Scenario], settings: Settings) -> Merged:
    auth = AuthConfig.from_settings(settings)
    merged = Merged(settings.seed, settings.clock, settings.size, auth, False, settings.enterprise_default_format,
                    settings.search_backend)
    auth_fields = {}
    for scenario in scenarios:
        data = scenario.data
        merged.seed = data.get("seed", merged.seed)
        if "clock" in data:
            merged.clock = parse_clock(data["clock"])
        merged.size = data.get("size", merged.size)
        auth_fields.update({k: v for k, v in (data.get("auth") or {}).items() if k != "tokens_expired"})
        if "tokens_expired" in (data.get("auth") or {}):
            merged.expire_tokens = data["auth"]["tokens_expired"]
        merged.enterprise_format = (data.get("enterprise") or {}).get("default_format", merged.enterprise_format)
        merged.search_backend = (data.get("search") or {}).get("backend", merged.search_backend)
    if auth_fields:
        merged.auth = AuthConfig(auth_fields.get("mode", auth.mode), auth_fields.get("action_secret", auth.action_secret),
                                 auth_fields.get("token_lifetime", auth.token_lifetime), auth.jwt_secret, auth.clients,
                                 tuple(auth_fields.get("sessions", auth.sessions)))
    # Later files first: their behaviours are tried before those of earlier files.
    for scenario in reversed(scenarios):
        merged.behaviours += compile_behaviours(scenario)
    return merged


def compile_behaviours(scenario: Scenario) -> list[Behaviour]:
    out = []
    for i, raw in enumerate(scenario.data.get("behaviours") or []):
        line, _ = scenario.source.where(("behaviours", i))
        steps = tuple((step.get("times", 1), Action.from_spec(step)) for step in raw.get("sequence") or ())
        when = raw.get("when") or {}
        out.append(Behaviour(raw["operation"], Action.from_spec(raw), steps, raw.get("name"),
                             dict(when.get("path") or {}), dict(when.get("query") or {}),
                             f"{scenario.file}:{line}"))
    return out


def jwt_operations(specs_dir=specs.DEFAULT_SPECS_DIR) -> frozenset:
    """operationIds whose security accepts the `jwt` scheme."""
    found = set()
    for name in specs.available_specs(specs_dir):
        document = specs.load_spec(name, specs_dir)
        default = document.get("security") or []
        for op in specs.operations(name, document):
            security = op.definition.get("security", default) or []
            if any("jwt" in requirement for requirement in security):
                found.add(op.operation_id)
    return frozenset(found)


def overlay_of(scenarios: list[Scenario]):
    overlay = None
    for scenario in scenarios:
        records = scenario.data.get("records")
        if records:
            part = rec.to_overlay(records)
            overlay = part if overlay is None else overlay.merged(part)
    return overlay


def build_snapshot(scenarios: list[Scenario], settings: Settings, *, default_world=None,
                   check_records: bool = True, render=None) -> Snapshot:
    """A complete snapshot for `scenarios` on top of `settings`; raises `ScenarioError` with every problem.

    `render(snapshot)` renders the records through the real handlers (`records_check.py`); it is needed
    when a scenario has records. `default_world` (the world of `settings` alone) is reused when no
    scenario changes the seed, clock, size or records, so a behaviour-only reload costs no world build.
    """
    merged = merge(scenarios, settings)
    overlay = overlay_of(scenarios)
    same_world = (overlay is None and (merged.seed, merged.clock, merged.size)
                  == (settings.seed, settings.clock, settings.size))
    try:
        if same_world and default_world is not None:
            world = default_world
        else:
            world = build_world(seed=merged.seed, clock=merged.clock, size=merged.size, overlay=overlay)
    except ValueError as exc:  # WorldError is a ValueError; so is a world size it cannot build
        raise ScenarioError([records_check.world_problem(scenarios, exc)]) from None
    behaviours = BehaviourSet(merged.behaviours, merged.expire_tokens, jwt_operations(settings.specs_dir))
    snapshot = Snapshot(world=world, auth=merged.auth, enterprise_format=merged.enterprise_format,
                        search_backend=merged.search_backend,
                        behaviours=behaviours, scenarios=tuple(s.name for s in scenarios))
    if check_records and overlay is not None:
        if render is None:
            raise TypeError("records are checked by rendering them: pass render (mockserver.app.ProbeRenderer)")
        problems = records_check.check_records(scenarios, snapshot, settings, render)
        if problems:
            raise ScenarioError(problems)
    return snapshot


def load(paths, settings: Settings, render=None) -> tuple[list[Scenario], Snapshot]:
    """Read, check and build: the scenarios and the snapshot to install."""
    scenarios = read_files(paths)
    return scenarios, build_snapshot(scenarios, settings, render=render)
