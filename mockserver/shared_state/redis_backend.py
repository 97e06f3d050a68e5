"""The Redis state backend (`--state redis://host:port/db`): several workers or replicas behave as one.

What lives in Redis (every key under `mockserver:`; `<scope>` is `g` or `s.<session id>`, `base.scope_key`):

| key | what |
|---|---|
| `scen:<scope>` | hash: `version`, `docs` (the scenario files' texts, JSON), `origin` (the replica that loaded them) |
| `seq:<scope>:<version>:<n>` | call count of the n-th behaviour of that scenario version (Lua `INCR` + `EXPIRE`) |
| `journal:<scope>`, `jbytes:<scope>`, `jid:<scope>` | the journal (a list, oldest first), its byte total, its last id |
| `replicas`, `replica:<id>` | sorted set of live replicas (score: when the heartbeat lapses), each one's details |
| channel `<db>:changes` | `scenarios <scope> <version> <origin>`, `flush <nonce>`, `drop <scope> <origin>` |

How each promise is kept:

- A scenario loaded on any replica is checked and built there, then published (one Lua call bumps the
  version, stores the texts and announces it). The others rebuild the same snapshot from the texts in a
  background thread; a version check every heartbeat catches a missed message, so it applies everywhere in
  well under a second.
- Sequence counters are one Redis counter per behaviour of one scenario version: atomic across replicas.
  Behaviours without a sequence are counted locally (no Redis call).
- Journal entries are redacted here, buffered, and written by a background thread in batches (one Lua call
  per scope appends them and drops the oldest past `journal_size` entries or `journal_bytes` bytes). A read
  first asks every replica to flush (`flush` on the channel; each acknowledges), so it sees every request
  answered before it.
- The request path touches Redis only for sequence behaviours; never for the world, which every replica
  builds itself from seed and clock.
- Nothing lives only in one replica: losing one loses at most the journal entries it had not flushed yet
  (the requests it was answering when it died).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import queue
import socket
import threading
import time
import weakref
from secrets import token_hex
from urllib.parse import urlsplit, urlunsplit

import orjson
import redis
import redis.asyncio as aredis

from mockserver import limits
from mockserver.journal import Entry, Journal, select
from mockserver.scenarios.loader import read_scenario
from mockserver.scenarios.problems import Problem, ScenarioError
from mockserver.settings import Settings, SettingsError
from mockserver.shared_state.base import Share, StateBackend, journal_limits, scenario_documents, scope_key

log = logging.getLogger("mockserver.state")

NS = "mockserver:"
HEARTBEAT = 0.5
"""Seconds between heartbeats (and version checks)."""
REPLICA_TTL = 3.0
"""A replica whose heartbeat is older than this is no longer listed as alive."""
GLOBAL_TTL = 7 * 24 * 3600
"""Seconds the global world's counters and journal outlive their last use."""
FLUSH_EVERY = 0.05
"""Seconds between two shipments of buffered journal entries."""
BUFFER_ENTRIES = 4096
"""Journal entries a process holds between two shipments (at least the journal's size)."""
BARRIER_SECONDS = 0.5
"""How long a journal read waits for the other replicas to flush."""
ENTRY_MAX_BYTES = 16 * limits.KIB
"""A journal entry larger than this (after each value is truncated) keeps its request line, not its headers."""

PUBLISH = """
if ARGV[5] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then
  return -tonumber(redis.call('HGET', KEYS[1], 'version'))
end
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'docs', ARGV[1], 'origin', ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
redis.call('PUBLISH', ARGV[4], 'scenarios ' .. ARGV[6] .. ' ' .. v .. ' ' .. ARGV[2])
return v
"""

NEXT_CALL = """
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return n
"""

APPEND = """
local max_entries, max_bytes, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local count = #ARGV - 3
local id = redis.call('INCRBY', KEYS[3], count) - count
local bytes = tonumber(redis.call('GET', KEYS[2]) or '0')
for i = 4, #ARGV do
  id = id + 1
  local item = id .. ' ' .. ARGV[i]
  redis.call('RPUSH', KEYS[1], item)
  bytes = bytes + #item
end
local n = redis.call('LLEN', KEYS[1])
while n > 0 and (n > max_entries or bytes > max_bytes) do
  bytes = bytes - #redis.call('LPOP', KEYS[1])
  n = n - 1
end
redis.call('SET', KEYS[2], bytes)
for k = 1, 3 do redis.call('EXPIRE', KEYS[k], ttl) end
return n
"""


