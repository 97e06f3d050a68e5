"""Problems found in scenario files, and the error that carries all of them at once.

A problem names the file, the line and column (1-based, from the YAML node marks) and the field path inside
the document (`records.courses[1].title`), so an editor or a terminal can jump straight to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.settings import SettingsError


def format_path(path: tuple) -> str:
    """`('records', 'courses', 1, 'title')` → `records.courses[1].title`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(document)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one scenario file."""

    file: str
    line: int
    column: int
    path: tuple
    message: str

    @property
    def field(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.field}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column, "field": self.field,
                "message": self.message}


class ScenarioError(SettingsError):
    """A scenario (or a set of them) was refused; `problems` lists every problem found.

    It is a `SettingsError` because a scenario file is a setting (`--scenario`): the CLI reports it and
    exits with status 2 instead of starting.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))
