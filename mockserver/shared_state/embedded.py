"""The default state backend: everything in this process, nothing to install (a single process, as ever)."""

from __future__ import annotations

import itertools
import os
import socket
import time

from mockserver.journal import Journal
from mockserver.settings import Settings
from mockserver.shared_state.base import Share, StateBackend, journal_limits


class EmbeddedShare(Share):
    def __init__(self, backend: StateBackend, journal: Journal):
        self.backend = backend
        self.journal = journal
        self._versions = itertools.count(1)

    def publish(self, scenarios, snapshot) -> None:
        snapshot.version = next(self._versions)

    async def next_action(self, snapshot, behaviour):
        return behaviour.next_action()


class EmbeddedState(StateBackend):
    kind = "embedded"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.replica_id = f"{socket.gethostname()}:{os.getpid()}"
        self.started = time.time()

    def attach(self, runtime) -> Share:
        share = EmbeddedShare(self, Journal(*journal_limits(self.settings, runtime.session)))
        runtime.share, runtime.journal = share, share.journal
        return share

    def replicas(self) -> list[dict]:
        return [{"id": self.replica_id, "started": self.started}]