def safe_url(url: str) -> str:
    """The URL without its password (for messages, logs, the banner and /__admin/health): in the user info, or in
    the query, where the Redis client takes one too (`redis://host/0?password=…`, `unix:///run/redis.sock?password=…`)."""
    base, mark, rest = url.partition("?")
    query, hashmark, fragment = rest.partition("#")
    query = "&".join(f"{name}=***" if name.lower() == "password" else pair
                     for pair in query.split("&") for name in [pair.partition("=")[0]])
    parts = urlsplit(base)
    if parts.password is not None:
        netloc = (f"{parts.username}:***@" if parts.username else "***@") + parts.netloc.rsplit("@", 1)[1]
        base = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return base + mark + query + hashmark + fragment


def _encode(entry: Entry) -> str:
    data = dict(entry.__dict__)  # not dataclasses.asdict: its deep copy costs more than the rest of shipping
    data.pop("id")
    text = orjson.dumps(data)
    if len(text) > ENTRY_MAX_BYTES:
        data["headers"] = {"[dropped]": f"the entry was over {ENTRY_MAX_BYTES} bytes"}
        data["path"], data["query"] = data["path"][:1024], data["query"][:1024]
        text = orjson.dumps(data)
    return text.decode()


def _decode(item: bytes) -> Entry:
    number, _, text = item.partition(b" ")
    return Entry(id=int(number), **orjson.loads(text))


class SharedJournal:
    """A scope's journal in Redis: `record` buffers (redacted by `Journal`), a background thread ships."""

    def __init__(self, backend: "RedisState", share: "RedisShare", size: int, max_bytes: int):
        self.backend = backend
        self.share = share
        self.size = size
        self.max_bytes = max_bytes
        # What requests are recorded into, until the flusher ships them (bounded: if Redis is away, the
        # oldest unshipped entries drop off). Recording is the buffer's own method: nothing else per request.
        self.buffer = Journal(max(size, BUFFER_ENTRIES), max_bytes)
        self.record = self.buffer.record
        key = share.scope
        self.keys = (f"{NS}journal:{key}", f"{NS}jbytes:{key}", f"{NS}jid:{key}")

    def ship(self, pipe) -> bool:
        entries = self.buffer.drain()
        if not entries:
            return False
        args = [self.size, self.max_bytes, self.share.ttl, *(_encode(e) for e in entries)]
        self.backend.append_script(keys=self.keys, args=args, client=pipe)
        return True

    def entries(self, method: str | None = None, path: str | None = None,
                operation_id: str | None = None) -> list[Entry]:
        self.backend.flush_everywhere()
        items = [_decode(item) for item in self.backend.client.lrange(self.keys[0], 0, -1)]
        items.sort(key=lambda entry: entry.at)  # replicas ship in batches: the list is in shipping order
        return select(items, method, path, operation_id)

    def clear(self) -> None:
        self.backend.flush_everywhere()
        self.backend.client.delete(self.keys[0], self.keys[1])

    def stats(self) -> dict:
        """What `/__admin/health` shows: this replica's unshipped buffer and the shared journal's limits."""
        return {**self.buffer.stats(), "shared": True, "max_entries": self.size, "max_bytes": self.max_bytes}


