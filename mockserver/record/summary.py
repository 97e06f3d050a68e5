"""The end-of-run summary: what was recorded, replaced, skipped and why, and what the records cannot express.

Counts and field names only: never a recorded value, so the summary can be pasted into a ticket. Every
line comes from one place in the pipeline (`crawl`, `anonymise`, `convert`, `verify`), which reports into
this object instead of printing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["Summary"]


@dataclass
class Summary:
    requests: int = 0
    recorded: Counter = field(default_factory=Counter)  # records per kind
    replaced: Counter = field(default_factory=Counter)  # anonymised values per field
    kept: tuple[str, ...] = ()  # fields the user kept (--keep)
    skipped: Counter = field(default_factory=Counter)  # (what, reason) -> count
    unexpressed: Counter = field(default_factory=Counter)  # (where, field path, why) -> count
    verified: int = 0  # recorded requests replayed
    identical: int = 0  # ... and answered identically (links' host aside)
    output: str = ""
    clock: str = ""  # the recording's day and where it came from

    def skip(self, what: str, reason: str, count: int = 1) -> None:
        self.skipped[(what, reason)] += count

    def cannot_express(self, where: str, field_path: str, why: str) -> None:
        """A value the target returned that the scenario records cannot reproduce (reported per field)."""
        self.unexpressed[(where, field_path, why)] += 1

    @property
    def complete(self) -> bool:
        """Whether every recorded request replays identically."""
        return self.verified == self.identical and not self.unexpressed

    def render(self) -> str:
        lines = [f"recorded {self.requests} request(s) into {self.output or 'the scenario'}"]
        if self.clock:
            lines.append(f"  clock: {self.clock}")
        if self.recorded:
            lines.append("  records: " + ", ".join(f"{kind} {n}" for kind, n in sorted(self.recorded.items())))
        if self.replaced:
            lines.append("  anonymised (values replaced): "
                         + ", ".join(f"{name} {n}" for name, n in sorted(self.replaced.items())))
        else:
            lines.append("  anonymised: nothing (no learner data in what was recorded)")
        if self.kept:
            lines.append("  kept as recorded (--keep): " + ", ".join(self.kept))
        if self.skipped:
            lines.append("  skipped:")
            lines += [f"    {n} {what}(s): {reason}" for (what, reason), n in sorted(self.skipped.items())]
        if self.verified:
            lines.append(f"  replayed {self.verified} recorded request(s) against the recording: "
                         f"{self.identical} identical, {self.verified - self.identical} differ")
        if self.unexpressed:
            lines.append("  not expressible in scenario records (reported, not guessed):")
            lines += [f"    {where}: {path}: {why} ({n}x)"
                      for (where, path, why), n in sorted(self.unexpressed.items())]
        return "\n".join(lines)
