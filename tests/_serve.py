"""`mockserver serve` as a child process on a given port, for tests that need the real command and a socket."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx


def serve_process(port: int, *flags: str, env: dict | None = None, ready: str = "/__admin/health",
                  timeout: float = 60.0) -> subprocess.Popen:
    """Start `mockserver serve --port PORT FLAGS…` and return once `ready` answers; its stderr is kept for errors."""
    proc = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--port", str(port), *flags], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}{ready}", timeout=1)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-2000:]) from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")
