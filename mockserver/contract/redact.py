"""Redaction of credentials from everything the contract runner writes: reports, console and logs.

Two layers, because neither alone is enough: header values are replaced by name (`Authorization`,
`actionsecret`, `Cookie`, `Set-Cookie`, ...), and every known secret value (the JWT, the OAuth client
secret, the action secret, in plain and URL-encoded forms) is scrubbed from any text before it leaves
the process, wherever a server or a library may have echoed it.
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
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Register a secret value (and its URL-encoded spellings) for scrubbing."""
        if not secret or len(secret) < _MIN_SECRET_LENGTH:
            return
        self._secrets.update({secret, quote(secret, safe=""), quote_plus(secret)})

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

    def headers(self, headers: Mapping[str, str], public: Iterable[str] = ()) -> dict[str, str]:
        """Copy of `headers` with sensitive values replaced and known secrets scrubbed.

        `public` lists values of sensitive headers known not to be secrets (the runner's deliberately wrong
        credentials): they are shown, so a reader can tell which probe a curl reproduces.
        """
        public = frozenset(public)

        def shown(value: str) -> bool:
            return value in public and self.text(value) == value

        return {
            name: REDACTED if name.lower() in SENSITIVE_HEADERS and not shown(str(value)) else self.text(str(value))
            for name, value in headers.items()
        }


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs known secrets from every record it passes."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redactor.text(record.getMessage())
        record.args = None
        return True
