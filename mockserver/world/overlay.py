"""The overlay: records a scenario adds to, or overrides in, a generated world.

An `Overlay` is a plain dataclass of dicts. Each dict is keyed by the record's natural key and maps
to a *partial* field dict, with fields named exactly as in `entities.py`:

    Overlay(
        courses={"MITx+6.00x": {"title": "Odd títle & <chars>"}},          # override one field
        runs={"course-v1:MITx+6.00x+1T2026": {"seats": [{"type": "verified", "price": "99.00"}]}},
        catalogs={1: {"courses": ["MITx+6.00x", "HarvardX+CS50x", "edX+DemoX"]}},   # exact membership
        enterprise_catalogs={"<uuid>": {"content": []}},                   # an empty catalog
        enrollments={100001: {"progress_status": "Failed"}},               # this learner failed
    )

Rules:
- a key that does not exist yet *adds* a record: it is generated like any other record of its kind
  (seeded by its key) and then the given fields override the generated ones;
- nested values may be given as plain JSON-ish data: dicts for nested entities (`seats`, `reviews`,
  `course_structure`, `content` ...; a dict merges into the generated nested value), lists for
  tuples, ISO-8601 strings for datetimes/dates;
- derived fields are recomputed unless set explicitly (`availability`, `active`, `has_passed` from
  `progress_status`, `avg_rating` from `reviews`, ...);
- a catalog's `courses` (a list of course keys) is sugar for a `key:(...)` query; an enterprise
  catalog's `content` items are `{"content_type", "key"}` dicts or bare keys (a run key, a course
  key or a program uuid);
- an unknown field, an ill-typed value or a reference to a record that does not exist raises
  `WorldError` naming the record and the field.
"""

from __future__ import annotations

import dataclasses
import hashlib
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any

from mockserver.world import entities as e


class WorldError(ValueError):
    """An overlay (or landmark) refers to something that does not exist or sets an unknown field."""

    def __init__(self, record: str, field_name: str | None, message: str):
        self.record = record
        self.field = field_name
        where = f"{record}.{field_name}" if field_name else record
        super().__init__(f"{where}: {message}")


@dataclass
class Overlay:
    """Records to add or override, per kind, keyed by natural key; values are partial field dicts."""

    organizations: dict[str, dict] = field(default_factory=dict)  # by org key ("MITx")
    people: dict[str, dict] = field(default_factory=dict)  # by uuid
    subjects: dict[str, dict] = field(default_factory=dict)  # by uuid (a new one needs its `name`)
    courses: dict[str, dict] = field(default_factory=dict)  # by course key
    runs: dict[str, dict] = field(default_factory=dict)  # by run key
    programs: dict[str, dict] = field(default_factory=dict)  # by uuid
    catalogs: dict[int, dict] = field(default_factory=dict)  # by discovery catalog id
    enterprise_customers: dict[str, dict] = field(default_factory=dict)  # by uuid
    enterprise_catalogs: dict[str, dict] = field(default_factory=dict)  # by uuid
    enrollments: dict[int, dict] = field(default_factory=dict)  # by enrollment_id
    blendx_courses: dict[str, dict] = field(default_factory=dict)  # by run key (openedx_course_id)
    search_documents: dict[str, dict] = field(default_factory=dict)  # by run key

    def merged(self, other: Overlay | None) -> Overlay:
        """This overlay with `other` applied on top (field dicts of the same record are merged)."""
        if other is None:
            return self
        out = Overlay()
        for f in dataclasses.fields(Overlay):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            combined = {k: dict(v) for k, v in mine.items()}
            for k, v in theirs.items():
                combined[k] = {**combined.get(k, {}), **v}
            setattr(out, f.name, combined)
        return out


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


def check_fields(cls: type, record: str, patch: dict, extra: frozenset[str] = frozenset(),
                 derived: frozenset[str] = frozenset()) -> None:
    """Raise WorldError for any field of `patch` that `cls` does not have (or that is derived)."""
    if not isinstance(patch, dict):
        raise WorldError(record, None, f"expected a dict of fields, got {type(patch).__name__}")
    allowed = field_names(cls) | extra
    for name in patch:
        if name in derived:
            raise WorldError(record, name, "is derived and cannot be set (see the overlay docs)")
        if name not in allowed:
            raise WorldError(record, name, f"unknown field of {cls.__name__}")


