"""Verification by replay: every recorded request sent to the mock serving the recording, field by field.

The mock is built in-process from the written file exactly as `mockserver serve --scenario FILE` would
(seed, clock and size from the file), every recorded 200 answer is asked for again with the same method,
path, query and form, and the two JSON bodies are compared. Links' origins are normalised (the target's and
the mock's hosts differ by design); anything else that differs is reported per field into the summary:
a field the target returned that the mock does not (an unmodelled field), a value the records cannot
reproduce (a derived or caller-dependent value), a list of another length. Nothing is guessed or dropped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mockserver.record.exchange import Exchange
from mockserver.record.summary import Summary

__all__ = ["replay", "compare", "RecordingRefused"]

_ORIGIN = re.compile(r"^https?://[^/?#]+")
_MAX_PATHS_PER_OPERATION = 40  # one long list can differ in many places; the summary stays readable


class RecordingRefused(RuntimeError):
    """The written file does not load as a scenario; `problems` are the loader's lines."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"the recording does not load ({len(problems)} problem(s))")


def _norm(value: Any, origins: tuple[str, ...]) -> Any:
    if isinstance(value, str) and _ORIGIN.match(value):
        origin = _ORIGIN.match(value).group(0)
        if origin in origins:
            return "<origin>" + value[len(origin):]
    return value


def _numbers(a: Any, b: Any) -> bool:
    # JSON numbers compare by value (49 and 49.0 are one price); booleans are not numbers here.
    return all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))


def caller_of(exchanges: list[Exchange]) -> str:
    """The username the target saw (the catalog API puts it in `utm_source`): the replay calls as it."""
    from mockserver.record.convert import utm_source

    for exchange in exchanges:
        if exchange.operation == "catalog.list_catalog_courses" and isinstance(exchange.body, dict):
            for course in exchange.body.get("results") or []:
                source = utm_source(course.get("marketing_url")) if isinstance(course, dict) else None
                if source:
                    return source
    return "mockserver-record"


def compare(recorded: Any, served: Any, origins: tuple[str, ...], path: str = "") -> list[tuple[str, str]]:
    """(field path, why) for every difference between the target's body and the mock's."""
    recorded, served = _norm(recorded, origins), _norm(served, origins)
    if isinstance(recorded, dict) and isinstance(served, dict):
        out = []
        for name, value in recorded.items():
            where = f"{path}.{name}" if path else name
            if name not in served:
                out.append((where, "returned by the target, no record field holds it (unmodelled field)"))
            else:
                out += compare(value, served[name], origins, where)
        out += [(f"{path}.{name}" if path else name, "returned by the mock, not by the target")
                for name in served if name not in recorded]
        return out
    if isinstance(recorded, list) and isinstance(served, list):
        out = [] if len(recorded) == len(served) else \
            [(f"{path}[]", f"{len(recorded)} item(s) recorded, {len(served)} served")]
        for a, b in zip(recorded, served):
            out += compare(a, b, origins, f"{path}[]")
        return out
    if recorded == served and (type(recorded) is type(served) or _numbers(recorded, served)):
        return []
    return [(path or "(body)", "value differs: the records cannot reproduce it")]


def replay(path: Path, exchanges: list[Exchange], target_origin: str, summary: Summary) -> None:
    """Replay the recorded 200 answers against the mock serving `path`; count and report differences."""
    from starlette.testclient import TestClient

    from mockserver.app import create_app
    from mockserver.scenarios.problems import ScenarioError
    from mockserver.settings import Settings
    from mockserver.testing import token_for

    from mockserver.world import build_world

    try:
        # The file sets its own seed, clock and size: the settings' default world would be built for nothing.
        app = create_app(Settings(scenarios=(path,)), world=build_world(size=0))
    except ScenarioError as exc:
        raise RecordingRefused([str(p) for p in exc.problems]) from None
    jwt = token_for(app, caller_of(exchanges))
    headers = {"Authorization": f"JWT {jwt}", "actionsecret": app.runtime.auth.action_secret,
               "Accept": "application/json"}
    origins = (target_origin.rstrip("/"), "http://testserver")
    reported: dict[str, int] = {}
    with TestClient(app) as client:
        for exchange in exchanges:
            if exchange.status != 200 or not exchange.operation or not isinstance(exchange.body, (dict, list)):
                continue
            response = client.request(exchange.method, exchange.target, headers=headers,
                                      data=dict(exchange.form) if exchange.form else None)
            summary.verified += 1
            if response.status_code != 200:
                summary.cannot_express(exchange.operation, "(status)",
                                       f"the recording answers {response.status_code} where the target answered 200")
                continue
            differences = compare(exchange.body, response.json(), origins)
            if not differences:
                summary.identical += 1
            for field_path, why in differences:
                seen = reported.get(exchange.operation, 0)
                if seen < _MAX_PATHS_PER_OPERATION or (exchange.operation, field_path, why) in summary.unexpressed:
                    reported[exchange.operation] = seen + 1
                    summary.cannot_express(exchange.operation, field_path, why)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"
