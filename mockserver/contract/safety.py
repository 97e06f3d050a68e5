"""Safety policy for runs against live deployments: which requests may be sent, how fast, how long.

Read-only by default: GET, plus the read-only edx-search POST. Non-loopback targets are rate-limited
unless the caller sets a rate, and every request has a bounded timeout. The policy is enforced twice:
operations are filtered before the run, and every outgoing request (schemathesis' and the checks' own)
is refused at send time if it breaks the policy, so a new phase or probe cannot slip past it.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "READ_ONLY_POSTS",
    "DEFAULT_REMOTE_RATE_LIMIT",
    "DEFAULT_TIMEOUT",
    "UnsafeRequestRefused",
    "SafetyPolicy",
    "is_loopback",
]

# Path suffixes of POST operations that only read (edx-search's course discovery).
READ_ONLY_POSTS = ("/search/course_discovery/",)
DEFAULT_REMOTE_RATE_LIMIT = "5/s"
DEFAULT_TIMEOUT = 10.0


class UnsafeRequestRefused(RuntimeError):
    """Raised instead of sending a request the safety policy forbids."""


def is_loopback(url: str) -> bool:
    """Whether `url` points at this machine (127.0.0.0/8, ::1, localhost)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


@dataclass(frozen=True)
class SafetyPolicy:
    """What a run may send, and to which origin."""

    base_url: str
    allow_unsafe_methods: bool = False

    def method_allowed(self, method: str, path: str) -> bool:
        """Whether `method` on `path` is allowed under this policy."""
        method = method.upper()
        if self.allow_unsafe_methods or method in {"GET", "HEAD"}:
            return True
        return method == "POST" and path.rstrip("/").endswith(tuple(p.rstrip("/") for p in READ_ONLY_POSTS))

    def same_origin(self, url: str) -> bool:
        """Whether `url` has the scheme, host and port of the base URL (credentials go nowhere else)."""
        a, b = urlsplit(self.base_url), urlsplit(url)
        return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)

    def guard(self, method: str, url: str) -> None:
        """Raise `UnsafeRequestRefused` unless the request is allowed."""
        if not self.same_origin(url):
            raise UnsafeRequestRefused(f"refusing to send credentials to another origin: {urlsplit(url).netloc}")
        if not self.method_allowed(method, urlsplit(url).path):
            raise UnsafeRequestRefused(
                f"refusing {method.upper()} {urlsplit(url).path}: not read-only (use --allow-unsafe-methods)"
            )

    def default_rate_limit(self) -> str | None:
        """The rate limit to apply when the caller set none."""
        return None if is_loopback(self.base_url) else DEFAULT_REMOTE_RATE_LIMIT
