"""Settings: typed, read once from flags and the environment, validated before start.

Flags win over environment variables, which win over defaults. Every problem is
reported at once, naming the flag and the variable, and nothing is read from the
environment anywhere else.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from .auth.settings import OidcSettings, load_auth_settings
from .errors import ConfigError
from .files.roots import FileRoots, forbidden
from .loopback import is_loopback
from .public_url import base_path, path_problems

CONFIGMAP_REF = re.compile(
    r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?"
)
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


@dataclass(frozen=True)
class Settings:
    catalog: str | None = None
    """Path of the catalog file (YAML)."""
    catalog_configmap: str | None = None
    """``NAMESPACE/NAME`` of a ConfigMap holding the catalog (instead of a file)."""
    host: str = "127.0.0.1"
    """Address the web server binds."""
    port: int = 8080
    """Port of the web server (UI, API, WebSockets)."""
    metrics_port: int = 9090
    """Port of the Prometheus metrics endpoint (0 turns it off)."""
    auth: str = "oidc"
    """``oidc`` (sign-in required) or ``none`` (no sign-in; loopback only)."""
    public_url: str | None = None
    """The URL people use to reach tailgate; its origin is the one WebSockets accept, and
    its path (``/logs``) the one every route is served below."""
    max_tails: int = 4096
    """Tails open at once on this server; more are refused with 4429."""
    max_tails_per_client: int = 64
    """Tails one client may hold open at once; more are refused with 4429."""
    default_backlog: int = 100
    """Lines of backlog when a client does not ask for a number."""
    max_backlog: int = 10000
    """The most lines of backlog a client may ask for."""
    max_line: int = 65536
    """Longer lines are split into pieces of this many characters."""
    header_timeout: float = 10.0
    """Seconds a connection has to send complete request headers; also how long an
    idle keep-alive connection stays open."""
    max_connections_per_client: int = 128
    """Connections one client address may hold open (0: no cap). Not applied with
    ``trust_forwarded``, where every connection comes from the proxy."""
    heartbeat: float = 25.0
    """Seconds between WebSocket pings (keeps proxies that drop idle connections at bay)."""
    shutdown_grace: float = 10.0
    """Seconds to finish closing tails on SIGTERM before exiting anyway."""
    trust_forwarded: bool = False
    """Take the client address from X-Forwarded-For (only behind a trusted proxy)."""
    log_level: str = "INFO"
    """Level of the service's own JSON logs."""
    file_roots: tuple[str, ...] = ()
    """Folders log files may be read from (``--file-root``, repeatable); empty: each
    file log's own folder. Files outside them are never read, whatever symlinks say."""
    search_max_matches: int = 1000
    """The most matches one search may ask for (``limit`` is capped there)."""
    search_max_mib: int = 4096
    """MiB one search or read-back may read (or inflate) before it ends with ``more``."""
    search_deadline: float = 10.0
    """Seconds one search or read-back may read before it ends with ``more``."""
    max_counted_logs: int = 100
    """Catalog entries with ``count`` whose lines are counted (the first by ID); the
    others are reported and not counted: each costs a source read all the time."""
    max_count_patterns: int = 10
    """``count`` patterns honoured per log (the first ones); more are reported."""
    max_pod_streams: int = 2000
    """Pod container logs followed at once, over every pod and pods log; each holds one
    API server stream. Past the cap, a pod's viewers are told and it waits for a slot."""
    session_refresh: float = 300.0
    """Seconds between checks of a signed-in session with the provider (groups, revocation)."""
    oidc: OidcSettings | None = field(default=None, repr=False)
    """Sign-in settings (``TAILGATE_OIDC_*`` and friends); set exactly when ``auth`` is oidc."""

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    @property
    def base_path(self) -> str:
        """The path of ``public_url`` (``/logs``), ``""`` without one: routes start with it."""
        return base_path(self.public_url)

    @property
    def roots(self) -> FileRoots:
        return FileRoots.of(self.file_roots)

    @property
    def configmap_ref(self) -> tuple[str, str] | None:
        """(namespace, name) of ``catalog_configmap``, once validated."""
        if self.catalog_configmap is None:
            return None
        namespace, _, name = self.catalog_configmap.partition("/")
        return namespace, name


