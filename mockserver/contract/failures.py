"""Typed contract failures: what a domain check raises when a target drifts from the contract.

Every failure subclasses schemathesis' `Failure`, so the engine records, deduplicates and shrinks it like
its own, and carries what a drift report needs: the operation, a JSON pointer into the response (or the
request, for probes), the expected and the actual value. A failure found through a follow-up request
(a `next` link, a detail route, an auth probe) carries that request, so the report's curl reproduces
the request that showed the drift rather than the case that triggered the check.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from schemathesis.core.failures import Failure, Severity

__all__ = [
    "ProbeRequest",
    "ContractDrift",
    "PaginationDrift",
    "ListDetailMismatch",
    "KeyFormatDrift",
    "UrlShapeDrift",
    "BlendxPagingDrift",
    "FieldSetDrift",
    "SearchPagingDrift",
    "ContentNegotiationDrift",
    "ErrorFamilyDrift",
    "AuthChallengeDrift",
    "LeniencyDrift",
    "AuthBypassDrift",
    "MissingResourceDrift",
    "HostileInputDrift",
    "ReplayDrift",
    "Collector",
    "escape_pointer",
]


@dataclass(frozen=True)
class ProbeRequest:
    """A request a check sent on its own; enough to print a (redacted) curl."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


def escape_pointer(name: Any) -> str:
    """`name` as one JSON pointer segment (RFC 6901: `~` -> `~0`, `/` -> `~1`)."""
    return str(name).replace("~", "~0").replace("/", "~1")


def _short(value: Any, limit: int = 200) -> str:
    # JSON spelling (true, null, ["a"]): the reader compares it with the response body, not with Python.
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ContractDrift(Failure):
    """Base of every domain failure: a rule of the contract the response breaks."""

    code: ClassVar[str] = "MS100"
    kind_title: ClassVar[str] = "Contract drift"
    rule: ClassVar[str] = "contract"

    __slots__ = ("pointer", "expected", "actual", "request")

    def __init__(
        self,
        *,
        operation: str,
        pointer: str,
        expected: Any,
        actual: Any,
        message: str | None = None,
        request: ProbeRequest | None = None,
        severity: Severity = Severity.HIGH,
    ) -> None:
        text = message or f"At {pointer or '/'}: expected {_short(expected)}, got {_short(actual)}"
        super().__init__(operation=operation, title=self.kind_title, message=text, severity=severity)
        self.pointer = pointer
        self.expected = expected
        self.actual = actual
        self.request = request

    @property
    def _unique_key(self) -> str:
        # One finding per (pointer, expectation): distinct drifts of one class on one operation stay apart.
        return f"{self.pointer}|{_short(self.expected, 80)}"


class PaginationDrift(ContractDrift):
    """DRF paging links: absolute, working, parameter-preserving; pages add up to `count`."""

    code = "MS101"
    kind_title = "Pagination drift"
    rule = "pagination"


class ListDetailMismatch(ContractDrift):
    """An item listed by a list route does not answer, or answers differently, in its detail route."""

    code = "MS102"
    kind_title = "List and detail disagree"
    rule = "list-detail"


class KeyFormatDrift(ContractDrift):
    """A course key, run key or aggregation key is not in the edX opaque-key format."""

    code = "MS103"
    kind_title = "Key format drift"
    rule = "key-format"


class UrlShapeDrift(ContractDrift):
    """`enrollment_url` or `course_api_url` does not have the shape the real services build."""

    code = "MS104"
    kind_title = "URL shape drift"
    rule = "url-shape"


class BlendxPagingDrift(ContractDrift):
    """BlendX `limit`/`offset`/`page`/`has_more` arithmetic is wrong."""

    code = "MS105"
    kind_title = "BlendX paging drift"
    rule = "blendx-paging"


class FieldSetDrift(ContractDrift):
    """A BlendX light/full item does not carry exactly its documented field set."""

    code = "MS106"
    kind_title = "Field set drift"
    rule = "field-set"


class SearchPagingDrift(ContractDrift):
    """edx-search paging: `total`, `max_score` and the page size disagree with the results."""

    code = "MS107"
    kind_title = "Search paging drift"
    rule = "search-paging"


class ContentNegotiationDrift(ContractDrift):
    """The enterprise routes answer JSON by default and DRF XML on `Accept: application/xml`."""

    code = "MS108"
    kind_title = "Content negotiation drift"
    rule = "content-negotiation"


class ErrorFamilyDrift(ContractDrift):
    """An error body does not belong to the error family of its API (gateway, DRF, BlendX, search, OAuth)."""

    code = "MS109"
    kind_title = "Error body of the wrong family"
    rule = "error-family"


class AuthChallengeDrift(ContractDrift):
    """Rejected credentials are not answered the way the real service answers them."""

    code = "MS110"
    kind_title = "Authentication response drift"
    rule = "auth"


class LeniencyDrift(ContractDrift):
    """A parameter declared lenient (`x-on-invalid`) is not handled the declared way."""

    code = "MS111"
    kind_title = "Leniency drift"
    rule = "leniency"


class AuthBypassDrift(ContractDrift):
    """A request with no, a forged or a stale credential was not refused: anyone could get in."""

    code = "MS112"
    kind_title = "Authentication bypass"
    rule = "auth-bypass"


class MissingResourceDrift(ContractDrift):
    """A detail route does not answer an id that exists nowhere with its declared 404."""

    code = "MS113"
    kind_title = "Missing resource not answered 404"
    rule = "missing-resource"


class HostileInputDrift(ContractDrift):
    """A free-text or key parameter carrying quotes, query syntax or odd characters broke the server."""

    code = "MS114"
    kind_title = "Hostile input not handled"
    rule = "hostile-input"


class Collector:
    """Where a check or probe reports its drifts: one per (class, pointer, expectation), in order found.

    `found(PaginationDrift, "/next", expected, actual)` records a drift of the operation the collector was
    made for; `request` (the follow-up request that showed it) defaults to the collector's own.
    """

    def __init__(self, operation: str, request: ProbeRequest | None = None) -> None:
        self.operation = operation
        self.request = request
        self._drifts: dict[tuple, ContractDrift] = {}

    def __call__(self, cls: type[ContractDrift], pointer: str, expected: Any, actual: Any, *,
                 message: str | None = None, request: ProbeRequest | None = None) -> ContractDrift:
        drift = cls(operation=self.operation, pointer=pointer, expected=expected, actual=actual, message=message,
                    request=request or self.request)
        return self._drifts.setdefault((cls, pointer, str(expected)), drift)

    def extend(self, drifts: Iterable[ContractDrift]) -> None:
        for drift in drifts:
            self._drifts.setdefault((type(drift), drift.pointer, str(drift.expected)), drift)

    @property
    def drifts(self) -> list[ContractDrift]:
        return list(self._drifts.values())

    def __bool__(self) -> bool:
        return bool(self._drifts)


class SearchSemanticsDrift(ContractDrift):
    """edx-search answers unlike its backend: result shape, word matching, reserved characters, syntax errors
    or facet counts (specs/blendx.yaml, the search operation's table)."""

    code = "MS115"
    kind_title = "Search semantics drift"
    rule = "search-semantics"


class ReplayDrift(ContractDrift):
    """A request a client really made (`--requests`) is answered differently by the target than by the mock."""

    code = "MS116"
    kind_title = "A client's call no longer works"
    rule = "replay"
