"""The state several workers or replicas share: scenario versions, sequence counters, the journal, liveness.

The world itself is never shared: it is a pure function of seed, clock and size, so every process builds the
same one. What changes at run time is:

- the loaded scenarios of each scope (the global world and each session), with a version number;
- the call counters of sequence behaviours ("fail the first 2 calls"), one count per scenario version;
- the request journal;
- which replicas are alive.

Two backends implement one interface (`StateBackend` hands each runtime a `Share`):

- `embedded` (the default): all of it in this process, nothing to install; exactly today's single process;
- `redis` (`--state redis://host:port/db`, `MOCKSERVER_STATE`): every replica and worker sees the same
  scenarios (pub/sub plus a version check), counts sequences with one atomic Lua call, writes the journal
  in batches, and beats a heartbeat that `/__admin/health` lists.

`open_state(settings)` picks the backend from `settings.state`.
"""

from __future__ import annotations

from mockserver.settings import Settings, SettingsError
from mockserver.shared_state.base import Share, StateBackend, health, scope_key
from mockserver.shared_state.embedded import EmbeddedState


def open_state(settings: Settings) -> StateBackend:
    """The backend `settings.state` names: None for the embedded one, or a `redis://` / `unix://` URL."""
    url = settings.state
    if not url:
        return EmbeddedState(settings)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from mockserver.shared_state.redis_backend import RedisState

        return RedisState(settings, url)
    raise SettingsError(f"--state / MOCKSERVER_STATE: {url!r} is not a redis://host:port/db or unix:// URL")


__all__ = ["EmbeddedState", "Share", "StateBackend", "health", "open_state", "scope_key"]
