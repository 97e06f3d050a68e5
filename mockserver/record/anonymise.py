"""Anonymisation of recorded answers: learner identities become keyed, deterministic pseudonyms.

It works on the wire bodies, before conversion, so the recording, the replay and the summary only ever see
pseudonyms. Which fields identify a learner is data (`DEFAULT_FIELDS`: the learner-summary user columns and
BlendX review authors); `--keep FIELD` and `--anonymise FIELD` adjust it. Public catalog data (titles,
instructors, organizations) is not touched.

A pseudonym is an HMAC-SHA256 of the original value under a salt (`--salt`, `$MOCKSERVER_RECORD_SALT`, or this
user's own random salt, made once and kept private in `$XDG_CONFIG_HOME/mockserver/record-salt`, so that two
recordings of the same target on one machine give the same file while nobody holding only the file can recompute
the pseudonyms of guessed ids or addresses), keyed by the value's kind: the
same learner gets the same pseudonym everywhere (a username in learner summaries and as a review author maps
to one value), nothing of the original leaks through an unsalted hash, and the type is kept (ids stay
integers). Only counts per field are reported, never a value.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from collections.abc import Callable, Iterable
from typing import Any

from mockserver.record.exchange import Exchange
from mockserver.record.summary import Summary

__all__ = ["Anonymiser", "DEFAULT_FIELDS", "AnonymiseError", "salt_file", "user_salt"]


def salt_file() -> Path:
    """Where this user's own recording salt lives (never inside a recording, never printed)."""
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "mockserver" / "record-salt"


def user_salt() -> str:
    """This user's random salt, made on first use (mode 0600). A public constant would let anyone holding a
    recording recompute the pseudonym of every small user id; this keeps recordings stable on one machine
    without that."""
    path = salt_file()
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        salt = secrets.token_hex(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another recording made it meanwhile
            return path.read_text(encoding="ascii").strip()
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(salt + "\n")
        return salt


def _int_pseudonym(digest: str) -> int:
    # 10^12 values: thousands of learners get distinct ids (a narrower range let two learners merge).
    return 1_000_000 + int(digest[:12], 16) % 1_000_000_000_000


# kind -> (pseudonym from the HMAC hex digest). Each kind is one namespace of the keyed hash.
KINDS: dict[str, Callable[[str], Any]] = {
    "email": lambda h: f"learner-{h[:10]}@example.invalid",
    "username": lambda h: f"learner-{h[:10]}",
    "first_name": lambda h: f"Learner{h[:6]}",
    "last_name": lambda h: f"Anon{h[:6]}",
    "user_id": _int_pseudonym,
    "text": lambda h: f"anon-{h[:12]}",
}

# Field name (anywhere in a body) -> the kind of pseudonym it gets.
DEFAULT_FIELDS: dict[str, str] = {
    "user_email": "email",
    "user_username": "username",
    "user_first_name": "first_name",
    "user_last_name": "last_name",
    "enterprise_user_id": "user_id",
    "enterprise_sso_uid": "text",
    "lms_user_id": "user_id",
    "email": "email",  # course staff carry `email: null`; a value there is a person's address
    "username": "username",
    "user": "username",  # BlendX review author
}


class AnonymiseError(ValueError):
    """A `--keep`/`--anonymise` naming nothing we can act on."""


def kind_for(name: str) -> str:
    """The pseudonym kind of a field the user asked to anonymise, from its name."""
    lowered = name.lower()
    for needle, kind in (("email", "email"), ("username", "username"), ("first_name", "first_name"),
                         ("last_name", "last_name"), ("user_id", "user_id")):
        if needle in lowered:
            return kind
    return "text"


class Anonymiser:
    def __init__(self, salt: str | None = None, keep: Iterable[str] = (), anonymise: Iterable[str] = ()):
        keep, anonymise = tuple(keep), tuple(anonymise)
        unknown = [name for name in keep if name not in DEFAULT_FIELDS]
        if unknown:
            raise AnonymiseError(f"--keep {', '.join(unknown)}: not anonymised by default "
                                 f"(default fields: {', '.join(sorted(DEFAULT_FIELDS))})")
        self.fields = {name: kind for name, kind in DEFAULT_FIELDS.items() if name not in keep}
        self.fields.update({name: kind_for(name) for name in anonymise})
        self.kept = keep
        self._key = (salt or user_salt()).encode()
        self.default_salt = not salt

    def pseudonym(self, kind: str, value: Any) -> Any:
        digest = hmac.new(self._key, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()
        pseudo = KINDS[kind](digest)
        if isinstance(value, int) and not isinstance(value, bool):
            return pseudo if isinstance(pseudo, int) else _int_pseudonym(digest)
        return str(pseudo)

    def _walk(self, node: Any, summary: Summary) -> Any:
        if isinstance(node, list):
            return [self._walk(item, summary) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for name, value in node.items():
            kind = self.fields.get(name)
            if kind is not None and value is not None and not isinstance(value, (dict, list, bool, float)):
                out[name] = self.pseudonym(kind, value)
                summary.replaced[name] += 1
            else:
                out[name] = self._walk(value, summary)
        return out

    def exchanges(self, exchanges: list[Exchange], summary: Summary) -> None:
        """Replace identifying values in every exchange body, in place; count replacements per field."""
        summary.kept = self.kept
        for exchange in exchanges:
            exchange.body = self._walk(exchange.body, summary)
