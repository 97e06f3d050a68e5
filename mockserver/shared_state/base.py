"""The interface both state backends implement: `StateBackend` for the process, `Share` for one runtime."""

from __future__ import annotations

from typing import Any


def session_share(settings, total: int) -> int:
    """A session's part of a byte budget of the global world (its response cache's, its journal's): a 16th, or
    less when more than 16 sessions may live, so that all sessions together never hold more than that budget
    again (`--max-sessions` sessions each taking a 16th held 4 times it)."""
    return total // max(16, settings.max_sessions)


def journal_limits(settings, session: str | None) -> tuple[int, int]:
    """Entries and bytes one scope's journal keeps: the global journal's, or a session's (`session_share`)."""
    if session is None:
        return settings.journal_size, settings.journal_bytes
    return settings.session_journal_size, max(session_share(settings, settings.journal_bytes), 1)


def scope_key(session: str | None) -> str:
    """The name of a runtime's scope in shared keys: `g` for the global world, `s.<id>` for a session.

    Session ids cannot contain `:` (`mockserver.sessions.SESSION_ID`), so no scope name can be read as
    another's key.
    """
    return "g" if session is None else f"s.{session}"


def scenario_documents(scenarios) -> list[dict]:
    """What another process needs to rebuild the same scenario set: each file's name, origin and text."""
    return [{"name": s.name, "file": s.file, "text": s.text} for s in scenarios]


class Share:
    """One runtime's part of the shared state (the global world's, or one session's)."""

    backend: "StateBackend"

    journal: Any
    """Where this runtime's requests are journalled (`record`, `entries`, `clear`)."""

    def publish(self, scenarios, snapshot) -> None:
        """A scenario set was loaded here: give `snapshot` its version (and tell the other processes)."""
        raise NotImplementedError

    async def next_action(self, snapshot, behaviour):
        """The action of this call of `behaviour` (its sequence step counted across every process)."""
        raise NotImplementedError


class StateBackend:
    """One process's access to the state its workers and replicas share."""

    kind = "abstract"
    replica_id = ""

    def attach(self, runtime) -> Share:
        """Give `runtime` (global or a session's) its share and journal; adopt the shared scenarios if newer."""
        raise NotImplementedError

    def start(self, root) -> None:
        """Begin following the other processes (`root` is the global runtime)."""

    def detach(self, runtime) -> None:
        """A session's runtime is gone from this process (expired or deleted)."""

    def touched(self, session: str) -> None:
        """A session was used here (keeps its shared data alive as long as any replica uses it)."""

    def dropped(self, session: str) -> None:
        """A session was deleted by an admin call: forget its shared data."""

    def replicas(self) -> list[dict]:
        """The live processes sharing this state, this one included."""
        raise NotImplementedError

    def describe(self) -> dict:
        return {"backend": self.kind, "replica": self.replica_id}

    def close(self) -> None:
        """Stop background work and release connections."""


def health(runtime) -> dict:
    """What `/__admin/health` says about the shared state: the backend, this replica and the live ones."""
    share = runtime.share
    if share is None:
        return {}
    backend = share.backend
    try:
        replicas = backend.replicas()
    except Exception as exc:  # noqa: BLE001 - any backend failure is reported, never raised, by a health check
        return {"state": {**backend.describe(), "error": f"{type(exc).__name__}: {exc}"}, "replicas": []}
    return {"session": runtime.session, "state": backend.describe(), "replicas": replicas}
