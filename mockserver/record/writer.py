"""The recorded scenario as YAML text: a header comment, then `name`, `seed`, `clock` and `records`.

Stable by construction: kinds in a fixed order, keys and fields sorted, and no time of day in it but the
world's clock (the target's day, or `--clock`), so recording the same target twice gives the same bytes.
The header says where the data came from (host only: no path, no user info), on which day, and what was
anonymised (field names and counts); never a credential or an original value.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from mockserver.record.summary import Summary

__all__ = ["scenario_text", "source_host"]


def source_host(url: str) -> str:
    """`https://user:pw@staging.example.org:8443/x` -> `staging.example.org:8443`."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


def _name(out: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", out.stem).strip("-") or "recorded"


class _Dumper(yaml.SafeDumper):
    """Block style; long strings stay on one line so diffs of two recordings stay readable."""


def scenario_text(*, records: dict, seed: int, size, clock: datetime, source: str, mode: str, out: Path,
                  summary: Summary, default_salt: bool) -> str:
    replaced = ", ".join(f"{name} ({n})" for name, n in sorted(summary.replaced.items())) or "nothing found to replace"
    header = [
        f"# Recorded by `mockserver record` ({mode}) from {source} on {clock.date().isoformat()}.",
        f"# Anonymised (keyed HMAC-SHA256 pseudonyms{', under a salt private to whoever recorded it' if default_salt else ''}): {replaced}.",
    ]
    if summary.kept:
        header.append(f"# Kept as recorded (--keep): {', '.join(summary.kept)}.")
    header.append("# Check it with `mockserver scenario check FILE`; serve it with `mockserver serve --scenario FILE`.")
    document = {
        "name": _name(out),
        "description": f"Recorded from {source} ({mode}).",
        "seed": seed,
        "size": size,
        "clock": clock.isoformat(),
        "records": records,
    }
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100_000,
                     default_flow_style=False)
    return "\n".join(header) + "\n" + body
