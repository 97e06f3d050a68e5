"""Same seed and clock give the same world in any process; seed and clock matter."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from mockserver.world import build_world, start_of_day

_SCRIPT = (
    "from datetime import datetime, timezone;"
    "from mockserver.world import build_world;"
    "print(build_world(seed={seed}, clock=datetime(2025, 6, 2, tzinfo=timezone.utc), size={size!r}).fingerprint())"
)


def _fingerprints_in_subprocesses(seed: int, size: str, hashseeds: list[str]) -> list[str]:
    procs = [subprocess.Popen([sys.executable, "-c", _SCRIPT.format(seed=seed, size=size)],
                              env={**os.environ, "PYTHONHASHSEED": h}, stdout=subprocess.PIPE, text=True)
             for h in hashseeds]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    return outs


def test_default_world_is_identical_across_processes_and_hash_seeds(default_world):
    expected = default_world.fingerprint()
    assert _fingerprints_in_subprocesses(1, "default", ["0", "12345"]) == [expected, expected]


def test_materialization_order_does_not_change_entities(clock):
    first = build_world(seed=3, clock=clock, size="small")
    second = build_world(seed=3, clock=clock, size="small")
    # touch the second world's records backwards before fingerprinting
    for run in reversed(list(second.runs)):
        second.blendx_course(run.key)
    assert first.fingerprint() == second.fingerprint()


def test_seed_and_clock_change_the_world(clock, small_world):
    assert build_world(seed=8, clock=clock, size="small").fingerprint() != small_world.fingerprint()
    later = build_world(seed=7, clock=clock + timedelta(days=1), size="small")
    assert later.fingerprint() != small_world.fingerprint()


def test_default_clock_is_start_of_current_utc_day():
    world = build_world(size="small")
    now = datetime.now(timezone.utc)
    assert world.clock == start_of_day()
    assert world.clock <= now < world.clock + timedelta(days=1)
    assert (world.clock.hour, world.clock.minute, world.clock.second, world.clock.microsecond) == (0, 0, 0, 0)


def test_naive_clock_is_taken_as_utc():
    world = build_world(size="small", clock=datetime(2025, 6, 2))
    assert world.clock == datetime(2025, 6, 2, tzinfo=timezone.utc)
