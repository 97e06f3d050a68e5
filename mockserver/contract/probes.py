"""Probes: requests the runner sends once per operation, with a real id, whatever the generated cases did.

A response check sees only what the fuzzer happened to send; these rules need a request of their own,
and they must not depend on luck. So the runner calls every probe once per operation, with the path
parameters it found on the target (`examples.discover`), after the generated cases:

- `auth_rejection`: no credential, a malformed token, a JWT signed with an unknown key, `alg: none`, a token
  that expired an hour ago, a wrong action secret, a session cookie that was never issued. Each must be
  refused with its family's error; an answer that lets the request in is an `AuthBypassDrift`.
- `declared_leniency`: out-of-schema values of every `x-on-invalid` parameter get the declared fallback.
- `missing_resource`: an id that exists nowhere gets the declared 404 in the family's body.
- `hostile_input`: free-text and key parameters carrying quotes, `\\`, `/`, Lucene's reserved characters,
  emoji, right-to-left text, a 2 KB string and a NUL: never a 5xx, never an error outside the family.
- `xml_negotiation`: enterprise routes answer DRF XML on `Accept: application/xml`.

Each probe is registered with `@probe(...)`, whose options are its preconditions, and reports through a
`Collector`; a probe that cannot run on an operation says why in the operation's notes.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import defusedxml.ElementTree as SafeET
import httpx
import jwt

from mockserver.contract.checks import declares_xml, family_errors
from mockserver.contract.context import RunContext, fill_path, json_body, media_type
from mockserver.contract.examples import Binding, path_names
from mockserver.contract.failures import (
    AuthBypassDrift,
    AuthChallengeDrift,
    Collector,
    ContentNegotiationDrift,
    HostileInputDrift,
    LeniencyDrift,
    MissingResourceDrift,
)
from mockserver.specs import resolve_ref

__all__ = ["PROBES", "probe", "Target", "HOSTILE_VALUES", "ForgedCredentials", "PERMISSIVE_SKIPS"]


@dataclass
class Target:
    """One operation to probe: where it is, the real path parameters to use, and what could not be checked."""

    run: RunContext
    method: str
    path: str
    label: str
    binding: Binding | None
    source: str = "target"
    permissive: bool = False
    forged: ForgedCredentials | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def operation(self) -> dict:
        return self.run.operation(self.method, self.path) or {}

    @property
    def declared(self) -> set[str]:
        return set(self.operation.get("responses") or {})

    def url(self, **overrides: str) -> str:
        return self.run.url_for(fill_path(self.path, {**(self.binding or {}), **overrides}))

    def send(self, *, url: str | None = None, query: dict | None = None, form: dict | None = None,
             headers: dict[str, str] | None = None, auth: bool = True) -> httpx.Response:
        if self.method.upper() == "POST":
            return self.run.send("POST", url or self.url(), params=query or None, data=form or {}, headers=headers,
                                 auth=auth)
        return self.run.send(self.method.upper(), url or self.url(), params=query or None, headers=headers, auth=auth)


Probe = Callable[[Target, Collector], None]
PROBES: dict[str, Probe] = {}


def probe(*, methods: tuple[str, ...] = ("GET", "POST"), needs_binding: bool = True) -> Callable[[Probe], Probe]:
    """Register a probe; `methods` and `needs_binding` (real path parameters must be known) are its preconditions."""

    def register(func: Probe) -> Probe:
        def wrapper(target: Target, found: Collector) -> None:
            if target.method.upper() not in methods:
                return
            if needs_binding and target.binding is None:
                target.notes.append(f"{func.__name__}: not sent, no id of this route was found on the target")
                return
            func(target, found)

        wrapper.__name__ = func.__name__
        wrapper.__doc__ = func.__doc__
        PROBES[func.__name__] = wrapper
        return wrapper

    return register


# -- auth ------------------------------------------------------------------------------------------------

PROBE_JWT_HEADER = "JWT not-a-valid-token"
PROBE_ACTION_SECRET = "not-the-action-secret"
PROBE_SESSION = "sessionid=contract-probe-never-issued-0f3c9a"
_UNKNOWN_KEY = "mockserver-contract-probe-key-the-target-never-saw"

# The probes a permissive target (the mock's `--auth-mode permissive`) lets through by design, and why.
PERMISSIVE_SKIPS = {
    "JWT signed with an unknown key": "the target is declared permissive (--permissive-auth): it accepts any "
                                      "well-formed unexpired JWT",
    "JWT with alg: none": "the target is declared permissive (--permissive-auth): it does not verify signatures",
    "session cookie never issued": "the target is declared permissive (--permissive-auth): any non-empty "
                                   "sessionid is a session",
}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()


@dataclass(frozen=True)
class ForgedCredentials:
    """The deliberately bad credentials of one run. Not secrets: reports show them, so a curl reproduces the probe."""

    unknown_key: str
    alg_none: str
    expired: str

    @classmethod
    def make(cls, now: float | None = None) -> ForgedCredentials:
        now = int(time.time() if now is None else now)
        claims = {"iss": "contract-probe", "aud": "lms-key", "sub": "contract-probe", "preferred_username":
                  "contract-probe", "scopes": ["read"], "iat": now, "exp": now + 3600}
        expired = {**claims, "iat": now - 7200, "exp": now - 3600}
        return cls(
            unknown_key="JWT " + jwt.encode(claims, _UNKNOWN_KEY, algorithm="HS256"),
            alg_none="JWT " + _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims) + ".",
            expired="JWT " + jwt.encode(expired, _UNKNOWN_KEY, algorithm="HS256"),
        )

    def public_values(self) -> set[str]:
        return {self.unknown_key, self.alg_none, self.expired, PROBE_JWT_HEADER, PROBE_ACTION_SECRET, PROBE_SESSION}


def _auth_probes(schemes: set[str], forged: ForgedCredentials) -> list[tuple[str, dict[str, str], set[int]]]:
    """(what, headers, refusal statuses) per probe. edX routes: the gateway answers a missing credential 400."""
    probes: list[tuple[str, dict[str, str], set[int]]] = []
    if "jwt" in schemes:
        probes += [
            ("no credential", {}, {400, 401}),
            ("malformed token", {"Authorization": PROBE_JWT_HEADER}, {401}),
            ("JWT signed with an unknown key", {"Authorization": forged.unknown_key}, {401}),
            ("JWT with alg: none", {"Authorization": forged.alg_none}, {401}),
            ("JWT expired an hour ago", {"Authorization": forged.expired}, {401}),
        ]
    elif "actionsecret" in schemes:
        probes += [("no credential", {}, {401}), ("wrong action secret", {"actionsecret": PROBE_ACTION_SECRET}, {401})]
    if "session" in schemes:
        probes.append(("session cookie never issued", {"Cookie": PROBE_SESSION}, {401}))
    return probes


@probe()
def auth_rejection(t: Target, found: Collector) -> None:
    """Bad credentials are refused the real way (ground truth §1.1, E10), on every secured operation: no credential,
    a malformed token, a JWT signed with an unknown key, `alg: none`, a JWT expired an hour ago, a wrong action
    secret, a session cookie never issued. edX: 401 DRF `{"detail"}` with `WWW-Authenticate: JWT realm="api"` (a
    missing `Authorization`: the gateway's 400 `{"message"}`); BlendX: 401 `{"message", "status": "failed"}`. Each
    status declared by the operation. An answer that is not a refusal is an authentication bypass."""
    security = t.operation.get("security", t.run.raw_spec.get("security", []))
    schemes = {name for requirement in security or [] for name in requirement}
    if not schemes:
        t.notes.append("auth_rejection: not sent, the spec declares this operation open (no security)")
        return
    forged = t.forged or ForgedCredentials.make()
    for what, headers, statuses in _auth_probes(schemes, forged):
        if t.permissive and what in PERMISSIVE_SKIPS:
            t.notes.append(f"auth probe '{what}': skipped, {PERMISSIVE_SKIPS[what]}")
            continue
        response = t.send(headers=headers, auth=False, form=_form_defaults(t))
        request = t.run.describe(response)
        status = response.status_code
        refused = " or ".join(map(str, sorted(statuses)))
        if not 400 <= status < 500:
            found(AuthBypassDrift, "/status", f"{refused} for a request with {what}", status, request=request,
                  message=f"A request with {what} was answered {status}, not refused: the credential check lets "
                          f"it through")
            continue
        if status not in statuses:
            found(AuthChallengeDrift, "/status", f"{refused} for {what}", status, request=request)
            continue
        if str(status) not in t.declared and "4XX" not in t.declared and "default" not in t.declared:
            found(AuthChallengeDrift, "/status", f"{status} declared in the spec", sorted(t.declared), request=request)
        probe_found = Collector(t.label, request)
        family_errors(probe_found, str(response.request.url), status, response.headers, response.content,
                      json_body(response))
        for drift in probe_found.drifts:
            drift.message = f"Probe with {what}, answered {status}. {drift.message}"
        found.extend(probe_found.drifts)


# -- leniency, missing resources ---------------------------------------------------------------------------

_LENIENT_STATUS = {"default": "2xx", "clamp": "2xx", "first-page": "2xx", "ignored": "2xx", "404": 404, "500": 500}
_FORM = "application/x-www-form-urlencoded"


def _form_schema(t: Target) -> dict:
    raw = t.run.raw_spec
    content = resolve_ref(raw, t.operation.get("requestBody") or {}).get("content") or {}
    for media, spec in content.items():
        if media_type(media) == _FORM:
            return resolve_ref(raw, spec.get("schema") or {})
    return {}


def _form_defaults(t: Target) -> dict[str, str] | None:
    return {} if _form_schema(t) else None


def _parameters(t: Target) -> list[tuple[str, str, dict, dict]]:
    """`(location, name, schema, declaration)` of every parameter of the operation, form fields included."""
    raw = t.run.raw_spec
    found = [(p.get("in"), p.get("name"), resolve_ref(raw, p.get("schema") or {}), p)
             for p in t.run.parameters(t.method, t.path)]
    for name, schema in (_form_schema(t).get("properties") or {}).items():
        schema = resolve_ref(raw, schema)
        found.append(("body", name, schema, schema))
    return found


def _invalid_values(schema: dict) -> list[str]:
    values: list[str] = []
    kind = schema.get("type")
    if kind in ("integer", "number"):
        values.append("abc")
        if schema.get("minimum") is not None:
            values.append(str(int(schema["minimum"]) - 1))
        if schema.get("maximum") is not None:
            values.append(str(int(schema["maximum"]) + 1))
    elif schema.get("enum"):
        values.append("not-a-listed-value")
    elif kind == "boolean":
        values.append("maybe")
    return values


def _vary(t: Target, location: str, name: str, value: str, form_base: dict | None = None) -> httpx.Response:
    """Send the operation with one parameter set to `value`, everything else at its real or default value."""
    form = None if _form_defaults(t) is None else dict(form_base or {})
    if location == "path":
        return t.send(url=t.url(**{name: value}), form=form)
    if location == "body":
        return t.send(form={**(form or {}), name: value})
    return t.send(query={name: value}, form=form)


@probe()
def declared_leniency(t: Target, found: Collector) -> None:
    """Parameters marked `x-on-invalid` are lenient, not rejected (docs/architecture.md): an out-of-schema value
    falls back (`default`, `clamp`, `first-page`, `ignored`: 2xx), or answers the declared status (`404`, `500`) with
    its family's error body. This replaces schemathesis' `negative_data_rejection`, which real servers fail."""
    lenient = [(loc, name, decl.get("x-on-invalid"), schema) for loc, name, schema, decl in _parameters(t)
               if decl.get("x-on-invalid") in _LENIENT_STATUS and loc in ("path", "query", "body")]
    # Sibling lenient fields at their defaults: some are read only together (edx-search reads `page_index` only
    # when `page_size` is sent), and a probe must reach the code it means to test.
    siblings = {n: str(s["default"]) for loc, n, _m, s in lenient if loc == "body" and "default" in s}
    for location, name, mode, schema in lenient:
        for value in _invalid_values(schema):
            base = {k: v for k, v in siblings.items() if k != name}
            response = _vary(t, location, name, value, base)
            request = t.run.describe(response)
            expected = _LENIENT_STATUS[mode]
            status = response.status_code
            if not (200 <= status < 300 if expected == "2xx" else status == expected):
                found(LeniencyDrift, f"/{location}/{name}", f"{expected} for {name}={value!r} (x-on-invalid: {mode})",
                      status, request=request)
            elif status >= 400:
                probe_found = Collector(t.label, request)
                family_errors(probe_found, str(response.request.url), status, response.headers, response.content,
                              json_body(response))
                found.extend(probe_found.drifts)


def _absent_value(name: str, schema: dict) -> str | None:
    """A value of the parameter's own format that names nothing in any world."""
    if schema.get("type") == "integer":
        candidate = "987654321"
    elif schema.get("format") == "uuid" or "uuid" in name:
        candidate = "00000000-0000-4000-8000-000000000000"
    elif "run" in name or name == "openedx_course_id":
        candidate = "course-v1:NoSuchOrg+NoSuch404+2099_T9"
    elif "course_key" in name:
        candidate = "NoSuchOrg+NoSuch404"
    else:
        candidate = "no-such-item-404"
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, candidate):
        return None
    return candidate


