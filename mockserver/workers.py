"""`mockserver serve --workers N`: N processes on one port that answer as one server.

The workers share state the way replicas do (`mockserver.shared_state`), so every promise of several
replicas holds for workers too: a scenario loaded through any worker applies on all, sequences count across
workers, the journal holds every worker's requests. With `--state` the workers use that Redis; without it,
a private `redis-server` is started for them on a unix socket in a private temporary directory (mode 0700,
no TCP port, nothing saved to disk) and stopped with the server. When `redis-server` is not installed,
`--workers` is refused with a message naming both ways out (install it, or pass `--state`).

The parent process resolves the world's clock once (the start of today, unless `--clock` says otherwise)
and hands every worker the same settings, so all of them build the same world even across midnight.
uvicorn's supervisor starts the workers (spawned processes, each building the app through `worker_app`),
restarts one that dies, and forwards SIGINT/SIGTERM. Each worker listens on its own SO_REUSEPORT socket of
the same address, so the kernel spreads connections evenly (`listening_sockets`).
"""

from __future__ import annotations

import functools
import logging
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from mockserver.settings import Settings, SettingsError

STARTUP_SECONDS = 10.0

log = logging.getLogger("mockserver.workers")


def worker_app(settings: Settings):
    """The app of one worker (uvicorn calls this in each spawned process)."""
    from mockserver import memory
    from mockserver.app import create_app

    memory.tune_allocator()
    app = create_app(settings)
    memory.settle()  # as `serve` does: the world lives for the whole process
    return app


@contextmanager
def private_redis():
    """A `redis-server` only this server's workers can reach: a unix socket in a fresh 0700 directory."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise SettingsError("--workers needs shared state between the workers: install redis-server "
                            "(Debian/Ubuntu: apt-get install redis-server) or pass --state redis://host:port/db")
    directory = Path(tempfile.mkdtemp(prefix="mockserver-state-"))
    sock = directory / "redis.sock"
    proc = subprocess.Popen([binary, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
                             "--save", "", "--appendonly", "no", "--dir", str(directory)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_redis(proc, sock)
        yield f"unix://{sock}"
    finally:
        stop(proc)
        shutil.rmtree(directory, ignore_errors=True)


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Terminate a child process, kill it if it does not exit within `timeout`, and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for_redis(proc: subprocess.Popen, sock: Path) -> None:
    import redis

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SettingsError(f"the private redis-server for --workers exited: "
                                f"{proc.stderr.read().decode(errors='replace')[-500:]}")
        if sock.exists():
            try:
                redis.Redis(unix_socket_path=str(sock)).ping()
                return
            except redis.RedisError:
                pass
        time.sleep(0.02)
    raise SettingsError(f"the private redis-server for --workers did not start within {STARTUP_SECONDS:g} s")


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` sockets bound to one address with SO_REUSEPORT: the kernel spreads new connections over them.

    One shared socket would not do: each worker's event loop accepts every pending connection it is woken
    for, so a client opening its connections at once (a load balancer's pool, wrk) lands on one worker.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            sock.set_inheritable(True)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        raise SettingsError(f"--host {host} --port {port}: cannot listen there: {exc.strerror or exc}") from None
    return sockets


def _supervisor():
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors.multiprocess import Multiprocess, Process

    class Supervisor(Multiprocess):
        """uvicorn's supervisor with worker i always on socket i (`listening_sockets`), restarts included."""

        def _start(self, index: int) -> Process:
            process = Process(self.config, [self.sockets[index]])
            process.start()
            return process

        def init_processes(self) -> None:
            self.processes = [self._start(index) for index in range(self.processes_num)]

        def keep_subprocess_alive(self) -> None:
            for index, process in enumerate(self.processes):
                if self.should_exit.is_set():
                    return
                if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                    continue
                process.kill()
                process.join()
                if process.exitcode == STARTUP_FAILURE:  # it would fail the same way on every restart
                    log.error("worker %s failed to start; stopping", process.pid)
                    self.should_exit.set()
                    return
                log.warning("worker %s died; starting another", process.pid)
                self.processes[index] = self._start(index)

        def restart_all(self) -> None:  # SIGHUP: one worker after the other, each on its own socket
            for index, old in enumerate(self.processes):
                new = self._start(index)
                if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                    new.kill()
                    new.join()
                    return
                old.terminate()
                old.join()
                self.processes[index] = new

    return Supervisor


def serve(settings: Settings, workers: int, *, log_level: str, access_log: bool, proxy_headers: bool = False,
          forwarded_allow_ips: str | None = None, on_listening=None) -> None:
    """Serve with `workers` processes until interrupted (settings already carry the resolved clock).

    `on_listening` is called once every socket is bound (the banner: never printed for a port that is taken);
    connections made from then on wait in the sockets' backlog until the workers take them.
    """
    import uvicorn

    from mockserver.protocol import uvicorn_options

    with (private_redis() if not settings.state else _given(settings.state)) as state:
        sockets = listening_sockets(settings.host, settings.port, workers)
        try:
            config = uvicorn.Config(functools.partial(worker_app, settings.replace(state=state)), factory=True,
                                    host=settings.host, port=settings.port, workers=workers, log_level=log_level,
                                    access_log=access_log, lifespan="on", proxy_headers=proxy_headers,
                                    forwarded_allow_ips=forwarded_allow_ips,
                                    **uvicorn_options(settings.max_header_bytes))
            if on_listening is not None:
                on_listening()
            _supervisor()(config, sockets=sockets).run()
        finally:
            for sock in sockets:
                sock.close()


@contextmanager
def _given(url: str):
    yield url
