"""Real engines for the shared-state tests: redis-server, `mockserver serve` processes and haproxy, each on a
free loopback port, started and stopped by the tests (skipped, with the reason, when a binary is missing)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from mockserver.testing import free_port
from mockserver.workers import stop

START_SECONDS = 90.0  # a shared CI machine can be slow to import and build the world in several processes
CLOCK = "2026-01-15T00:00:00Z"


def need(binary: str) -> str:
    path = shutil.which(binary) or (f"/usr/sbin/{binary}" if os.path.exists(f"/usr/sbin/{binary}") else None)
    if path is None:
        pytest.skip(f"{binary} is not installed (.ci/run installs it; locally: apt-get install {binary})")
    return path


def _wait(proc: subprocess.Popen, ready, what: str, timeout: float = START_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
            raise RuntimeError(f"{what} exited with {proc.returncode}: {err}")
        if ready():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within {timeout:g} s")


@contextmanager
def redis_server():
    """A throw-away redis-server on a free loopback port; yields its URL."""
    binary = need("redis-server")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="mockserver-test-redis-") as directory:
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", directory],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            import redis

            def ready():
                try:
                    return redis.Redis(port=port).ping()
                except redis.RedisError:
                    return False

            _wait(proc, ready, "redis-server", 20)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            stop(proc)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/__admin/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


class Serve:
    """One `mockserver serve` process."""

    def __init__(self, *args: str, port: int | None = None, env: dict | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--port", str(self.port),
                                      "--size", "small", "--clock", CLOCK, *args],
                                     env={**os.environ, **(env or {})},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait(self) -> "Serve":
        _wait(self.proc, lambda: _answers(self.url), f"mockserver serve on {self.port}")
        return self

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        stop(self.proc)


@contextmanager
def replicas(count: int, *args: str):
    """`count` serve processes started at once (so their start-ups overlap); yields them once all answer."""
    with ExitStack() as stack:
        servers = []
        for _ in range(count):
            server = Serve(*args)
            stack.callback(server.stop)
            servers.append(server)
        for server in servers:
            server.wait()
        yield servers


HAPROXY_CONFIG = """
global
    maxconn 512
    stats socket {stats} mode 600 level user
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout
frontend mock
    bind 127.0.0.1:{port}
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk
    http-check send meth GET uri /__admin/health ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
    default-server inter 200ms fall 1 rise 2
{servers}
"""


class Balancer:
    """A running haproxy: its URL and what its stats socket says about each server."""

    def __init__(self, url: str, stats: Path):
        self.url = url
        self.stats = stats

    def status(self, server: str) -> str:
        """`UP`, `DOWN`, ... of `server` (r1, r2, ...) as haproxy's health check sees it now."""
        import socket

        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.stats))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        for line in lines[1:]:
            row = dict(zip(header, line.split(",")))
            if row.get("pxname") == "replicas" and row.get("svname") == server:
                return row["status"]
        raise KeyError(server)


@contextmanager
def haproxy(backends: list[Serve]):
    """haproxy round-robin in front of `backends` with a fast health check, retries and redispatch."""
    binary = need("haproxy")
    port = free_port()
    servers = "\n".join(f"    server r{i} 127.0.0.1:{s.port} check" for i, s in enumerate(backends, 1))
    with tempfile.TemporaryDirectory(prefix="mockserver-test-haproxy-") as directory:
        config = Path(directory) / "haproxy.cfg"
        stats = Path(directory) / "stats.sock"
        config.write_text(HAPROXY_CONFIG.format(port=port, servers=servers, stats=stats), encoding="utf-8")
        proc = subprocess.Popen([binary, "-f", str(config), "-db"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait(proc, lambda: _answers(url), "haproxy", 20)
            yield Balancer(url, stats)
        finally:
            stop(proc)