@probe(methods=("GET",))
def missing_resource(t: Target, found: Collector) -> None:
    """A detail route answers an id that does not exist with a declared 404 (or 403 where the real service denies
    first, ground truth E6) in its family's error body: DRF `{"detail"}`, BlendX `{"message", "status": "failed"}`."""
    names = path_names(t.path)
    if not names:
        return
    last = names[-1]
    schema = next((s for loc, n, s, _d in _parameters(t) if loc == "path" and n == last), {})
    value = _absent_value(last, schema)
    if value is None:
        t.notes.append(f"missing_resource: no absent value fits the pattern of {last}")
        return
    response = _vary(t, "path", last, value)
    request = t.run.describe(response)
    status = response.status_code
    if status not in (403, 404) or str(status) not in t.declared:
        found(MissingResourceDrift, "/status", f"a declared 404 for {last}={value}", status, request=request)
        return
    probe_found = Collector(t.label, request)
    family_errors(probe_found, str(response.request.url), status, response.headers, response.content,
                  json_body(response))
    found.extend(probe_found.drifts)


# -- hostile input -----------------------------------------------------------------------------------------

HOSTILE_VALUES: tuple[tuple[str, str], ...] = (
    ("a single quote", "O'Reilly"),
    ("a double quote", '"unterminated'),
    ("a backslash", "back\\slash"),
    ("a slash", "data/science"),
    ("Lucene's reserved characters", '+ - && || ! ( ) { } [ ] ^ " ~ * ? : \\ /'),
    ("emoji", "🎓📚✨"),
    ("right-to-left text", "مقدمة في علوم البيانات"),
    ("a 2 KB string", "a" * 2048),
    ("a percent-encoded NUL", "nul\x00byte"),
)
_PAGING = frozenset({"page", "page_size", "page_index", "limit", "offset"})


