"""Proxy-record mode: forward a client's traffic to the target and keep what it actually used.

The client runs unchanged against `http://127.0.0.1:PORT` (loopback unless `--host` says otherwise). Every
request is forwarded to the target with its own headers (its credentials pass through and are never kept);
absolute links in answers (`next`, `previous`) are rewritten from the target's origin to the proxy's, so
paging keeps going through the proxy. Read-only requests and the OAuth token exchange are forwarded; any
other method is refused with 405 (the contract's safety rules). The read-only requests and their answers
become exchanges for the same pipeline as a crawl; the token exchange is forwarded, never recorded.

Bounded: bodies larger than `MAX_BODY` are forwarded but not recorded; after `max_requests` exchanges the
proxy keeps forwarding and stops recording (counted as skipped).
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from urllib.parse import parse_qsl

import httpx
from starlette.requests import Request
from starlette.responses import Response

from mockserver.contract.context import media_type
from mockserver.contract.safety import SafetyPolicy, is_loopback
from mockserver.record.exchange import MAX_BODY, Exchange, parse_json
from mockserver.record.summary import Summary

__all__ = ["RecordingProxy", "ProxyError", "serve_proxy"]

TOKEN_PREFIX = "/oauth2/"
# Hop-by-hop headers (RFC 9110 §7.6.1) and the ones httpx recomputes.
_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                  "transfer-encoding", "upgrade", "host", "content-length", "accept-encoding"})
_DROP_RESPONSE = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"})


class RecordingProxy:
    """An ASGI app forwarding to `target`, keeping read-only exchanges in `self.exchanges`."""

    def __init__(self, target: str, summary: Summary, *, timeout: float = 30.0, max_requests: int = 100_000,
                 progress: Callable[[str], None] = lambda line: None, transport=None):
        self.target = target.rstrip("/")
        self.policy = SafetyPolicy(self.target)
        self.summary = summary
        self.max_requests = max_requests
        self.progress = progress
        self.exchanges: list[Exchange] = []
        self.server_date: str | None = None
        self._lock = threading.Lock()
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport, follow_redirects=False)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await self._client.aclose()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        request = Request(scope, receive)
        response = await self.forward(request)
        await response(scope, receive, send)

    async def forward(self, request: Request) -> Response:
        path, method = request.url.path, request.method.upper()
        token = method == "POST" and path.startswith(TOKEN_PREFIX)
        if not token and not self.policy.method_allowed(method, path):
            self.summary.skip("request", f"{method} refused by the proxy (read-only)")
            return Response(json.dumps({"detail": f'Method "{method}" not allowed by mockserver record.'}),
                            status_code=405, media_type="application/json")
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        url = self.target + path + (f"?{request.url.query}" if request.url.query else "")
        try:
            upstream = await self._client.request(method, url, headers=headers, content=body or None)
        except httpx.HTTPError as exc:
            self.summary.skip("request", f"target unreachable: {type(exc).__name__}")
            return Response(json.dumps({"detail": "mockserver record: the target did not answer"}), status_code=502,
                            media_type="application/json")
        own = f"{request.url.scheme}://{request.url.netloc}"
        content = upstream.content
        kind = media_type(upstream.headers.get("content-type"))
        if kind.endswith(("json", "xml")) and self.target.encode() in content:
            content = content.replace(self.target.encode(), own.encode())
        if not token:
            self._keep(method, path, request, body, upstream, kind)
        out_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in _DROP_RESPONSE}
        return Response(content, status_code=upstream.status_code, headers=out_headers)

    def _keep(self, method: str, path: str, request: Request, body: bytes, upstream: httpx.Response, kind: str) -> None:
        if len(upstream.content) > MAX_BODY:
            self.summary.skip("answer", f"larger than {MAX_BODY // (1024 * 1024)} MiB: forwarded, not recorded")
            return
        parsed = parse_json(kind, upstream.content)
        form = ()
        if method == "POST" and "urlencoded" in (request.headers.get("content-type") or ""):
            form = tuple(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        exchange = Exchange(method, path, tuple(parse_qsl(request.url.query, keep_blank_values=True)), form,
                            upstream.status_code, kind, parsed)
        with self._lock:
            self.server_date = self.server_date or upstream.headers.get("date")
            if len(self.exchanges) >= self.max_requests:
                self.summary.skip("request", f"--max-requests {self.max_requests} reached: forwarded, not recorded")
                return
            self.exchanges.append(exchange)
            if len(self.exchanges) % 25 == 0:
                self.progress(f"record: {len(self.exchanges)} requests recorded")


class ProxyError(RuntimeError):
    """The proxy could not start."""


def serve_proxy(target: str, host: str, port: int, timeout: float, summary: Summary,
                progress: Callable[[str], None], max_requests: int = 100_000) -> tuple[list[Exchange], str | None]:
    """Run the proxy until Ctrl-C (or SIGTERM); return what it recorded and the target's Date header."""
    import uvicorn

    proxy = RecordingProxy(target, summary, timeout=timeout, max_requests=max_requests, progress=progress)
    config = uvicorn.Config(proxy, host=host, port=port, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    progress(f"record: proxying http://{host}:{port} -> {target}; stop with Ctrl-C to write the scenario")
    if not is_loopback(f"http://{host}"):
        progress(f"record: warning: listening on {host}, not loopback: anyone who can reach it reaches {target} "
                 "through it with their own credentials")
    # uvicorn stops gracefully on either signal, then re-raises it: both mean "write the scenario now".
    previous = signal.signal(signal.SIGTERM, lambda *_: setattr(server, "should_exit", True))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    except SystemExit:  # uvicorn exits when it cannot bind; the command reports it (exit 2)
        if server.started:
            raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not server.started and not proxy.exchanges:
        raise ProxyError(f"could not listen on {host}:{port} (in use, or not an address of this machine?)")
    return proxy.exchanges, proxy.server_date