#: setting name -> (flag, environment variable, parser)
_SOURCES: dict[str, tuple[str, str, str]] = {
    "catalog": ("--catalog", "TAILGATE_CATALOG", "str"),
    "catalog_configmap": ("--catalog-configmap", "TAILGATE_CATALOG_CONFIGMAP", "str"),
    "host": ("--host", "TAILGATE_HOST", "str"),
    "port": ("--port", "TAILGATE_PORT", "port"),
    "metrics_port": ("--metrics-port", "TAILGATE_METRICS_PORT", "port0"),
    "auth": ("--auth", "TAILGATE_AUTH", "str"),
    "public_url": ("--public-url", "TAILGATE_PUBLIC_URL", "str"),
    "max_tails": ("--max-tails", "TAILGATE_MAX_TAILS", "count"),
    "max_tails_per_client": ("--max-tails-per-client", "TAILGATE_MAX_TAILS_PER_CLIENT", "count"),
    "default_backlog": ("--default-backlog", "TAILGATE_DEFAULT_BACKLOG", "count0"),
    "max_backlog": ("--max-backlog", "TAILGATE_MAX_BACKLOG", "count0"),
    "max_line": ("--max-line", "TAILGATE_MAX_LINE", "count"),
    "header_timeout": ("--header-timeout", "TAILGATE_HEADER_TIMEOUT", "seconds"),
    "max_connections_per_client": (
        "--max-connections-per-client",
        "TAILGATE_MAX_CONNECTIONS_PER_CLIENT",
        "count0",
    ),
    "heartbeat": ("--heartbeat", "TAILGATE_HEARTBEAT", "seconds"),
    "shutdown_grace": ("--shutdown-grace", "TAILGATE_SHUTDOWN_GRACE", "seconds"),
    "trust_forwarded": ("--trust-forwarded", "TAILGATE_TRUST_FORWARDED", "bool"),
    "log_level": ("--log-level", "TAILGATE_LOG_LEVEL", "str"),
    "file_roots": ("--file-root", "TAILGATE_FILE_ROOTS", "paths"),
    "session_refresh": ("--session-refresh", "TAILGATE_SESSION_REFRESH", "seconds"),
    "search_max_matches": ("--search-max-matches", "TAILGATE_SEARCH_MAX_MATCHES", "count"),
    "max_counted_logs": ("--max-counted-logs", "TAILGATE_MAX_COUNTED_LOGS", "count0"),
    "max_count_patterns": ("--max-count-patterns", "TAILGATE_MAX_COUNT_PATTERNS", "count"),
    "max_pod_streams": ("--max-pod-streams", "TAILGATE_MAX_POD_STREAMS", "count"),
    "search_max_mib": ("--search-max-mib", "TAILGATE_SEARCH_MAX_MIB", "count"),
    "search_deadline": ("--search-deadline", "TAILGATE_SEARCH_DEADLINE", "seconds"),
}

AUTH_MODES = ("oidc", "none")


def flag_for(name: str) -> str:
    return _SOURCES[name][0]


def env_for(name: str) -> str:
    return _SOURCES[name][1]


def setting_names() -> list[str]:
    return list(_SOURCES)