def _free_text(location: str, name: str, schema: dict) -> bool:
    if location == "path":
        return True
    return (schema.get("type") in (None, "string") and not schema.get("enum")
            and not schema.get("format") and name not in _PAGING)


@probe()
def hostile_input(t: Target, found: Collector) -> None:
    """Free-text and key parameters take any text (ground truth: search back-ends choke on query syntax): quotes,
    a backslash, `/`, Lucene's reserved characters, emoji, right-to-left text, a 2 KB string and a percent-encoded
    NUL are answered without a server error (5xx), and an error answer is in the API's own family. A parameter
    with a `pattern` gets the values its pattern allows."""
    names = path_names(t.path)
    params = [(loc, name, schema) for loc, name, schema, _d in _parameters(t)
              if loc in ("query", "body") or (loc == "path" and name == (names[-1] if names else None))]
    for location, name, schema in params:
        if not _free_text(location, name, schema):
            continue
        pattern = schema.get("pattern")
        for what, value in HOSTILE_VALUES:
            if pattern and location != "path" and not re.search(pattern, value):
                continue  # outside what the spec allows (e.g. an unbalanced quote in edx-search's text)
            response = _vary(t, location, name, value)
            request = t.run.describe(response)
            status = response.status_code
            if status >= 500:
                found(HostileInputDrift, f"/{location}/{name}", f"no server error for {name} with {what}", status,
                      request=request, message=f"{name} with {what} ({value[:40]!r}) answered {status}")
            elif status >= 400:
                probe_found = Collector(t.label, request)
                family_errors(probe_found, str(response.request.url), status, response.headers, response.content,
                              json_body(response))
                for drift in probe_found.drifts:
                    found(HostileInputDrift, f"/{location}/{name}", f"an error in the API's family for {name} with "
                          f"{what}: {drift.expected}", drift.actual, request=request)


