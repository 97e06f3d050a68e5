"""The contract runner: drives schemathesis 4 against a target with our specs, our checks and our safety policy.

One run = for each API (catalog, enterprise, blendx): load `specs/<api>.yaml`, point it at the target,
keep only read-only operations, and then, the pipeline of a run, in this order:

1. discover real ids on the target (`examples.discover`: list -> detail ids, the page a `next` link leads
   to, the spec's own examples as a fallback);
2. "target examples": every operation once per real id, through every check (deterministic: whatever
   the seed, a drift on every response of an operation is found);
3. schemathesis' engine (examples, coverage and fuzzing phases; no stateful phase, it needs writes) with
   positive data only, through every check;
4. the probes (`probes.py`), once per operation with a real id: auth, leniency, missing resources,
   hostile input, XML negotiation;

and collect every failure as a `Finding`.

Why positive-only: the real servers are lenient (a bad `limit` falls back to the default, a bad id is a
404, a bad search `page_size` is a 500), so schemathesis' `negative_data_rejection` would report drift
that is really the documented behaviour. Instead the specs mark lenient parameters with `x-on-invalid`
and the `declared_leniency` domain check sends targeted out-of-schema values and asserts the declared
fallback. `ignored_auth` and `missing_required_header` are replaced by `auth_rejection` for the same
reason (the api.edx.org gateway answers a missing `Authorization` with 400, not 401/403);
`unsupported_method` is off because it sends other methods, which a read-only run must not.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import yaml

import schemathesis
from schemathesis.engine import events, from_schema

from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import Failure, FailureGroup

from mockserver.contract import checks as domain_checks
from mockserver.contract import search_checks
from mockserver.contract.context import RunContext, activate, active_run, deactivate, fill_path
from mockserver.contract.credentials import Credentials, CredentialsError, exchange_client_credentials
from mockserver.contract.examples import bindings_for, discover
from mockserver.contract.failures import AuthBypassDrift, Collector, ContractDrift, ProbeRequest, escape_pointer
from mockserver.contract.probes import PROBES, ForgedCredentials, Target
from mockserver.contract.replay import Recorded, Reference, ReplayVerdict, RequestsFileError, compare, load_requests
from mockserver.contract.redact import SENSITIVE_HEADERS, Redactor
from mockserver.contract.safety import DEFAULT_TIMEOUT, SafetyPolicy, UnsafeRequestRefused
from mockserver.specs import CONTRACT_APIS, DEFAULT_SPECS_DIR, base_path, load_spec

__all__ = [
    "APIS",
    "DEFAULT_SPECS_DIR",
    "BUILTIN_CHECKS",
    "DISABLED_BUILTIN_CHECKS",
    "ContractOptions",
    "Finding",
    "OperationResult",
    "ContractResult",
    "SetupError",
    "run_contract",
]

APIS = CONTRACT_APIS
EDX_APIS = frozenset({"catalog", "enterprise"})

# schemathesis' checks that hold against real servers.
BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
    "allow_header_conformance",
)
# ...and the ones real servers legitimately fail or that would send writes (see the module docstring).
DISABLED_BUILTIN_CHECKS = (
    "negative_data_rejection",
    "missing_required_header",
    "ignored_auth",
    "unsupported_method",
    "use_after_free",
    "ensure_resource_availability",
    "object_level_authorization",
)


class SetupError(RuntimeError):
    """The run could not start: spec missing, target unreachable, credentials missing or rejected."""


@dataclass
class ContractOptions:
    """Everything a run needs; the CLI builds one from flags and the environment."""

    base_url: str
    apis: tuple[str, ...] = APIS
    credentials: Credentials = field(default_factory=Credentials)
    specs_dir: Path = DEFAULT_SPECS_DIR
    max_examples: int = 20
    seed: int | None = None
    rate_limit: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    allow_unsafe_methods: bool = False
    permissive_auth: bool = False
    """The target runs the mock's permissive auth mode on purpose: skip the probes it lets through by design."""
    accept_deprecated_keys: bool = False
    requests_file: Path | None = None
    """Replay the requests of this journal export instead of generating cases (`replay.py`)."""
    mock_url: str | None = None
    """The mock a replay compares with (default: this mock in-process, default settings)."""
    search_backend: str | None = None
    """elasticsearch or meilisearch; None: inferred from the target's first search answer."""
    progress: Callable[[str], None] | None = None

    @property
    def generation(self) -> str:
        """The generation mode, in words, for the reports."""
        if self.requests_file is not None:
            return (f"replay of the requests in {self.requests_file} (no generated cases), each compared with "
                    f"{self.mock_url or 'the mock in-process (default settings)'}")
        return (f"positive data only, up to {self.max_examples} examples per operation and phase (schemathesis "
                f"examples, coverage and fuzzing phases; no stateful phase), seed {self.seed}; plus every operation "
                f"once per real id found on the target, and the probes once per operation")


