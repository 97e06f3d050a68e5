"""Scenario behaviours around the respond step: latency, faults, forced status, call sequences.

`BehaviourMiddleware` sits in the app's middleware list after security, so behaviours apply to requests
that passed routing and auth, as they would on a real server that is slow or failing.
"""

from __future__ import annotations


class BehaviourMiddleware:
    """Applies the behaviours of the current snapshot to the operation being called."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        await self.app(scope, receive, send)