# -- content negotiation -----------------------------------------------------------------------------------


@probe(methods=("GET",))
def xml_negotiation(t: Target, found: Collector) -> None:
    """Enterprise routes answer DRF XML (`application/xml`, a `<root>` document) on `Accept: application/xml`
    (ground truth E4/E5, gt-4.13)."""
    if not declares_xml(t.run, t.method, t.path):
        return
    response = t.send(headers={"Accept": "application/xml"})
    request = t.run.describe(response)
    if response.status_code != 200:
        t.notes.append(f"xml_negotiation: the XML request answered {response.status_code}; not compared")
        return
    actual = media_type(response.headers.get("content-type"))
    if actual != "application/xml":
        found(ContentNegotiationDrift, "/headers/Content-Type", "application/xml for Accept: application/xml", actual,
              request=request)
        return
    try:
        root = SafeET.fromstring(response.content)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the finding
        found(ContentNegotiationDrift, "", "a well-formed XML document", type(exc).__name__, request=request)
        return
    if root.tag != "root":
        found(ContentNegotiationDrift, "", "DRF XML root element <root>", f"<{root.tag}>", request=request)


def docs() -> dict[str, str]:
    """Each probe's rule, for the reports."""
    return {name: " ".join((func.__doc__ or "").split()) for name, func in PROBES.items()}