@dataclass
class Finding:
    """One drift, ready for a report: where, what was expected, what came back, how to reproduce it."""

    api: str
    operation: str
    check: str
    code: str
    title: str
    pointer: str
    expected: Any
    actual: Any
    message: str
    curl: str
    occurrences: int = 1
    """How many times the same rule broke at the same place (e.g. `/results/0/x`, `/results/7/x`)."""


@dataclass
class OperationResult:
    api: str
    operation: str
    cases: int = 0
    findings: list[Finding] = field(default_factory=list)
    skipped: str | None = None
    notes: list[str] = field(default_factory=list)
    """What was not checked on this operation, and why."""


@dataclass
class ContractResult:
    """The outcome of a run; `exit_code` is 0 conforms, 1 drift found, 2 could not run."""

    base_url: str
    operations: dict[str, OperationResult] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    setup_error: str | None = None
    seed: int | None = None
    elapsed: float = 0.0
    checks: list[str] = field(default_factory=list)
    """The checks and probes that ran, by name."""
    generation: str = ""
    replays: list[ReplayVerdict] = field(default_factory=list)
    """Per replayed request (`--requests`), whether the client's call still works on the target."""
    notes: list[str] = field(default_factory=list)
    """Facts the run learned about the target (e.g. its edx-search backend), stated in the report."""

    @property
    def findings(self) -> list[Finding]:
        return [f for op in self.operations.values() for f in op.findings]

    @property
    def cases(self) -> int:
        return sum(op.cases for op in self.operations.values())

    @property
    def exit_code(self) -> int:
        if self.setup_error is not None:
            return 2
        if self.findings:
            return 1
        return 2 if self.errors else 0


# -- public entry point ----------------------------------------------------------------------------


def run_contract(options: ContractOptions, redactor: Redactor | None = None) -> ContractResult:
    """Run the contract of `options.apis` against `options.base_url`; never raises for target problems."""
    redactor = redactor if redactor is not None else Redactor()
    for secret in options.credentials.secrets():
        redactor.add(secret)
    if options.seed is None:
        # Pick the seed here rather than inside Hypothesis, so every report can print it for a re-run.
        options = dataclasses.replace(options, seed=random.SystemRandom().randrange(2**31))
    result = ContractResult(base_url=options.base_url, seed=options.seed, generation=options.generation,
                            checks=[*BUILTIN_CHECKS, *domain_checks.DOMAIN_CHECKS, *PROBES])
    started = time.monotonic()
    try:
        specs = {api: _load_spec(options.specs_dir, api) for api in options.apis}
        _check_reachable(options.base_url, options.timeout)
        credentials = _resolve_credentials(options, redactor)
        if options.requests_file is not None:
            result.checks = [*BUILTIN_CHECKS, *domain_checks.DOMAIN_CHECKS, "replay"]
            _replay(specs, options, credentials, redactor, result)
        else:
            for api, raw in specs.items():
                _run_api(api, raw, options, credentials, redactor, result)
    except SetupError as exc:
        result.setup_error = redactor.text(str(exc))
    result.elapsed = time.monotonic() - started
    return result


