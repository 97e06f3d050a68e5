"""Typed, immutable settings, read once from CLI flags and the environment.

Nothing else in the package reads `os.environ`: the CLI (or a test) builds one `Settings` and hands it to
`create_app`. Environment variables give defaults that flags override; the names are the ones the
documents use where they name one (`ACTION_SECRET`).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mockserver import limits
from mockserver.resources import CHECKOUT_ROOT as PROJECT_ROOT  # noqa: F401 - re-exported for tests
from mockserver.resources import SPECS_DIR as DEFAULT_SPECS_DIR
from mockserver.search import BACKENDS, DEFAULT_BACKEND

AUTH_MODES = ("permissive", "strict")
ENTERPRISE_FORMATS = ("json", "xml")


class SettingsError(ValueError):
    """A setting has a value it cannot take; the message names the setting (the flag or env var it came from)."""


SEED_MIN = 0
"""The one seed rule: any integer from 0 up (flags, env, scenario files' `seed:` all use it)."""
SIZES = ("small", "default", "large")


def parse_clock(value: str | None, source: str = "--clock") -> datetime | None:
    """Parse an ISO 8601 instant (date or date-time); naive values are taken as UTC."""
    if value in (None, ""):
        return None
    try:
        text = value.strip().replace("Z", "+00:00")
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise SettingsError(f"{source}: {value!r} is not an ISO 8601 date or date-time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def parse_size(value: str | int, source: str = "--size") -> str | int:
    """A world size: small, default, large, or a number of courses."""
    if isinstance(value, int):
        if value < 1:
            raise SettingsError(f"{source}: {value} must be at least 1")
        return value
    text = str(value).strip().lower()
    if text in SIZES:
        return text
    try:
        return parse_size(int(text), source)
    except ValueError:
        raise SettingsError(f"{source}: {value!r} is not small, default, large or a number of courses") from None


def parse_seed(value: str | int, source: str = "--seed") -> int:
    """A world seed: an integer, at least SEED_MIN."""
    seed = _int(value, source)
    if seed < SEED_MIN:
        raise SettingsError(f"{source}: {seed} must be {SEED_MIN} or more")
    return seed


def parse_port(value: str | int, source: str = "--port") -> int:
    """A TCP port; 0 asks the system for a free one."""
    port = _int(value, source)
    if not 0 <= port < 65536:
        raise SettingsError(f"{source}: {port} is not a TCP port (0-65535)")
    return port


def _choice(choices: tuple[str, ...]):
    def parse(value: str, source: str) -> str:
        if value not in choices:
            raise SettingsError(f"{source}: {value!r}: expected one of {', '.join(choices)}")
        return value
    return parse


def _text(value: str, source: str) -> str:
    return value


def _int(value: str | int, source: str) -> int:
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise SettingsError(f"{source}: {value!r} is not an integer") from None


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know, fixed for the life of one app."""

    host: str = "127.0.0.1"
    """Interface to bind; loopback unless the user asks otherwise."""
    port: int = 8000
    seed: int = 1
    """Seed of the world: the same seed and clock give byte-identical responses."""
    clock: datetime | None = None
    """The world's "now"; None means the start of the current UTC day (`world.build_world` decides it)."""
    size: str | int = "default"
    action_secret: str = "your_secret"
    """BlendX `actionsecret` value (env ACTION_SECRET). The default is the document's own example value."""
    auth_mode: str = "permissive"
    """permissive: any well-formed, unexpired JWT passes; strict: only tokens this mock signed."""
    token_lifetime: int = 3600
    """Seconds an issued access token lives (`expires_in`)."""
    jwt_secret: str = "mockserver-local-signing-key-not-a-secret"
    """HMAC key the mock signs its tokens with (strict mode verifies it)."""
    clients: tuple[tuple[str, str], ...] = ()
    """OAuth clients (id, secret) accepted in strict mode; empty means any client."""
    enterprise_default_format: str = "json"
    """json (the real servers) or xml (the Enterprise document's claim)."""
    search_backend: str = DEFAULT_BACKEND
    """The engine edx-search runs on: elasticsearch or meilisearch (`mockserver.search`)."""
    specs_dir: Path = DEFAULT_SPECS_DIR
    scenarios: tuple[Path, ...] = ()
    watch: bool = False
    journal_size: int = 1000
    """How many requests the journal keeps for /__admin/requests (and at most `journal_bytes` of them)."""
    admin_token: str | None = dataclasses.field(default=None, repr=False)
    """Bearer token the admin API requires (env MOCKSERVER_ADMIN_TOKEN); never printed or logged."""
    allowed_hosts: tuple[str, ...] = ()
    """Host names the admin API accepts on a loopback bind, besides localhost, 127.0.0.1 and [::1]."""
    scenario_dirs: tuple[Path, ...] = ()
    """Where the admin API may load scenario files from; empty: the --scenario files' dirs and ./scenarios."""
    max_scenario_bytes: int = limits.SCENARIO_MAX_BYTES
    """Largest scenario file or admin request body."""
    max_header_bytes: int = limits.HEADER_MAX_BYTES
    """Largest total of request headers; more is answered 431."""
    cache_bytes: int = limits.CACHE_MAX_BYTES
    """Byte budget of the response cache (0 turns the cache off)."""
    journal_bytes: int = limits.JOURNAL_MAX_BYTES
    """Byte budget of the request journal."""
    state: str | None = None
    """Where workers and replicas share state (`redis://host:port/db`); None: in this process
    (`mockserver.shared_state`)."""
    session_ttl: float = 900.0
    """Seconds an idle session lives (`mockserver.sessions`)."""
    max_sessions: int = 64
    """How many sessions may live at once; past it a new session is refused with 429."""
    session_journal_size: int = 200
    """How many requests each session's journal keeps."""
    max_session_worlds: int = 8
    """How many sessions may hold a world of their own (records, seed, clock or size) at once."""

    def __post_init__(self) -> None:
        if self.auth_mode not in AUTH_MODES:
            raise SettingsError(f"auth mode {self.auth_mode!r}: expected one of {', '.join(AUTH_MODES)}")
        if self.enterprise_default_format not in ENTERPRISE_FORMATS:
            raise SettingsError(
                f"enterprise default format {self.enterprise_default_format!r}: expected one of {', '.join(ENTERPRISE_FORMATS)}"
            )
        if self.search_backend not in BACKENDS:
            raise SettingsError(f"search backend {self.search_backend!r}: expected one of {', '.join(BACKENDS)}")
        parse_port(self.port, "port")
        parse_seed(self.seed, "seed")
        if self.token_lifetime < 1:
            raise SettingsError(f"token lifetime {self.token_lifetime} must be a positive number of seconds")
        object.__setattr__(self, "size", parse_size(self.size, "size"))
        for name in ("max_scenario_bytes", "max_header_bytes", "cache_bytes", "journal_bytes", "journal_size"):
            if getattr(self, name) < 0:
                raise SettingsError(f"{name.replace('_', '-')}: {getattr(self, name)} must not be negative")
        if self.admin_token is not None and not self.admin_token.strip():
            raise SettingsError("--admin-token / MOCKSERVER_ADMIN_TOKEN: the token is empty")
        if self.session_ttl <= 0:
            raise SettingsError(f"--session-ttl: {self.session_ttl} must be a positive number of seconds")
        if not 0 <= self.max_sessions <= 10_000:
            raise SettingsError(f"--max-sessions: {self.max_sessions} must be between 0 and 10000")
        if self.max_session_worlds < 0:
            raise SettingsError(f"--max-session-worlds: {self.max_session_worlds} must not be negative")

    @property
    def loopback(self) -> bool:
        """Whether the server binds a loopback interface only (no one else on the network can reach it)."""
        return is_loopback(self.host)

    @property
    def admin_scenario_dirs(self) -> tuple[Path, ...]:
        """Resolved directories the admin API may load scenario files from (`scenario_dirs` or the default)."""
        dirs = self.scenario_dirs or (*(Path(p).parent for p in self.scenarios), Path("scenarios"))
        return tuple(dict.fromkeys(Path(d).resolve() for d in dirs))

    def replace(self, **changes) -> "Settings":
        """A copy with some fields changed (settings themselves never change)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Defaults from the environment, then explicit overrides (CLI flags); None overrides are ignored."""
        env = os.environ if environ is None else environ
        values: dict = {field: parse(env[name], name) for field, (name, parse) in ENVIRONMENT.items() if name in env}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def is_loopback(host: str) -> bool:
    """`localhost`, or an IPv4/IPv6 loopback address (`0.0.0.0` and names that resolve elsewhere are not)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


ENVIRONMENT = {
    "host": ("MOCKSERVER_HOST", _text),
    "port": ("MOCKSERVER_PORT", parse_port),
    "seed": ("MOCKSERVER_SEED", parse_seed),
    "clock": ("MOCKSERVER_CLOCK", parse_clock),
    "size": ("MOCKSERVER_SIZE", parse_size),
    "action_secret": ("ACTION_SECRET", _text),
    "auth_mode": ("MOCKSERVER_AUTH_MODE", _choice(AUTH_MODES)),
    "jwt_secret": ("MOCKSERVER_JWT_SECRET", _text),
    "admin_token": ("MOCKSERVER_ADMIN_TOKEN", _text),
    "state": ("MOCKSERVER_STATE", lambda value, source: value or None),  # empty: embedded state
    "search_backend": ("MOCKSERVER_SEARCH_BACKEND", _choice(BACKENDS)),
    "enterprise_default_format": ("MOCKSERVER_ENTERPRISE_FORMAT", _choice(ENTERPRISE_FORMATS)),
}
"""Settings field -> (environment variable, parser). An error in a value names the variable it came from."""

DEFAULTS = Settings()
"""The built-in defaults (help texts quote them)."""


def env_help(field: str, default=None) -> str:
    """`(default X; env NAME)` for a flag's help: the default and variable stated where they are defined."""
    shown = getattr(DEFAULTS, field) if default is None else default
    return f"(default {shown}; env {ENVIRONMENT[field][0]})"


def add_world_arguments(parser) -> None:
    """The flags that choose a world, shared by `serve` and `scenario check` (parsed by `settings_from_args`)."""
    parser.add_argument("--seed", metavar="N", help=f"seed of the world, an integer >= {SEED_MIN} {env_help('seed')}")
    parser.add_argument("--clock", metavar="ISO8601",
                        help="the world's 'now', an ISO 8601 date or date-time "
                             + env_help("clock", "the start of the current UTC day"))
    parser.add_argument("--size", metavar="SIZE",
                        help=f"{', '.join(SIZES)}, or a number of courses {env_help('size')}")


def settings_from_args(args) -> Settings:
    """The settings of a parsed command line: its flags over the environment over the defaults.

    Flags a subcommand does not have are simply absent from `args`.
    """
    def flag(name: str, parse=None):
        value = getattr(args, name, None)
        return parse(value, "--" + name.replace("_", "-")) if value is not None and parse else value

    def many(name: str):
        return tuple(getattr(args, name, None) or ()) or None

    return Settings.from_env(
        host=flag("host"), port=flag("port", parse_port), seed=flag("seed", parse_seed),
        clock=flag("clock", parse_clock), size=flag("size", parse_size),
        auth_mode=flag("auth_mode"), enterprise_default_format=flag("enterprise_format"),
        scenarios=many("scenario"), watch=flag("watch") or None,
        admin_token=flag("admin_token"), allowed_hosts=many("allowed_host"), scenario_dirs=many("scenario_dir"),
        max_scenario_bytes=flag("max_scenario_bytes"), max_header_bytes=flag("max_header_bytes"),
        cache_bytes=flag("cache_bytes"), journal_bytes=flag("journal_bytes"),
        search_backend=flag("search_backend"), state=flag("state"), session_ttl=flag("session_ttl"),
        max_sessions=flag("max_sessions"), max_session_worlds=flag("max_session_worlds"),
    )


__all__ = ["Settings", "SettingsError", "is_loopback", "parse_clock", "parse_size", "parse_seed", "parse_port",
           "settings_from_args", "add_world_arguments", "env_help"]
