"""A redis-server per module for the shared-state tests (skipped, with the reason, when it is not installed)."""

from __future__ import annotations

import pytest
from shared_state._fleet import redis_server


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url