# -- setup -----------------------------------------------------------------------------------------


def _load_spec(specs_dir: Path, api: str) -> dict[str, Any]:
    if api not in APIS:
        raise SetupError(f"unknown API {api!r} (choose from {', '.join(APIS)})")
    path = Path(specs_dir) / f"{api}.yaml"
    if not path.is_file():
        raise SetupError(f"spec missing: {path}")
    try:
        raw = load_spec(api, specs_dir)
    except yaml.YAMLError as exc:
        raise SetupError(f"spec unreadable: {path}: {exc}") from None
    if not isinstance(raw, dict) or "paths" not in raw:
        raise SetupError(f"spec invalid: {path} has no paths")
    return raw


def _check_reachable(base_url: str, timeout: float) -> None:
    try:
        httpx.get(base_url, timeout=min(timeout, 10.0))
    except httpx.HTTPError as exc:
        raise SetupError(f"target unreachable: {urlsplit(base_url).netloc} ({type(exc).__name__})") from None


def _resolve_credentials(options: ContractOptions, redactor: Redactor) -> Credentials:
    creds = options.credentials
    if creds.jwt or not (creds.client_id and creds.client_secret):
        return creds
    try:
        token = exchange_client_credentials(options.base_url, creds.client_id, creds.client_secret, options.timeout)
    except CredentialsError as exc:
        raise SetupError(f"bad credentials: {exc}") from None
    redactor.add(token)
    return Credentials(jwt=token, action_secret=creds.action_secret, client_id=creds.client_id,
                       client_secret=creds.client_secret)


def _auth_headers(api: str, creds: Credentials) -> dict[str, str]:
    return creds.edx_headers() if api in EDX_APIS else creds.blendx_headers()


