"""Anonymisation of recorded answers: learner identities become keyed, deterministic pseudonyms.

It works on the exchanges, before conversion, so the recording, the replay and the summary only ever see
pseudonyms: the answers' bodies, and the requests too (query and form values, path segments), where a client
may name a learner (`?user_email=…`, `/learners/<username>/`). Which fields identify a learner is data
(`DEFAULT_FIELDS`: the learner-summary user columns and BlendX review authors); `--keep FIELD` and
`--anonymise FIELD` adjust it. A request value is replaced when its parameter is such a field, or when it is
an email or username seen in such a field anywhere in the recording (`RECOGNISABLE`); it gets the same
pseudonym as in the bodies. Public catalog data (titles, instructors, organizations) is not touched.

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

from mockserver.record.exchange import Exchange, template_of
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
    "viewers": "username",  # a catalog's viewers: the usernames its `?username=` filter names
}


# Kinds whose values are told apart from ordinary request values, so they are recognised outside their field
# (a path segment, a search term, a parameter of another name); a first name or a number is not ("Data" and "5"
# are also a search term and a page).
RECOGNISABLE = frozenset({"email", "username"})


def _identity(value: Any) -> bool:
    """Whether a field's value can be an identity to replace (a string or an integer, not a structure)."""
    return value is not None and not isinstance(value, (dict, list, bool, float))


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

    def _remember(self, kind: str | None, value: Any, seen: dict[str, str]) -> None:
        if kind in RECOGNISABLE and isinstance(value, str) and value:
            seen[value] = kind

    def _walk(self, node: Any, summary: Summary, seen: dict[str, str]) -> Any:
        if isinstance(node, list):
            return [self._walk(item, summary, seen) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for name, value in node.items():
            kind = self.fields.get(name)
            if kind is not None and _identity(value):
                self._remember(kind, value, seen)
                out[name] = self.pseudonym(kind, value)
                summary.replaced[name] += 1
            elif kind is not None and isinstance(value, list) and value and all(map(_identity, value)):
                # A list of identities (a catalog's viewers): each one its own pseudonym, in the same order.
                for item in value:
                    self._remember(kind, item, seen)
                out[name] = [self.pseudonym(kind, item) for item in value]
                summary.replaced[name] += len(value)
            else:
                out[name] = self._walk(value, summary, seen)
        return out

    def _value(self, name: str, value: str, summary: Summary, seen: dict[str, str]) -> str:
        """A request value (of parameter `name`) as recorded: its pseudonym if it identifies a learner."""
        kind = self.fields.get(name) or seen.get(value)
        if kind is None or not value:
            return value
        summary.replaced[name] += 1
        return str(self.pseudonym(kind, value))  # "42" and 42 share a digest: the body's pseudonym, as text

    def _path(self, exchange: Exchange, summary: Summary, seen: dict[str, str]) -> str:
        # Only a route's parameters may hold a learner (its literal segments are the API's); a path no route
        # knows is kept only for the summary, and any of its segments may be one.
        segments = exchange.path.split("/")
        template = template_of(exchange)
        names = template.split("/") if template is not None else [None] * len(segments)
        if len(names) != len(segments):
            return exchange.path
        out = []
        for name, segment in zip(names, segments):
            if name is None or name.startswith("{"):
                segment = self._value(name[1:-1] if name else "(path)", segment, summary, seen)  # paths are decoded
            out.append(segment)
        return "/".join(out)

    def exchanges(self, exchanges: list[Exchange], summary: Summary) -> None:
        """Replace identifying values in every exchange, in place: the answers' bodies, then the requests' query
        and form values and path segments (with the bodies' pseudonyms); count replacements per field."""
        summary.kept = self.kept
        seen: dict[str, str] = {}  # an email or username met in a learner field -> its kind
        for exchange in exchanges:
            exchange.body = self._walk(exchange.body, summary, seen)
            for name, value in (*exchange.query, *exchange.form):
                self._remember(self.fields.get(name), value, seen)
        for exchange in exchanges:
            exchange.query = tuple((k, self._value(k, v, summary, seen)) for k, v in exchange.query)
            exchange.form = tuple((k, self._value(k, v, summary, seen)) for k, v in exchange.form)
            exchange.path = self._path(exchange, summary, seen)
