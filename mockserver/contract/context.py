"""Per-run context the domain checks read: the target, its credentials, the spec, a guarded HTTP client.

schemathesis calls a check as `check(ctx, response, case)` with no room for our own state, so the
runner activates a `RunContext` for the schema it runs and the checks look it up through
`case.operation.schema`. Outside a contract run (e.g. someone's own schemathesis tests in the same
process) no context is active and every domain check is a no-op.

Checks that send requests of their own (follow `next` links, fetch detail routes, probe auth and
leniency) go through `RunContext.send`, which applies the safety policy, the shared rate limiter and
the timeout, and memoise their findings per input so a re-run of the same case (Hypothesis shrinking,
replay) sees the same verdict without sending the requests again.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx

from mockserver.contract.failures import ContractDrift, ProbeRequest
from mockserver.contract.safety import SafetyPolicy
from mockserver.specs import base_path, resolve_ref

__all__ = ["RunContext", "activate", "deactivate", "active_run", "header", "json_body", "media_type", "fill_path"]

_ACTIVE: dict[int, RunContext] = {}
_ACTIVE_LOCK = threading.Lock()


def media_type(content_type: str | None) -> str:
    """`application/json; charset=utf-8` -> `application/json`."""
    return (content_type or "").split(";")[0].strip().lower()


def header(headers: Any, name: str) -> str | None:
    """First value of header `name`, any case, from httpx headers, a plain mapping or schemathesis' (lists)."""
    value = headers.get(name)
    if value is None:
        lower = name.lower()
        value = next((item for key, item in headers.items() if key.lower() == lower), None)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def json_body(response: Any) -> Any:
    """Parsed JSON body of a schemathesis or httpx response, or `None` if it is not JSON."""
    if not media_type(header(response.headers, "Content-Type")).endswith("json"):
        return None
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def fill_path(template: str, values: dict[str, Any]) -> str:
    """`template` with its `{name}` parameters percent-encoded from `values`."""

    def repl(match: re.Match) -> str:
        # schemathesis keeps path parameters percent-encoded; decode first so nothing is encoded twice.
        return quote(unquote(str(values[match.group(1)])), safe=":+@~,")

    return re.sub(r"\{([^}]+)\}", repl, template)


@dataclass
class RunContext:
    """What the domain checks need to know about the run in progress."""

    api: str
    policy: SafetyPolicy
    raw_spec: dict[str, Any]
    auth_headers: dict[str, str]
    timeout: float
    limiter: Any = None
    enabled_checks: frozenset[str] = frozenset()
    deprecated_keys: bool = False
    """Also accept the deprecated slash forms of course and run keys (`Org/Num`, `Org/Num/Run`)."""
    search_backend: str | None = None
    """The edx-search backend the target runs (declared, or inferred by `search_checks.backend_of`)."""
    search_backend_inferred: bool = False
    # Budgets keep the extra traffic bounded against staging.
    max_pages: int = 25
    max_details_per_response: int = 3
    _client: httpx.Client | None = field(default=None, repr=False)
    _memo: dict[Any, list[ContractDrift]] = field(default_factory=dict, repr=False)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _group_counts: dict[str, int] = field(default_factory=dict, repr=False)

    # -- HTTP ---------------------------------------------------------------------------------------

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout, follow_redirects=False)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def server_prefix(self) -> str:
        """The spec's `servers[0].url` path (`/catalog/v1`, `/enterprise`, `/`)."""
        return base_path(self.raw_spec)

    def url_for(self, path: str) -> str:
        """Absolute URL of an API path (relative to the spec's server prefix)."""
        return self.policy.base_url.rstrip("/") + self.server_prefix + path

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        params: Any = None,
        data: Any = None,
    ) -> httpx.Response:
        """Send a request under the safety policy, rate limit and timeout of the run."""
        self.policy.guard(method, url)
        if self.limiter is not None:
            self.limiter.try_acquire(urlsplit(self.policy.base_url).netloc)
        merged = dict(self.auth_headers) if auth else {}
        merged.update(headers or {})
        return self.client.request(method, url, headers=merged, params=params, data=data)

    @staticmethod
    def describe(response: httpx.Response) -> ProbeRequest:
        request = response.request
        body = request.content.decode("utf-8", "replace") if request.content else None
        return ProbeRequest(method=request.method, url=str(request.url), headers=dict(request.headers), body=body)

    # -- memoisation --------------------------------------------------------------------------------

    def memo(self, key: tuple, compute: Callable[[], list[ContractDrift]], *, limit: int | None = None):
        """Findings of `compute()` for `key`, computed once per run.

        `key[0]` names a group; `limit` caps how many distinct keys of that group are ever computed.
        Keys past the cap get no findings, and always the same answer, so replays stay consistent.
        """
        group = key[0]
        with self._memo_lock:
            if key in self._memo:
                return self._memo[key]
            if limit is not None and self._group_counts.get(group, 0) >= limit:
                return []
            self._group_counts[group] = self._group_counts.get(group, 0) + 1
            # Reserve the slot so a concurrent worker does not repeat the requests.
            self._memo[key] = []
        findings = compute()
        with self._memo_lock:
            self._memo[key] = findings
        return findings

    # -- spec lookups -------------------------------------------------------------------------------

    def operation(self, method: str, path: str) -> dict[str, Any] | None:
        """The spec's operation object for `method path` (path as written in the spec)."""
        item = (self.raw_spec.get("paths") or {}).get(path)
        return item.get(method.lower()) if isinstance(item, dict) else None

    def parameters(self, method: str, path: str) -> list[dict[str, Any]]:
        """The operation's parameters (path-level ones first), `$ref`s resolved."""
        item = (self.raw_spec.get("paths") or {}).get(path) or {}
        operation = self.operation(method, path) or {}
        return [resolve_ref(self.raw_spec, p) for p in [*item.get("parameters", []), *operation.get("parameters", [])]]

    def find_path(self, pattern: str) -> str | None:
        """The first spec path matching the regex `pattern` (specs may or may not add trailing slashes)."""
        for path in self.raw_spec.get("paths") or {}:
            if re.fullmatch(pattern, path):
                return path
        return None


def activate(schema: Any, context: RunContext) -> None:
    with _ACTIVE_LOCK:
        _ACTIVE[id(schema)] = context


def deactivate(schema: Any) -> None:
    with _ACTIVE_LOCK:
        context = _ACTIVE.pop(id(schema), None)
    if context is not None:
        context.close()


def active_run(case: Any) -> RunContext | None:
    """The context of the contract run `case` belongs to, if any."""
    return _ACTIVE.get(id(case.operation.schema))