def _config(options: ContractOptions, base_url: str, headers: dict[str, str], rate_limit: str | None):
    data: dict[str, Any] = {
        "base-url": base_url,
        "request-timeout": options.timeout,
        # Keep testing an operation after its first failure: a drift report must show every drift, not the first.
        "continue-on-failure": True,
        "output": {"sanitization": {"keys-to-sanitize": sorted(SENSITIVE_HEADERS | {"client_secret"})}},
        "generation": {"mode": "positive", "max-examples": options.max_examples},
        "phases": {"coverage": {"unexpected-methods": []}, "stateful": {"enabled": False}},
        "checks": {
            **{name: {"enabled": True} for name in BUILTIN_CHECKS},
            **{name: {"enabled": False} for name in DISABLED_BUILTIN_CHECKS},
        },
    }
    if headers:
        data["headers"] = headers
    if rate_limit:
        data["rate-limit"] = rate_limit
    if options.seed is not None:
        data["seed"] = options.seed
    return schemathesis.Config.from_dict(data)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Defence in depth: whatever a phase generates, nothing unsafe leaves the process during a contract run."""
    run = active_run(case)
    if run is not None:
        run.policy.guard(case.method, run.url_for(case.formatted_path))


# -- one API ---------------------------------------------------------------------------------------


def _run_api(api: str, raw: dict, options: ContractOptions, creds: Credentials, redactor: Redactor,
             result: ContractResult) -> None:
    say = options.progress or (lambda line: None)
    policy = SafetyPolicy(base_url=options.base_url, allow_unsafe_methods=options.allow_unsafe_methods)
    rate_limit = options.rate_limit or policy.default_rate_limit()
    headers = _auth_headers(api, creds)
    prefix = base_path(raw)
    base_url = options.base_url.rstrip("/") + prefix
    if _requires_auth(raw) and not headers:
        what = "a JWT (--jwt or --client-id/--client-secret)" if api in EDX_APIS else "an action secret"
        raise SetupError(f"no credentials for {api}: {what} is required")

    schema = schemathesis.openapi.from_dict(raw, config=_config(options, base_url, headers, rate_limit))
    for operation in _operations(raw):
        method, path = operation
        label = f"{method.upper()} {path}"
        result.operations.setdefault(label, OperationResult(api=api, operation=label))
        if not policy.method_allowed(method, prefix + path):
            result.operations[label].skipped = "not read-only (use --allow-unsafe-methods)"
    if not options.allow_unsafe_methods:
        schema = schema.include(lambda ctx: policy.method_allowed(ctx.operation.method, prefix + ctx.operation.path))

    limiter = schema.config.rate_limit if rate_limit else None
    run = RunContext(api=api, policy=policy, raw_spec=raw, auth_headers=headers, timeout=options.timeout,
                     limiter=limiter, enabled_checks=frozenset(domain_checks.DOMAIN_CHECKS),
                     deprecated_keys=options.accept_deprecated_keys,
                     search_backend=options.search_backend)
    _preflight(api, raw, run, prefix)
    if search_checks.backend_of(run) is not None:
        how = "inferred from its first answer" if run.search_backend_inferred else "declared (--search-backend)"
        result.notes.append(f"edx-search backend: {run.search_backend} ({how})")
        say(f"[{api}] {result.notes[-1]}")
    allowed = [(m, p) for m, p in _operations(raw) if policy.method_allowed(m, prefix + p)]
    say(f"[{api}] {base_url}: {len(allowed)} operations, up to {options.max_examples} examples each")
    forged = ForgedCredentials.make()
    redactor.allow(forged.public_values())
    activate(schema, run)
    try:
        known = discover(run, {path for _, path in allowed})
        targets = []
        for method, path in allowed:
            bindings, source = bindings_for(run, path, known)
            op = result.operations[f"{method.upper()} {path}"]
            if source == "spec example":
                op.notes.append("no id of this route was found on the target: its cases and probes used the spec's "
                                "example ids")
            elif not bindings:
                op.notes.append("no id of this route was found on the target or in the spec: only generated ids "
                                "were tried")
            _target_examples(schema, run, api, method, path, bindings, result, redactor)
            targets.append(Target(run, method, path, op.operation, bindings[0] if bindings else None, source,
                                  options.permissive_auth, forged))
        say(f"  examples  ids from the target: {sum(len(v) for v in known.values())} "
            f"for {len(known)} routes")
        for event in from_schema(schema).execute():
            _handle(event, api, result, redactor, say)
        for target in targets:
            op = result.operations[target.label]
            for name, probe in PROBES.items():
                found = Collector(target.label)
                try:
                    probe(target, found)
                except (httpx.HTTPError, UnsafeRequestRefused) as exc:
                    op.notes.append(f"{name}: not completed ({type(exc).__name__})")
                for drift in found.drifts:
                    _add(result, api, _finding(api, name, drift, None, "", redactor), set())
            op.notes.extend(n for n in target.notes if n not in op.notes)
        say(f"  probes    {len(targets)} operations x {len(PROBES)} probes")
    finally:
        deactivate(schema)


def _response_checks() -> list:
    load_all_checks()
    return [*CHECKS.get_by_names(list(BUILTIN_CHECKS)), *domain_checks.DOMAIN_CHECKS.values()]


_FORM = "application/x-www-form-urlencoded"


def _target_examples(schema: Any, run: RunContext, api: str, method: str, path: str, bindings: list[dict],
                     result: ContractResult, redactor: Redactor) -> None:
    """Send the operation once per real binding and run every response check on the answer."""
    label = f"{method.upper()} {path}"
    operation = schema[path][method.upper()]
    form = run.operation(method, path) or {}
    is_form = _FORM in ((form.get("requestBody") or {}).get("content") or {})
    checks = _response_checks()
    for binding in bindings:
        body = {"body": {}, "media_type": _FORM} if is_form else {}
        case = operation.Case(path_parameters=dict(binding), query={}, **body)
        url = run.url_for(fill_path(path, binding))
        try:
            response = run.send(method.upper(), url, data={} if is_form else None)
        except (httpx.HTTPError, UnsafeRequestRefused) as exc:
            result.errors.append(redactor.text(f"[{api}] {label}: {type(exc).__name__} on a target example"))
            continue
        result.operations[label].cases += 1
        _check_response(case, response, run.describe(response), api, result, redactor)


def _check_response(case: Any, response: httpx.Response, request: ProbeRequest, api: str, result: ContractResult,
                    redactor: Redactor) -> list[Finding]:
    """Run every response check on one answer; add and return the findings."""
    this_case: set[int] = set()
    findings = []
    for check in _response_checks():
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            failures = [f for f in group.exceptions if isinstance(f, Failure)]
        except Failure as failure:
            failures = [failure]
        else:
            continue
        # schemathesis collects a check's failures in a set: order them, so the first item shown is the first broken.
        failures.sort(key=lambda f: [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in _locate(f)[0].split("/")])
        for failure in failures:
            finding = _finding(api, check.__name__, failure, None, "", redactor, request)
            findings.append(finding)
            _add(result, api, finding, this_case)
    return findings


# -- consumer-driven runs ------------------------------------------------------------------------------


def _route_matchers(specs: dict[str, dict]) -> list[tuple[re.Pattern, str, str, str]]:
    """`(regex on the URL path, api, method, spec path)` of every operation, most specific first."""
    matchers = []
    for api, raw in specs.items():
        prefix = base_path(raw).rstrip("/")
        for method, path in _operations(raw):
            pattern = re.escape(prefix + path.rstrip("/"))
            pattern = re.sub(r"\\\{([^}]+)\\\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", pattern)
            matchers.append((re.compile(f"^{pattern}/?$"), api, method.upper(), path))
    return sorted(matchers, key=lambda m: m[3].count("{"))


def _replay(specs: dict[str, dict], options: ContractOptions, creds: Credentials, redactor: Redactor,
            result: ContractResult) -> None:
    say = options.progress or (lambda line: None)
    try:
        recorded = load_requests(options.requests_file)
    except RequestsFileError as exc:
        raise SetupError(f"requests file: {exc}") from None
    policy = SafetyPolicy(base_url=options.base_url, allow_unsafe_methods=options.allow_unsafe_methods)
    rate_limit = options.rate_limit or policy.default_rate_limit()
    runs: dict[str, tuple[Any, RunContext]] = {}
    for api, raw in specs.items():
        headers = _auth_headers(api, creds)
        schema = schemathesis.openapi.from_dict(
            raw, config=_config(options, options.base_url.rstrip("/") + base_path(raw), headers, rate_limit))
        run = RunContext(api=api, policy=policy, raw_spec=raw, auth_headers=headers, timeout=options.timeout,
                         limiter=schema.config.rate_limit if rate_limit else None,
                         enabled_checks=frozenset(domain_checks.DOMAIN_CHECKS),
                         deprecated_keys=options.accept_deprecated_keys)
        # Credentials the target refuses would make every replayed call "work" as a refusal like the mock's.
        _preflight(api, raw, run, base_path(raw))
        runs[api] = (schema, run)
        activate(schema, run)
    reference = Reference(options.mock_url, lambda api: _auth_headers(api, creds), options.timeout)
    matchers = _route_matchers(specs)
    say(f"[replay] {len(recorded)} requests from {options.requests_file}, compared with {reference.name}")
    try:
        for request in recorded:
            verdict = _replay_one(request, matchers, runs, policy, reference, redactor, result)
            result.replays.append(verdict)
            # Redacted whole, then cut: a secret cut in two would no longer be recognised.
            say(f"  #{request.index:<4} {request.method} {redactor.text(request.target)[:80]}: "
                f"{redactor.text(verdict.verdict)[:100]}")
    finally:
        reference.close()
        for schema, _run in runs.values():
            deactivate(schema)


def _replay_one(request: Recorded, matchers: list, runs: dict, policy: SafetyPolicy, reference: Reference,
                redactor: Redactor, result: ContractResult) -> ReplayVerdict:
    verdict = ReplayVerdict(recorded=request)
    if request.path.startswith("/oauth2/"):
        verdict.skipped = "the OAuth token exchange (the run uses its own credentials)"
        return verdict
    match = next(((m, api, path) for regex, api, method, path in matchers
                  if method == request.method and (m := regex.match(request.path)) and api in runs), None)
    if match is None:
        verdict.skipped = "not an operation of the specs under test"
        return verdict
    groups, api, path = match
    verdict.api, verdict.operation = api, f"{request.method} {path}"
    if not policy.method_allowed(request.method, request.path):
        verdict.skipped = "not read-only (use --allow-unsafe-methods)"
        return verdict
    schema, run = runs[api]
    op = result.operations.setdefault(verdict.operation, OperationResult(api=api, operation=verdict.operation))
    try:
        response = run.send(request.method, _replay_url(run, request), data=request.form)
    except (httpx.HTTPError, UnsafeRequestRefused) as exc:
        verdict.skipped = f"the target did not answer ({type(exc).__name__})"
        result.errors.append(f"[replay] #{request.index} {request.method} {request.path}: {type(exc).__name__}")
        return verdict
    try:
        mock = reference.send(request, api)
    except httpx.HTTPError as exc:
        verdict.skipped = f"the reference mock did not answer ({type(exc).__name__})"
        result.errors.append(f"[replay] mock: {type(exc).__name__}")
        return verdict
    op.cases += 1
    verdict.mock_status, verdict.target_status = mock.status_code, response.status_code
    probe = run.describe(response)
    if request.status is not None and mock.status_code != request.status:
        op.notes.append(f"request #{request.index}: the reference mock answers {mock.status_code}, the journal "
                        f"recorded {request.status} (was it recorded with other settings? see --mock-url)")
    found = Collector(verdict.operation, probe)
    verdict.broken = compare(found, request, mock, response)
    for drift in found.drifts:
        _add(result, api, _finding(api, "replay", drift, None, "", redactor), set())
    body = {"body": request.form or {}, "media_type": _FORM} if request.form is not None or request.method == "POST" \
        else {}
    case = schema[path][request.method].Case(path_parameters={k: v for k, v in groups.groupdict().items()},
                                             query=dict(parse_qsl(request.query, keep_blank_values=True)), **body)
    # One line per rule and place: the same rule broken at /results/0/x and /results/7/x is one breakage.
    shown: dict[tuple[str, str], list[Finding]] = {}
    for finding in _check_response(case, response, probe, api, result, redactor):
        shown.setdefault((finding.check, _shape(finding.pointer)), []).append(finding)
    for same in shown.values():
        first = same[0]
        more = f" (and {len(same) - 1} more item(s))" if len(same) > 1 else ""
        verdict.broken.append(f"{first.check} at {first.pointer or '/'}: expected {_clean(first.expected, redactor)[:160]}"
                              f", got {_clean(first.actual, redactor)[:120]}{more}")
    return verdict


def _replay_url(run: RunContext, request: Recorded) -> str:
    return run.policy.base_url.rstrip("/") + request.target


def _operations(raw: dict) -> list[tuple[str, str]]:
    methods = {"get", "post", "put", "patch", "delete", "head", "options"}
    return [(m, p) for p, item in (raw.get("paths") or {}).items() for m in item if m in methods]


def _requires_auth(raw: dict) -> bool:
    for method, path in _operations(raw):
        if raw["paths"][path][method].get("security", raw.get("security")):
            return True
    return False


def _preflight(api: str, raw: dict, run: RunContext, prefix: str) -> None:
    """Reject the run early when the target refuses our credentials (exit 2, not drift)."""
    for method, path in _operations(raw):
        operation = raw["paths"][path][method]
        if method != "get" or "{" in path or not operation.get("security", raw.get("security")):
            continue
        try:
            response = run.send("GET", run.url_for(path))
        except (httpx.HTTPError, UnsafeRequestRefused) as exc:
            raise SetupError(f"target unreachable: {type(exc).__name__}") from None
        if response.status_code in (401, 403):
            raise SetupError(f"bad credentials: {api} answered {response.status_code} to GET {prefix}{path}")
        return


# -- events -> findings ----------------------------------------------------------------------------


def _handle(event: Any, api: str, result: ContractResult, redactor: Redactor, say: Callable[[str], None]) -> None:
    if isinstance(event, events.ScenarioFinished):
        recorder = event.recorder
        per_label: dict[str, int] = {}
        for node in recorder.cases.values():
            label = node.value.operation.label
            per_label[label] = per_label.get(label, 0) + 1
        for label, count in per_label.items():
            result.operations.setdefault(label, OperationResult(api=api, operation=label)).cases += count
        for case_id, nodes in recorder.checks.items():
            this_case: set[int] = set()
            for node in nodes:
                if node.failure_info is not None:
                    _add(result, api, _finding(api, node.name, node.failure_info.failure, recorder, case_id, redactor),
                         this_case)
        if per_label or event.status.value != "skip":
            failed = sum(1 for label in per_label for _ in result.operations[label].findings)
            say(f"  {event.phase.value:<9} {recorder.label:<70} {sum(per_label.values()):>4} cases"
                f"{'  ' + str(failed) + ' drift(s)' if failed else ''}")
    elif isinstance(event, events.NonFatalError):
        message = redactor.text(f"[{api}] {event.label}: {event.info.format(base_url_is_set=True)}".strip())
        result.errors.append(message)
        say("  error: " + message.splitlines()[0])
    elif isinstance(event, events.FatalError):
        message = redactor.text(f"[{api}] fatal: {type(event.exception).__name__}: {event.exception}")
        result.errors.append(message)
        say("  " + message)


def _add(result: ContractResult, api: str, finding: Finding, this_case: set[int]) -> None:
    """Add `finding` to its operation, or count it as another occurrence of a drift already there."""
    op = result.operations.setdefault(finding.operation, OperationResult(api=api, operation=finding.operation))
    # Prefer the finding with the very same expectation. Two findings of one case at the very same
    # pointer are distinct drifts (a key both malformed and not the one asked for) and stay apart.
    known = next((k for k in op.findings if _same(finding, k) and str(k.expected) == str(finding.expected)),
                 None) or next((k for k in op.findings if _same(finding, k)
                                and (id(k) not in this_case or k.pointer != finding.pointer)), None)
    if known is None:
        op.findings.append(finding)
        this_case.add(id(finding))
    else:
        known.occurrences += 1


def _same(a: Finding, b: Finding) -> bool:
    # The same rule broken at /results/0/x and /results/7/x is one drift; the report keeps the first pointer
    # and counts the rest. A domain check's `expected` names the instance ("list says title=X"), so only the
    # rule and the place tell its drifts apart; a schema keyword ("type: integer") is part of the rule.
    if a.code == AuthBypassDrift.code:
        # Each credential a target lets through is its own hole, not another sighting of the first.
        return (a.code, a.pointer, str(a.expected)) == (b.code, b.pointer, str(b.expected))
    if a.code.startswith("MS"):
        return (a.code, _shape(a.pointer), a.check) == (b.code, _shape(b.pointer), b.check)
    return (a.code, _shape(a.pointer), str(a.expected), a.check) == (b.code, _shape(b.pointer), str(b.expected), b.check)


def _shape(pointer: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/*", pointer)


def _finding(api: str, check: str, failure: Any, recorder: Any, case_id: str, redactor: Redactor,
             request: ProbeRequest | None = None) -> Finding:
    pointer, expected, actual = _locate(failure)
    if isinstance(failure, ContractDrift) and failure.request is not None:
        curl = _curl(failure.request, redactor)
    elif request is not None:
        curl = _curl(request, redactor)
    else:
        interaction = recorder.interactions.get(case_id) if recorder is not None else None
        if interaction is not None:
            request = interaction.request
            body = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else request.body
            headers = {k: v[0] if isinstance(v, list) else v for k, v in request.headers.items()}
            curl = _curl(ProbeRequest(method=request.method, url=request.uri, headers=headers, body=body), redactor)
        else:
            curl = ""
    return Finding(
        api=api,
        operation=failure.operation or (recorder.label if recorder is not None else ""),
        check=check,
        code=failure.code,
        title=redactor.text(failure.title),
        pointer=pointer,
        expected=_clean(expected, redactor),
        actual=_clean(actual, redactor),
        message=_message(failure, expected, actual, redactor),
        curl=curl,
    )


_MAX_MESSAGE = 1500


def _message(failure: Any, expected: Any, actual: Any, redactor: Redactor) -> str:
    text = (failure.message or "").strip() or f"{failure.title}: expected {expected}, got {actual}"
    text = redactor.text(text)
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _clean(value: Any, redactor: Redactor) -> Any:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    text = redactor.text(text)
    return text if len(text) <= 400 else text[:399] + "…"


def _locate(failure: Any) -> tuple[str, Any, Any]:
    """JSON pointer, expected and actual of any failure, ours or schemathesis'."""
    if isinstance(failure, ContractDrift):
        return failure.pointer, failure.expected, failure.actual
    name = type(failure).__name__
    if name == "JsonSchemaError":
        pointer = "".join(f"/{escape_pointer(p)}" for p in failure.instance_path)
        keyword, value = _schema_keyword(failure)
        if keyword == "required" and isinstance(value, list) and isinstance(failure.instance, dict):
            # Point at the field that is gone, not at the object that lacks it.
            missing = [name for name in value if name not in failure.instance]
            if missing:
                return f"{pointer}/{escape_pointer(missing[0])}", f"required field {missing[0]!r}", "missing"
        # JSON text, so a string "38" and the number 38 read differently in the report.
        actual = json.dumps(failure.instance, default=str, ensure_ascii=False)
        return pointer, f"{keyword}: {json.dumps(value, default=str)}" if keyword else failure.title, actual
    if name == "UndefinedStatusCode":
        return "/status", failure.defined_status_codes, failure.status_code
    if name == "UndefinedContentType":
        return "/headers/Content-Type", failure.defined_content_types, failure.content_type
    if name == "MissingContentType":
        return "/headers/Content-Type", "a Content-Type header", None
    if name == "MissingHeaders":
        return "/headers/" + ",".join(failure.missing_headers), "present", "missing"
    if name in ("ServerError", "ContentTypeServerError"):
        return "/status", "not a server error (< 500)", failure.status_code
    if name == "RejectedPositiveData":
        return "/status", failure.allowed_statuses, failure.status_code
    if name == "MalformedJson":
        return "", "a valid JSON body", failure.message.splitlines()[0] if failure.message else ""
    return "", failure.title, failure.message.splitlines()[0] if failure.message else ""


def _schema_keyword(failure: Any) -> tuple[str | None, Any]:
    path = list(failure.schema_path)
    node: Any = failure._root_schema
    try:
        for part in path:
            node = node[part] if isinstance(node, dict) else node[int(part)]
    except (KeyError, IndexError, ValueError, TypeError):
        return (str(path[-1]) if path else None), None
    return (str(path[-1]) if path else None), node


def _curl(request: ProbeRequest, redactor: Redactor) -> str:
    """A curl command reproducing `request`, with credentials replaced by `[REDACTED]`."""
    parts = ["curl", "-X", request.method.upper(), _quote(redactor.text(request.url))]
    skip = {"content-length", "host", "user-agent", "accept-encoding", "connection", "x-schemathesis-testcaseid"}
    for name, value in redactor.headers(request.headers).items():
        if name.lower() not in skip:
            parts += ["-H", _quote(f"{name}: {value}")]
    if request.body:
        parts += ["--data", _quote(redactor.text(request.body))]
    return " ".join(parts)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