class RedisShare(Share):
    def __init__(self, backend: "RedisState", runtime):
        self.backend = backend
        self.runtime = runtime
        self.scope = scope_key(runtime.session)
        self.key = f"{NS}scen:{self.scope}"
        settings = backend.settings
        self.ttl = GLOBAL_TTL if runtime.session is None else int(settings.session_ttl) + 1
        size, budget = journal_limits(settings, runtime.session)
        self.version = 0
        """The newest scenario version installed (or being installed) here."""
        self.lock = threading.Lock()
        self.journal = SharedJournal(backend, self, size, budget)

    def publish(self, scenarios, snapshot, *, only_if_absent: bool = False) -> int:
        """Store and announce the scenario set; its version goes on `snapshot`. With `only_if_absent`, a set
        already stored wins: the (negative) stored version is returned and nothing changes."""
        docs = orjson.dumps(scenario_documents(scenarios))
        backend = self.backend
        try:
            with self.lock:  # a version check never sees the new version before this share knows it
                version = backend.publish_script(keys=[self.key], args=[
                    docs, backend.replica_id, self.ttl, backend.channel, "1" if only_if_absent else "0", self.scope])
                if version > 0:
                    snapshot.version = self.version = version
        except redis.RedisError as exc:
            raise ScenarioError([Problem("<state>", 1, 1, (), f"the shared state at {backend.url} cannot be "
                                                              f"reached ({exc}); nothing was changed")]) from None
        return version

    async def next_action(self, snapshot, behaviour):
        if not behaviour.steps:
            return behaviour.next_action()
        key = f"{NS}seq:{self.scope}:{snapshot.version}:{snapshot.behaviours.index(behaviour)}"
        try:
            n = await self.backend.next_call(key, self.ttl)
        except (redis.RedisError, OSError) as exc:
            self.backend.warn_once("sequence", f"the shared state is unreachable ({exc}): sequences count "
                                               "in this process only until it is back")
            return behaviour.next_action()
        return behaviour.action_at(n - 1)


