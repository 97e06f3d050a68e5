"""Key formats of the edX world: course keys, course run keys, block and asset keys, uuids.

The ONE owner of the edX key grammar (ground truth §5 "Keys"): the world builds and checks keys with it,
the scenario schema validates records with its patterns, and the contract runner checks what a target
answers against it (accepting the deprecated slash forms only when asked). Also the tiny
constructors/parsers the generator and the API modules share. edx-opaque-keys is the authoritative
parser but is AGPL and drags in pymongo, so a ~dozen regex lines stand in for it here.
"""

from __future__ import annotations

import re

# One key segment: Unicode word characters plus - ~ . : (edx-opaque-keys ALLOWED_ID_CHARS).
_SEG = r"[\w\-~.:]+"

COURSE_KEY_PATTERN = rf"^{_SEG}\+{_SEG}$"
COURSE_RUN_KEY_PATTERN = rf"^course-v1:{_SEG}\+{_SEG}\+{_SEG}$"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# The deprecated (pre-2014 "slash") spellings that old courses still carry: `Org/Num` and `Org/Num/Run`.
DEPRECATED_COURSE_KEY_PATTERN = rf"^{_SEG}/{_SEG}$"
DEPRECATED_RUN_KEY_PATTERN = rf"^{_SEG}/{_SEG}/{_SEG}$"

COURSE_KEY_RE = re.compile(COURSE_KEY_PATTERN)
COURSE_RUN_KEY_RE = re.compile(COURSE_RUN_KEY_PATTERN)
BLOCK_KEY_RE = re.compile(rf"^block-v1:{_SEG}\+{_SEG}\+{_SEG}\+type@[\w\-]+\+block@[\w\-.]+$")
ASSET_KEY_RE = re.compile(rf"^asset-v1:{_SEG}\+{_SEG}\+{_SEG}\+type@asset\+block@[\w\-.@]+$")
UUID_RE = re.compile(UUID_PATTERN)


def key_patterns(*, deprecated: bool = False) -> tuple[re.Pattern, re.Pattern]:
    """(course key, run key) regexes; `deprecated=True` also accepts the slash forms."""
    if not deprecated:
        return COURSE_KEY_RE, COURSE_RUN_KEY_RE
    return (re.compile(f"{COURSE_KEY_PATTERN}|{DEPRECATED_COURSE_KEY_PATTERN}"),
            re.compile(f"{COURSE_RUN_KEY_PATTERN}|{DEPRECATED_RUN_KEY_PATTERN}"))


def course_key(org: str, number: str) -> str:
    """`Org+Number`, the discovery course key."""
    return f"{org}+{number}"


def run_key(org: str, number: str, run: str) -> str:
    """`course-v1:Org+Number+Run`, the course run (course locator) key."""
    return f"course-v1:{org}+{number}+{run}"


def split_course_key(key: str) -> tuple[str, str]:
    """(org, number) of a course key; ValueError if malformed."""
    if not COURSE_KEY_RE.match(key):
        raise ValueError(f"not a course key: {key!r}")
    org, number = key.split("+")
    return org, number


def split_run_key(key: str) -> tuple[str, str, str]:
    """(org, number, run) of a `course-v1:` run key; ValueError if malformed."""
    if not COURSE_RUN_KEY_RE.match(key):
        raise ValueError(f"not a course run key: {key!r}")
    org, number, run = key[len("course-v1:"):].split("+")
    return org, number, run


class RunKeyParts:
    """`org`, `number` and `run` of a record whose `key` is a `course-v1:` run key (a mixin)."""

    __slots__ = ()

    @property
    def org(self) -> str:
        return split_run_key(self.key)[0]

    @property
    def number(self) -> str:
        return split_run_key(self.key)[1]

    @property
    def run(self) -> str:
        return split_run_key(self.key)[2]


def course_of_run(key: str) -> str:
    """Parent course key (`Org+Number`) of a run key."""
    org, number, _ = split_run_key(key)
    return course_key(org, number)


def block_key(run: str, block_type: str, block_id: str) -> str:
    """`block-v1:Org+Num+Run+type@<type>+block@<id>` for a block of `run` (a run key)."""
    return f"block-v1:{run[len('course-v1:'):]}+type@{block_type}+block@{block_id}"


def asset_key(run: str, filename: str) -> str:
    """`asset-v1:Org+Num+Run+type@asset+block@<filename>` for a static asset of `run`."""
    return f"asset-v1:{run[len('course-v1:'):]}+type@asset+block@{filename}"


def is_course_key(value: str) -> bool:
    return bool(COURSE_KEY_RE.match(value))


def is_run_key(value: str) -> bool:
    return bool(COURSE_RUN_KEY_RE.match(value))


def is_uuid(value: str) -> bool:
    return bool(UUID_RE.match(value))


def term_run_name(year: int, month: int, style: str) -> str:
    """A run name from a start month: `1T2025` (style "term") or `2025_T1` (style "year")."""
    term = (month - 1) // 4 + 1
    return f"{term}T{year}" if style == "term" else f"{year}_T{term}"