def _parse_dt(value: Any, record: str, name: str) -> datetime:
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise WorldError(record, name, f"not an ISO-8601 datetime: {value!r}") from None
    else:
        raise WorldError(record, name, f"expected a datetime, got {value!r}")
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def coerce(tp: Any, value: Any, record: str, name: str, base: Any = None) -> Any:
    """Convert plain data `value` to the annotated type `tp` (dataclasses, tuples, datetimes ...).

    `base` is the generated value the patch replaces; a dict patching a dataclass merges into it.
    """
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            if len(args) < len(typing.get_args(tp)):
                return None
            raise WorldError(record, name, "may not be null")
        return coerce(args[0], value, record, name, base)
    if value is None:
        raise WorldError(record, name, "may not be null")
    if origin is tuple:
        item_tp = typing.get_args(tp)[0]
        if not isinstance(value, (list, tuple)):
            raise WorldError(record, name, f"expected a list, got {value!r}")
        return tuple(coerce(item_tp, v, record, f"{name}[{i}]") for i, v in enumerate(value))
    if tp is datetime:
        return _parse_dt(value, record, name)
    if tp is date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise WorldError(record, name, f"not an ISO-8601 date: {value!r}") from None
    if dataclasses.is_dataclass(tp):
        if isinstance(value, tp):
            return value
        if not isinstance(value, dict):
            raise WorldError(record, name, f"expected an object for {tp.__name__}, got {value!r}")
        ignored = _IGNORED_NESTED.get(tp, frozenset())
        value = {k: v for k, v in value.items() if k not in ignored}
        check_fields(tp, f"{record}.{name}", value)
        hints = _hints(tp)
        kwargs = {k: coerce(hints[k], v, record, f"{name}.{k}",
                            getattr(base, k, None) if base is not None else None)
                  for k, v in value.items()}
        if base is not None and isinstance(base, tp):
            return dataclasses.replace(base, **kwargs)
        defaults = dict(_NESTED_DEFAULTS.get(tp, {}))
        if tp is e.Seat and "sku" not in kwargs:
            # a scenario rarely cares about SKUs; give each seat a stable, realistic one
            digest = hashlib.blake2b(f"{record}:{name}".encode(), digest_size=4).hexdigest()
            defaults["sku"] = digest[:7].upper()
        missing = [f.name for f in dataclasses.fields(tp)
                   if f.name not in kwargs and f.name not in defaults
                   and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        if missing:
            raise WorldError(record, name, f"{tp.__name__} needs {', '.join(missing)}")
        return tp(**{**defaults, **kwargs})
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise WorldError(record, name, f"expected a number, got {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise WorldError(record, name, f"expected an integer, got {value!r}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise WorldError(record, name, f"expected a boolean, got {value!r}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise WorldError(record, name, f"expected a string, got {value!r}")
        return value
    return value


def coerce_patch(cls: type, patch: dict, record: str, base: Any = None) -> dict:
    """Coerce every field of `patch` to the types `cls` declares (merging nested dicts into `base`)."""
    hints = _hints(cls)
    return {k: coerce(hints[k], v, record, k, getattr(base, k, None) if base is not None else None)
            for k, v in patch.items() if k in hints}


# Nested entities a scenario may write partially when there is no generated value to merge into.
_NESTED_DEFAULTS: dict[type, dict] = {
    e.Seat: {"currency": "USD", "upgrade_deadline": None, "credit_provider": None,
             "credit_hours": None, "sku": "", "bulk_sku": None},
    e.CourseMode: {"currency": "usd", "visible": True, "minPrice": 0},
    e.Subsection: {"inaccessible_after_due": False, "hide_from_toc": False,
                   "visible_to_staff_only": False, "exam": None},
    e.Section: {"hide_from_toc": False, "visible_to_staff_only": False, "subsections": ()},
}
# The API shows these counts; the entity derives them from `sections`.
_IGNORED_NESTED: dict[type, frozenset[str]] = {
    e.CourseStructure: frozenset({"total_sections", "total_subsections"}),
}