def load_settings(flags: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Build settings from parsed flags (None = not given) and an environment mapping."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, (flag, var, kind) in _SOURCES.items():
        raw = flags.get(name)
        where = flag
        if raw is None and var in env:
            raw, where = env[var], var
        if raw is None:
            continue
        try:
            values[name] = _parse(kind, raw)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    settings = Settings(**values)
    problems.extend(_check(settings))
    if settings.auth in AUTH_MODES:
        try:
            settings = _with_sign_in(settings, env)
        except ConfigError as exc:
            if settings.auth == "oidc":
                problems.append(
                    "--auth oidc (the default) needs the sign-in settings below; to run "
                    "without sign-in on this machine only, use --auth none"
                )
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return settings


def _with_sign_in(settings: Settings, env: Mapping[str, str]) -> Settings:
    """``settings`` with its sign-in part, read from the environment (``ConfigError``)."""
    auth_env = dict(env)
    if settings.public_url is not None:
        # --public-url wins over TAILGATE_PUBLIC_URL here too.
        auth_env["TAILGATE_PUBLIC_URL"] = settings.public_url
    oidc = load_auth_settings(auth_env, mode=settings.auth)
    if oidc is None:
        return settings
    oidc = replace(oidc, session_refresh=settings.session_refresh)
    return replace(settings, oidc=oidc, public_url=oidc.public_url)


def _parse(kind: str, raw: Any) -> Any:
    if kind == "paths":
        return _paths(raw)
    if isinstance(raw, bool) or kind == "str":
        return raw if kind != "str" else str(raw)
    text = str(raw).strip()
    if kind == "bool":
        lowered = text.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"expected true or false, got {text!r}")
    if kind == "seconds":
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"expected a number of seconds, got {text!r}") from None
        if not 0 < value <= 86400:
            raise ValueError(f"expected seconds between 0 and 86400, got {text!r}")
        return value
    if not re.fullmatch(r"[0-9]{1,9}", text):
        # int() would also take 1_0, +10 and digits of other scripts.
        raise ValueError(f"expected a whole number, got {text!r}")
    number = int(text)
    low = {"port": 1, "port0": 0, "count": 1, "count0": 0}[kind]
    high = 65535 if kind.startswith("port") else 10_000_000
    if not low <= number <= high:
        raise ValueError(f"expected a number from {low} to {high}, got {number}")
    return number


def file_roots(flag: list[str] | None, env: Mapping[str, str]) -> FileRoots:
    """The file roots alone (for ``check-config``): the flag, else the variable."""
    flag_name, var, _ = _SOURCES["file_roots"]
    raw: Any = flag if flag else env.get(var)
    if raw is None:
        return FileRoots()
    try:
        return FileRoots.of(_paths(raw))
    except ValueError as exc:
        raise ConfigError([f"{flag_name if flag else var}: {exc}"]) from None


def _paths(raw: Any) -> tuple[str, ...]:
    """Folders from repeated flags (a list) or a colon-separated variable."""
    items = list(raw) if isinstance(raw, (list, tuple)) else str(raw).split(":")
    paths = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        if not item.startswith("/"):
            raise ValueError(f"expected absolute folder paths, got {item!r}")
        if forbidden(os.path.normpath(item)) or forbidden(os.path.realpath(item)):
            raise ValueError(f"{item!r} cannot be a file root: tailgate never reads there")
        paths.append(item)
    return tuple(paths)


def _check(s: Settings) -> list[str]:
    problems = []
    if s.auth not in AUTH_MODES:
        problems.append(
            f"--auth / TAILGATE_AUTH: unknown mode {s.auth!r} (choose {', '.join(AUTH_MODES)})"
        )
    elif s.auth == "none" and not s.loopback:
        problems.append(
            f"--auth none serves logs without sign-in, so it is allowed only on a loopback "
            f"address (127.0.0.1, ::1, localhost); --host is {s.host!r}"
        )
    if s.public_url is not None and s.auth != "oidc":
        # With oidc the sign-in settings check it, more strictly (https off loopback).
        parts = urlsplit(s.public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(
                f"--public-url / TAILGATE_PUBLIC_URL: expected an http(s) URL, got {s.public_url!r}"
            )
        elif parts.query or parts.fragment:
            problems.append(
                "--public-url / TAILGATE_PUBLIC_URL: must not have a query or fragment: "
                f"{s.public_url!r}"
            )
        else:
            problems.extend(path_problems("--public-url / TAILGATE_PUBLIC_URL", s.public_url))
    if s.catalog is not None and s.catalog_configmap is not None:
        problems.append(
            "--catalog and --catalog-configmap both given: choose one source for the catalog"
        )
    if s.catalog_configmap is not None and not CONFIGMAP_REF.fullmatch(s.catalog_configmap):
        problems.append(
            "--catalog-configmap / TAILGATE_CATALOG_CONFIGMAP: expected NAMESPACE/NAME, "
            f"got {s.catalog_configmap!r}"
        )
    if s.default_backlog > s.max_backlog:
        problems.append(
            f"--default-backlog ({s.default_backlog}) exceeds --max-backlog ({s.max_backlog})"
        )
    if s.metrics_port == s.port:
        problems.append(f"--metrics-port and --port are both {s.port}")
    if s.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        problems.append(f"--log-level: expected DEBUG, INFO, WARNING or ERROR, not {s.log_level!r}")
    return problems
