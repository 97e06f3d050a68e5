"""Every cross-reference resolves: in the default world and, with Hypothesis, for any seed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.world import build_world


def test_default_world_is_coherent(default_world, assert_coherent):
    assert_coherent(default_world)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), days=st.integers(min_value=-2000, max_value=2000))
def test_any_seed_and_clock_gives_a_coherent_small_world(assert_coherent, seed, days):
    clock = datetime(2025, 6, 2, tzinfo=timezone.utc) + timedelta(days=days)
    assert_coherent(build_world(seed=seed, clock=clock, size="small"))


def test_an_int_size_is_the_number_of_generated_courses(clock):
    world = build_world(seed=2, clock=clock, size=50, landmarks=False)
    assert len(world.courses) == 50
    assert build_world(seed=2, clock=clock, size=50).course("edX+DemoX") is not None
