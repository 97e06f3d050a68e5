"""Credentials for a contract run: a JWT for the edX routes and the BlendX action secret.

The JWT comes from `--jwt` / `MOCKSERVER_JWT`, or from an OAuth2 client-credentials exchange at
`<base>/oauth2/v1/access_token`. Nothing here prints or logs a secret; errors name what failed, never
the value that was sent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx

__all__ = ["Credentials", "CredentialsError", "exchange_client_credentials", "TOKEN_PATH"]

TOKEN_PATH = "/oauth2/v1/access_token"


class CredentialsError(RuntimeError):
    """The credentials could not be obtained or were rejected."""


@dataclass(frozen=True)
class Credentials:
    """The secrets a run sends; `repr` never shows them."""

    jwt: str | None = None
    action_secret: str | None = None
    client_id: str | None = None
    client_secret: str | None = None

    def __repr__(self) -> str:
        present = [name for name in ("jwt", "action_secret", "client_id", "client_secret") if getattr(self, name)]
        return f"Credentials(present={present})"

    @classmethod
    def from_sources(
        cls,
        *,
        jwt: str | None = None,
        action_secret: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        environ: dict[str, str] | None = None,
    ) -> Credentials:
        """Flags first, then the environment (`MOCKSERVER_JWT`, `MOCKSERVER_CLIENT_ID/_SECRET`, `ACTION_SECRET`)."""
        env = os.environ if environ is None else environ
        return cls(
            jwt=jwt or env.get("MOCKSERVER_JWT") or None,
            action_secret=action_secret or env.get("ACTION_SECRET") or None,
            client_id=client_id or env.get("MOCKSERVER_CLIENT_ID") or None,
            client_secret=client_secret or env.get("MOCKSERVER_CLIENT_SECRET") or None,
        )

    def secrets(self) -> list[str]:
        return [s for s in (self.jwt, self.action_secret, self.client_secret) if s]

    def edx_headers(self) -> dict[str, str]:
        return {"Authorization": f"JWT {self.jwt}"} if self.jwt else {}

    def blendx_headers(self) -> dict[str, str]:
        return {"actionsecret": self.action_secret} if self.action_secret else {}


def exchange_client_credentials(base_url: str, client_id: str, client_secret: str, timeout: float) -> str:
    """Exchange OAuth client credentials for a JWT at `<base>/oauth2/v1/access_token`."""
    url = base_url.rstrip("/") + TOKEN_PATH
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
        "token_type": "jwt",
    }
    try:
        response = httpx.post(url, data=form, timeout=timeout)
    except httpx.HTTPError as exc:
        raise CredentialsError(f"token exchange at {TOKEN_PATH} failed: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise CredentialsError(f"token exchange at {TOKEN_PATH} answered {response.status_code}")
    try:
        token = response.json()["access_token"]
    except (ValueError, KeyError, TypeError):
        raise CredentialsError(f"token exchange at {TOKEN_PATH} returned no access_token") from None
    if not isinstance(token, str) or not token:
        raise CredentialsError(f"token exchange at {TOKEN_PATH} returned an empty access_token")
    return token