class RedisState(StateBackend):
    kind = "redis"

    def __init__(self, settings: Settings, url: str):
        self.settings = settings
        self.url = safe_url(url)
        self._raw_url = url
        try:
            self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
            self.client.ping()
            # Script objects run by hash and load themselves again into a Redis that lost them (a restart).
            self.publish_script = self.client.register_script(PUBLISH)
            self.append_script = self.client.register_script(APPEND)
        except (redis.RedisError, ValueError, TypeError) as exc:  # TypeError: a query parameter it does not take
            raise SettingsError(f"--state / MOCKSERVER_STATE: cannot use Redis at {self.url}: {exc}") from None
        # Redis's pub/sub ignores database numbers: deployments on different databases of one Redis must
        # not hear each other.
        self.channel = f"{NS}{self.client.connection_pool.connection_kwargs.get('db', 0)}:changes"
        self.replica_id = f"{socket.gethostname()}:{os.getpid()}:{token_hex(3)}"
        self.started = time.time()
        self.root = None
        self._shares: dict[str, RedisShare] = {}
        self._touched: set[str] = set()
        self._async: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._adopt_queue: queue.Queue = queue.Queue()
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._warned: set[str] = set()

    # -- runtimes --------------------------------------------------------------------------------------

    def attach(self, runtime) -> Share:
        """As `StateBackend.attach`; a `ScenarioError` when the shared scenarios cannot be had or built here (the
        share is then not kept: nothing follows a runtime that is not served)."""
        share = RedisShare(self, runtime)
        runtime.share, runtime.journal = share, share.journal
        try:
            if runtime.session is None:
                # The first replica up publishes its startup scenarios; the others (and later ones) adopt what
                # is there, so a replica that joins or comes back changes nothing for the rest.
                manager = runtime.scenarios
                version = share.publish(manager.loaded, runtime.snapshot, only_if_absent=True)
                if version < 0:
                    self.adopt(share)
            else:
                self.adopt(share)
        except (redis.RedisError, OSError) as exc:
            raise ScenarioError([Problem("<state>", 1, 1, (), f"the shared state at {self.url} cannot be "
                                                              f"reached ({exc})")]) from None
        self._shares[share.scope] = share
        return share

    def detach(self, runtime) -> None:
        key = scope_key(runtime.session)
        share = self._shares.get(key)
        # Only this runtime's share: a session expired here may already be open again under the same id
        # (released in the background) and its new share must stay.
        if share is not None and share.runtime is runtime:
            self._shares.pop(key, None)
            self.flush()

    def adopt(self, share: RedisShare) -> None:
        """Install the scope's stored scenario set if it is newer than what this process serves."""
        with share.lock:
            version, docs = self.client.hmget(share.key, "version", "docs")
            # Not `<=`: a Redis that was restarted empty counts versions from 1 again.
            if version is None or int(version) == share.version or docs is None:
                return
            version = share.version = int(version)
        scenarios = [read_scenario(d["text"], d["file"]) for d in orjson.loads(docs)]
        share.runtime.scenarios.adopt(scenarios, version)
        log.info("scenarios of %s adopted from the shared state: version %d", share.scope, version)

    def touched(self, session: str) -> None:
        self._touched.add(scope_key(session))

    def dropped(self, session: str) -> None:
        scope = scope_key(session)
        keys = [f"{NS}{kind}:{scope}" for kind in ("scen", "journal", "jbytes", "jid")]
        try:
            # Its sequence counters too: a session made again with the same id numbers its scenario versions
            # from 1 again, and would otherwise count on from the deleted session's calls ("fail the first 2"
            # already spent). Session ids hold no glob character (`sessions.SESSION_ID`).
            keys += self.client.scan_iter(match=f"{NS}seq:{scope}:*", count=1000)
            self.client.delete(*keys)
            self.client.publish(self.channel, f"drop {scope} {self.replica_id}")
        except redis.RedisError as exc:
            log.warning("could not delete session %s from the shared state: %s", session, exc)

    # -- the request path ------------------------------------------------------------------------------

    async def next_call(self, key: str, ttl: int) -> int:
        loop = asyncio.get_running_loop()
        script = self._async.get(loop)  # redis.asyncio connections belong to one event loop
        if script is None:
            connection = aredis.Redis.from_url(self._raw_url, socket_timeout=2, socket_connect_timeout=2)
            script = self._async[loop] = connection.register_script(NEXT_CALL)
        return await script(keys=[key], args=[ttl])

    def warn_once(self, what: str, message: str) -> None:
        if what not in self._warned:
            self._warned.add(what)
            log.warning(message)

    # -- the journal -----------------------------------------------------------------------------------

    def flush(self) -> None:
        """Ship every buffered journal entry of this process."""
        with self._flush_lock:
            pipe = self.client.pipeline(transaction=False)
            if any([share.journal.ship(pipe) for share in list(self._shares.values())]):
                try:
                    pipe.execute()
                except redis.RedisError as exc:
                    self.warn_once("journal", f"journal entries could not be written to {self.url}: {exc}")

    def flush_everywhere(self) -> None:
        """Flush here and ask every replica to flush; wait (bounded) until each has acknowledged."""
        self.flush()
        nonce = token_hex(8)
        receivers = self.client.publish(self.channel, f"flush {nonce}")
        deadline = time.monotonic() + BARRIER_SECONDS
        key = f"{NS}ack:{nonce}"
        while time.monotonic() < deadline:
            if int(self.client.get(key) or 0) >= receivers:
                return
            time.sleep(0.002)
        log.warning("journal read: not every replica acknowledged the flush within %.1f s", BARRIER_SECONDS)

    # -- background threads ----------------------------------------------------------------------------

    def start(self, root) -> None:
        self.root = root
        # A replica is live from the moment it starts, not from its beat thread's first turn (which a
        # loaded machine can delay past the first /__admin/health that should list it).
        try:
            self._beat()
        except (redis.RedisError, OSError) as exc:
            self.warn_once("beat", f"heartbeat to {self.url} failed: {exc}")
        for name, target in (("listen", self._listen), ("beat", self._beat_loop), ("flush", self._flush_loop),
                             ("adopt", self._adopt_loop)):
            thread = threading.Thread(target=target, name=f"mockserver-state-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        atexit.register(self.close)

    def _flush_loop(self) -> None:
        # On a fixed beat rather than per request: a batch then holds every request of the last FLUSH_EVERY
        # seconds (one Lua call), and a journal read never waits for it (it asks for a flush first).
        while not self._stop.wait(FLUSH_EVERY):
            self.flush()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None:
                        self._on_message(message["data"])
            except (redis.RedisError, OSError) as exc:
                self.warn_once("listen", f"lost the shared state's channel ({exc}); retrying")
                self._stop.wait(1.0)

    def _on_message(self, data: bytes) -> None:
        # Anyone with access to the Redis (another version of mockserver among them) can publish on the
        # channel: a message this process cannot read is logged and skipped, never the end of the listener
        # (which would leave flushes unacknowledged and deleted sessions alive here).
        try:
            self._handle(data.decode())
        except (ValueError, KeyError) as exc:
            self.warn_once("message", f"ignored a message on {self.channel} it cannot read: {exc!r}"[:300])

    def _handle(self, text: str) -> None:
        kind, _, rest = text.partition(" ")
        if kind == "flush":
            self.flush()
            key = f"{NS}ack:{rest}"
            pipe = self.client.pipeline(transaction=False)
            pipe.incr(key).expire(key, 10).execute()
        elif kind == "scenarios":
            scope, version, origin = rest.split(" ")
            share = self._shares.get(scope)
            if origin != self.replica_id and share is not None and int(version) != share.version:
                self._adopt_queue.put(share)
        elif kind == "drop":
            scope, origin = rest.split(" ")
            if origin != self.replica_id and scope.startswith("s.") and self.root is not None:
                self.root.sessions.drop(scope[2:], everywhere=False)

    def _adopt_loop(self) -> None:
        # The scenario checker compiles its schemas on first use (half a second); pay it now, not when the
        # first scenario arrives from another replica.
        read_scenario("name: warm-up\n", "<warm-up>")
        while not self._stop.is_set():
            try:
                share = self._adopt_queue.get(timeout=1.0)
            except queue.Empty:
                continue
            try:
                self.adopt(share)
            except ScenarioError as exc:
                log.error("scenarios of %s from the shared state do not load here:\n%s", share.scope, exc)
            except (ValueError, KeyError, TypeError) as exc:  # stored by something else than a mockserver
                log.error("scenarios of %s in the shared state cannot be read: %r", share.scope, exc)
            except (redis.RedisError, OSError) as exc:
                self.warn_once("adopt", f"could not read scenarios from the shared state: {exc}")

    def _beat_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._beat()
            except (redis.RedisError, OSError) as exc:
                self.warn_once("beat", f"heartbeat to {self.url} failed: {exc}")
            self._stop.wait(HEARTBEAT)

    def _beat(self) -> None:
        now = time.time()
        info = {"id": self.replica_id, "host": socket.gethostname(), "pid": os.getpid(), "started": self.started,
                "world": {"seed": self.settings.seed, "size": self.settings.size,
                          "clock": self.settings.clock.isoformat() if self.settings.clock else None},
                "sessions": 0}
        # A copy: sessions open and close in other threads meanwhile (iterating the dict itself could raise).
        shares = list(self._shares.values())
        info["sessions"] = sum(1 for share in shares if share.scope != "g")
        # The global scope is always in use: its scenario set must outlive GLOBAL_TTL without a change, or a
        # replica started later would publish its startup scenarios over the ones loaded at run time.
        touched, self._touched = self._touched | {"g"}, set()
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(f"{NS}replicas", {self.replica_id: now + REPLICA_TTL})
        pipe.set(f"{NS}replica:{self.replica_id}", orjson.dumps(info), px=int(REPLICA_TTL * 1000))
        pipe.zremrangebyscore(f"{NS}replicas", "-inf", now)
        for scope in touched:
            share = self._shares.get(scope)
            if share is not None:
                for key in (share.key, *share.journal.keys):
                    pipe.expire(key, share.ttl)
        for share in shares:
            pipe.hget(share.key, "version")
        versions = pipe.execute()[-len(shares):] if shares else []
        for share, version in zip(shares, versions):
            if version is not None and int(version) != share.version:
                self._adopt_queue.put(share)

    def replicas(self) -> list[dict]:
        ids = self.client.zrangebyscore(f"{NS}replicas", time.time(), "+inf")
        if not ids:
            return []
        found = self.client.mget([f"{NS}replica:{i.decode()}" for i in ids])
        return sorted((orjson.loads(item) for item in found if item is not None), key=lambda r: r["started"])

    def describe(self) -> dict:
        return {"backend": self.kind, "url": self.url, "replica": self.replica_id}

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        try:
            self.flush()
            pipe = self.client.pipeline(transaction=False)
            pipe.zrem(f"{NS}replicas", self.replica_id).delete(f"{NS}replica:{self.replica_id}").execute()
        except (redis.RedisError, OSError):
            pass
        for thread in self._threads:
            thread.join(timeout=2)
        self.client.close()
