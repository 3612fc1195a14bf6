"""The sign-in settings: read once from the environment, checked before anything starts.

A mistake here would otherwise surface as a confusing provider error page, a cookie
the browser silently drops, or a sign-in that works only for the administrator.
Every problem is collected and reported together, each naming the variable to fix;
secrets never appear in the report or in ``repr``. Secrets may come from a file
(``*_FILE``), as container secrets are usually mounted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tailgate.errors import ConfigError
from tailgate.loopback import is_loopback
from tailgate.public_url import base_path, path_problems

#: The shortest session secret accepted; it keys the cookie encryption.
MIN_SECRET_LENGTH = 32

#: The provider sends the browser back here, below the public URL (and its path).
CALLBACK_PATH = "/auth/callback"

DEFAULT_SCOPES = ("openid", "profile", "email")
DEFAULT_GROUPS_CLAIM = "groups"
DEFAULT_SESSION_MAX_AGE = 8 * 3600
DEFAULT_SESSION_REFRESH = 300.0
#: What the terminal client asks for: a refresh token (offline_access) to stay signed in.
DEFAULT_CLI_SCOPES = ("openid", "profile", "email", "offline_access")


@dataclass(frozen=True, slots=True, kw_only=True)
class OidcSettings:
    """Everything sign-in with an OpenID Connect provider needs, already validated."""

    issuer: str
    """The provider's issuer URL, exactly as its ID tokens state it (``iss``)."""

    client_id: str
    """This application's client id at the provider; the audience of its ID tokens."""

    client_secret: str = field(repr=False)
    """The client secret, sent with HTTP Basic authentication to the token endpoint."""

    public_url: str
    """The URL users open tailgate at, without a trailing slash; the callback is below it,
    and so is every route when it has a path (``https://tools.example.com/logs``)."""

    session_secret: str = field(repr=False)
    """Keys the encrypted session and sign-in cookies; changing it signs everyone out."""

    scopes: tuple[str, ...] = DEFAULT_SCOPES
    """Scopes requested at sign-in; always includes ``openid``."""

    groups_claim: str = DEFAULT_GROUPS_CLAIM
    """Where groups are read from: a claim name or a dotted path (``realm_access.roles``)."""

    audience: str | None = None
    """The audience bearer access tokens must carry; unset, bearer tokens are refused."""

    session_max_age: int = DEFAULT_SESSION_MAX_AGE
    """Seconds a session lasts before the user signs in again."""

    session_refresh: float = DEFAULT_SESSION_REFRESH
    """Seconds between checks of a session with the provider (``--session-refresh``)."""

    default_allow: bool = True
    """Whether a log without an ``allow`` rule is visible to every signed-in user."""

    clock_skew: int = 60

    cli_client_id: str | None = None
    """The public client the terminal client (``tailgate login``) signs in as; unset, the
    server offers no terminal sign-in. Bearer tokens issued to it are audited ``via: cli``."""

    cli_scopes: tuple[str, ...] = DEFAULT_CLI_SCOPES
    """Scopes the terminal client requests; the provider must then issue access tokens
    for ``audience``."""
    """Seconds of clock difference tolerated when checking ``exp``, ``iat`` and ``nbf``."""

    @property
    def redirect_uri(self) -> str:
        return self.public_url + CALLBACK_PATH

    @property
    def post_logout_redirect_uri(self) -> str:
        return self.public_url + "/"

    @property
    def cookie_path(self) -> str:
        """The cookies go only to tailgate's own paths, below the public URL's path."""
        return base_path(self.public_url) or "/"

    @property
    def secure_cookies(self) -> bool:
        """Cookies are ``Secure`` except for a plain-http public URL on loopback."""
        parts = urlsplit(self.public_url)
        return not (parts.scheme == "http" and is_loopback(parts.hostname or ""))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OidcSettings:
        """Read ``TAILGATE_OIDC_*`` and friends; ``ConfigError`` lists every problem."""
        problems: list[str] = []

        def required(name: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                problems.append(f"{name} is required when TAILGATE_AUTH=oidc")
            return value

        def secret(name: str) -> str:
            value = _secret(env, name, problems)
            if value is None:
                problems.append(f"{name} (or {name}_FILE) is required when TAILGATE_AUTH=oidc")
                return ""
            return value

        issuer = required("TAILGATE_OIDC_ISSUER")
        if issuer:
            problems.extend(_url_problems("TAILGATE_OIDC_ISSUER", issuer))
        client_id = required("TAILGATE_OIDC_CLIENT_ID")
        client_secret = secret("TAILGATE_OIDC_CLIENT_SECRET")
        public_url = required("TAILGATE_PUBLIC_URL").rstrip("/")
        if public_url:
            problems.extend(_url_problems("TAILGATE_PUBLIC_URL", public_url))
        session_secret = secret("TAILGATE_SESSION_SECRET")
        if session_secret and len(session_secret) < MIN_SECRET_LENGTH:
            problems.append(
                f"TAILGATE_SESSION_SECRET must be at least {MIN_SECRET_LENGTH} characters "
                "(for example the output of `openssl rand -hex 32`)"
            )

        scopes = tuple(env.get("TAILGATE_OIDC_SCOPES", "").replace(",", " ").split())
        if not scopes:
            scopes = DEFAULT_SCOPES
        elif "openid" not in scopes:
            problems.append("TAILGATE_OIDC_SCOPES must include 'openid'")

        groups_claim = env.get("TAILGATE_OIDC_GROUPS_CLAIM", "").strip() or DEFAULT_GROUPS_CLAIM
        audience = env.get("TAILGATE_OIDC_AUDIENCE", "").strip() or None
        max_age = _positive_int(env, "TAILGATE_SESSION_MAX_AGE", DEFAULT_SESSION_MAX_AGE, problems)

        default = env.get("TAILGATE_ACCESS_DEFAULT", "allow").strip().lower() or "allow"
        if default not in ("allow", "deny"):
            problems.append(f"TAILGATE_ACCESS_DEFAULT must be 'allow' or 'deny', not {default!r}")

        cli_client_id = env.get("TAILGATE_CLI_CLIENT_ID", "").strip() or None
        cli_scopes = tuple(env.get("TAILGATE_CLI_SCOPES", "").replace(",", " ").split())
        if not cli_scopes:
            cli_scopes = DEFAULT_CLI_SCOPES
        elif "openid" not in cli_scopes:
            problems.append("TAILGATE_CLI_SCOPES must include 'openid'")
        if cli_client_id is not None:
            if audience is None:
                problems.append(
                    "TAILGATE_CLI_CLIENT_ID needs TAILGATE_OIDC_AUDIENCE: the terminal client "
                    "signs in with bearer access tokens, which are refused without an audience"
                )
            if cli_client_id == client_id:
                problems.append(
                    "TAILGATE_CLI_CLIENT_ID must be a public client of its own, not "
                    "TAILGATE_OIDC_CLIENT_ID (whose secret no terminal may hold)"
                )
        elif env.get("TAILGATE_CLI_SCOPES", "").strip():
            problems.append("TAILGATE_CLI_SCOPES is set but TAILGATE_CLI_CLIENT_ID is not")

        if problems:
            raise ConfigError(problems)
        return cls(
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            public_url=public_url,
            session_secret=session_secret,
            scopes=scopes,
            groups_claim=groups_claim,
            audience=audience,
            session_max_age=max_age,
            default_allow=default == "allow",
            cli_client_id=cli_client_id,
            cli_scopes=cli_scopes,
        )


def load_auth_settings(env: Mapping[str, str], mode: str | None = None) -> OidcSettings | None:
    """The sign-in settings for ``mode`` (else ``TAILGATE_AUTH``, ``none`` when unset).

    ``None`` for ``none``. OpenID Connect variables set while authentication is off are
    reported: they show the operator meant to turn sign-in on, and running open would be
    the wrong guess. The service passes the mode it settled on (flag, variable or its
    own default, ``oidc``).
    """
    if mode is None:
        mode = env.get("TAILGATE_AUTH", "none")
    mode = mode.strip().lower() or "none"
    if mode == "oidc":
        return OidcSettings.from_env(env)
    if mode != "none":
        raise ConfigError([f"TAILGATE_AUTH must be 'none' or 'oidc', not {mode!r}"])
    stray = sorted(
        name
        for name in env
        if name.startswith(("TAILGATE_OIDC_", "TAILGATE_CLI_")) and env[name].strip()
    )
    if stray:
        raise ConfigError(
            [f"{name} is set but TAILGATE_AUTH is 'none'; set TAILGATE_AUTH=oidc" for name in stray]
        )
    return None


def _secret(env: Mapping[str, str], name: str, problems: list[str]) -> str | None:
    direct = env.get(name, "")
    path = env.get(f"{name}_FILE", "").strip()
    if direct and path:
        problems.append(f"set {name} or {name}_FILE, not both")
        return direct
    if not path:
        return direct or None
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except OSError as e:
        problems.append(f"{name}_FILE: cannot read {path}: {e.strerror or e}")
        return ""
    if not value:
        problems.append(f"{name}_FILE: {path} is empty")
    return value


def _url_problems(name: str, url: str) -> list[str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"{name} must be an absolute http(s) URL, not {url!r}"]
    if parts.query or parts.fragment:
        return [f"{name} must not have a query or fragment: {url!r}"]
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        return [f"{name} must use https (plain http is accepted only on loopback): {url!r}"]
    return path_problems(name, url)


def _positive_int(env: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        problems.append(f"{name} must be a positive number of seconds, not {raw!r}")
        return default
    return value
