"""The runtime state one app serves from: settings, the current world, auth knobs, journal, behaviours.

Requests reach it as `request.scope["mockserver"]` (see `runtime_of`), and the snapshot they started with as
`request.scope["mockserver.snapshot"]` (`snapshot_of`, `world_of`). A reload swaps whole objects
(`world`, `auth`, `behaviours`) with one attribute assignment each, so a request in flight keeps the
consistent set it started with and never sees a half-applied scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockserver import memory
from mockserver.auth import AuthConfig
from mockserver.cache import ResponseCache
from mockserver.journal import Journal
from mockserver.search.index import warm as warm_search
from mockserver.settings import Settings


@dataclass
class Snapshot:
    """Everything a scenario load replaces, swapped as one object."""

    world: Any
    auth: AuthConfig
    enterprise_format: str = "json"
    search_backend: str = "elasticsearch"
    behaviours: Any = None
    scenarios: tuple = ()
    generation: int = 0
    version: int = 0
    """The scenario set's version in the shared state (`mockserver.shared_state`): the same on every replica,
    so sequence counters of one scenario load are one count everywhere."""


@dataclass
class Runtime:
    settings: Settings
    snapshot: Snapshot
    journal: Journal = field(default_factory=Journal)
    cache: ResponseCache = None  # type: ignore[assignment]  # built from the settings' budget
    scenarios: Any = None
    """The scenario manager (`mockserver.scenarios.manager`) once scenarios are installed."""
    admin_guard: Any = None
    """Who may use `/__admin/` (`mockserver.admin.AdminGuard`), built on first use."""
    share: Any = None
    """This runtime's part of the shared state (`mockserver.shared_state.Share`): scenario versions, sequence
    counters, the journal. None for a bare runtime (tests that build one by hand)."""
    session: str | None = None
    """The session this runtime serves (`mockserver.sessions`); None for the global world."""
    sessions: Any = None
    """The sessions of the app (`mockserver.sessions.Sessions`), on the global runtime only."""

    def __post_init__(self) -> None:
        if self.cache is None:
            self.cache = ResponseCache(max_bytes=self.settings.cache_bytes)
        memory.track(self.snapshot.world)

    @property
    def world(self):
        return self.snapshot.world

    @property
    def auth(self) -> AuthConfig:
        return self.snapshot.auth

    def swap(self, snapshot: Snapshot) -> None:
        """Install a new snapshot atomically (one reference assignment)."""
        snapshot.generation = self.snapshot.generation + 1
        warm_search(snapshot.world)  # a large world's search index is built before it serves (off the event loop)
        memory.track(snapshot.world)
        self.snapshot = snapshot
        self.cache.clear()  # the replaced snapshot's answers go now (`cached` keeps none of it after this)


def runtime_of(request) -> Runtime:
    """The runtime serving `request`."""
    return request.scope["mockserver"]


def snapshot_of(request) -> Snapshot:
    """The snapshot current when the request started (a reload meanwhile does not change it)."""
    return request.scope["mockserver.snapshot"]


def world_of(request):
    """The world of the snapshot current when the request started."""
    return snapshot_of(request).world
