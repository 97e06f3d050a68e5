"""Redaction of credentials from everything the contract runner writes: reports, console and logs.

Every known secret value (the JWT, the OAuth client secret, the action secret, in plain and URL-encoded
forms) is scrubbed from any text before it leaves the process, wherever a server or a library may have
echoed it. In a request's headers (a repro curl), a credential header (`Authorization`, `actionsecret`,
`Cookie`, ...) shows `[REDACTED]` when it carries what the user supplied; the run's own deliberately bad
credentials (the auth probes') and values the fuzzer made up are shown as sent, so the curl says which
request it was and never suggests a credential the user did not send.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

__all__ = ["REDACTED", "SENSITIVE_HEADERS", "Redactor", "RedactingFilter"]

REDACTED = "[REDACTED]"

SENSITIVE_HEADERS = frozenset(
    {"authorization", "actionsecret", "cookie", "set-cookie", "proxy-authorization", "x-api-key"}
)

# Too-short values would scrub ordinary text ("a", "1"); real secrets are longer than this.
_MIN_SECRET_LENGTH = 4


class Redactor:
    """Scrubs known secret values and sensitive headers; add secrets as they become known."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        self._public: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Register a secret value (and its URL-encoded spellings) for scrubbing."""
        if not secret or len(secret) < _MIN_SECRET_LENGTH:
            return
        self._secrets.update({secret, quote(secret, safe=""), quote_plus(secret)})

    def allow(self, values: Iterable[str]) -> None:
        """Register values known not to be secrets (the probes' forged credentials): headers show them."""
        self._public.update(values)

    @property
    def has_secrets(self) -> bool:
        return bool(self._secrets)

    def text(self, value: str) -> str:
        """Return `value` with every known secret replaced."""
        # Longest first, so a secret that contains another is replaced whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Copy of `headers` with every credential the user supplied shown as `[REDACTED]`.

        A sensitive header is redacted whole when it carries a known secret, or when no secret is known
        at all (nothing to tell a user's credential from a made-up one); otherwise its value was not the
        user's (a probe's forged token, a fuzzed cookie) and it is shown, scrubbed like any text.
        """

        def value_of(name: str, value: str) -> str:
            if name.lower() not in SENSITIVE_HEADERS or value in self._public:
                return self.text(value)
            if not self._secrets or self.text(value) != value:
                return REDACTED
            return value

        return {name: value_of(name, str(value)) for name, value in headers.items()}


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs known secrets from every record it passes."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redactor.text(record.getMessage())
        record.args = None
        return True
