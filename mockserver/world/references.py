"""The overlay's references: a scenario record that names another entity (a catalog's content, an
enrollment's customer, a course's subjects ...) must name one that exists; a `WorldError` says which
record, which field and what is missing.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from typing import Any

from mockserver.world import entities as e
from mockserver.world.keys import is_run_key, is_uuid
from mockserver.world.overlay import WorldError, coerce
from mockserver.world.parts import Parts


def require(table: Container, keys: Iterable | None, rec: str, field: str | None, message: str) -> None:
    """Raise for the first of `keys` not in `table`; `message` names it with `{!r}`."""
    for key in keys or ():
        if key not in table:
            raise WorldError(rec, field, message.format(key))


def content_ref(value: Any, rec: str, parts: Parts) -> e.ContentRef:
    """An enterprise catalog's content item (a key, whose shape says its kind, or `{content_type, key}`)
    as a `ContentRef` to a course, run or program that exists."""
    if isinstance(value, str):
        kind = "courserun" if is_run_key(value) else "program" if is_uuid(value) else "course"
        value = {"content_type": kind, "key": value}
    ref = coerce(e.ContentRef, value, rec, "content")
    exists = {"course": parts.course_idx, "courserun": parts.run_idx, "program": parts.programs}.get(ref.content_type)
    if exists is None:
        raise WorldError(rec, "content", f"unknown content_type {ref.content_type!r}")
    require(exists, (ref.key,), rec, "content", f"{ref.content_type} {{!r}} does not exist")
    return ref
