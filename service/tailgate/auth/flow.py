"""The authorization code flow, step by step, with nothing stored on the server.

Signing in is two requests from the browser: one that sends it to the provider, and
the provider's redirect back with a code. What the second must check (the ``state``
that ties it to the first, the PKCE verifier that proves the code was asked for by
us, the ``nonce`` the ID token must repeat) is created by the first and travels in a
short-lived sealed cookie, so any replica can finish a sign-in another one started.
Each sealed sign-in is good for one callback: this process remembers the states it has
completed until they expire, and the provider refuses a code used twice anyway.

The functions take and return plain values; the web layer sets and clears the cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from tailgate.auth.discovery import ProviderMetadata
from tailgate.auth.errors import (
    CodeExchangeFailed,
    IssuerMismatch,
    LoginReplayed,
    LoginStateInvalid,
    ProviderRefused,
)
from tailgate.auth.oauth_client import OAuthError, oauth_client
from tailgate.auth.sealing import Sealer, Unsealable
from tailgate.auth.settings import OidcSettings

#: Not ``_interaction*``: the provider uses those names, and cookies ignore ports.
LOGIN_COOKIE = "tailgate_login"

#: Seconds a user has to finish signing in at the provider.
LOGIN_MAX_AGE = 600

#: Completed sign-ins remembered at most, against replay of a callback.
REMEMBERED_LOGINS = 10_000


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """A sign-in that went to the provider and has not come back yet."""

    state: str
    nonce: str
    code_verifier: str
    next_path: str
    expires_at: int


def is_local_path(path: str) -> bool:
    """Whether ``path`` is a path on this site, safe to redirect to after sign-in.

    Refuses everything a browser could read as another host: ``//evil``, ``/\\evil``
    (browsers treat a backslash as a slash), schemes, and control characters.
    """
    if not path.startswith("/") or path.startswith(("//", "/\\")):
        return False
    if "\\" in path or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of ``verifier`` (RFC 7636 section 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(metadata: ProviderMetadata, settings: OidcSettings, login: PendingLogin) -> str:
    """Where to send the browser to sign in."""
    params = {
        "response_type": "code",
        "client_id": settings.client_id,
        "redirect_uri": settings.redirect_uri,
        "scope": " ".join(settings.scopes),
        "state": login.state,
        "nonce": login.nonce,
        "code_challenge": pkce_challenge(login.code_verifier),
        "code_challenge_method": "S256",
    }
    return _with_query(metadata.authorization_endpoint, params)


def end_session_url(metadata: ProviderMetadata, settings: OidcSettings) -> str | None:
    """Where to send the browser to sign out at the provider too; ``None`` if it cannot.

    RP-Initiated Logout 1.0 accepts ``client_id`` in place of ``id_token_hint``, which
    is why the session does not have to carry the ID token.
    """
    if metadata.end_session_endpoint is None:
        return None
    params = {
        "client_id": settings.client_id,
        "post_logout_redirect_uri": settings.post_logout_redirect_uri,
    }
    return _with_query(metadata.end_session_endpoint, params)


def _with_query(url: str, params: Mapping[str, str]) -> str:
    return url + ("&" if urlsplit(url).query else "?") + urlencode(params)


class LoginStates:
    """Seals pending sign-ins into the sign-in cookie and takes each back once."""

    def __init__(
        self,
        secret: str,
        *,
        max_age: int = LOGIN_MAX_AGE,
        clock: Callable[[], float] = time.time,
        remember: int = REMEMBERED_LOGINS,
    ) -> None:
        self._sealer = Sealer(secret, "tailgate sign-in v1")
        self.max_age = max_age
        self._clock = clock
        self._remember = remember
        self._completed: OrderedDict[str, int] = OrderedDict()

    @property
    def remembered(self) -> int:
        """How many completed sign-ins are remembered against replay."""
        return len(self._completed)

    def begin(self, next_path: str = "/") -> tuple[PendingLogin, str]:
        """A new pending sign-in, and its sealed cookie value."""
        login = PendingLogin(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            code_verifier=secrets.token_urlsafe(48),
            next_path=next_path if is_local_path(next_path) else "/",
            expires_at=int(self._clock()) + self.max_age,
        )
        payload = json.dumps(asdict(login), separators=(",", ":")).encode()
        return login, self._sealer.seal(payload)

    def complete(self, cookie: str | None, state: str | None) -> PendingLogin:
        """The pending sign-in a callback finishes; refused if stale, foreign or used."""
        if not cookie:
            raise LoginStateInvalid("no sign-in cookie")
        if not state:
            raise LoginStateInvalid("the callback has no state")
        try:
            login = _login_from(json.loads(self._sealer.open(cookie)))
        except (Unsealable, ValueError, KeyError, TypeError) as e:
            raise LoginStateInvalid(f"sign-in cookie refused: {e}") from e
        now = int(self._clock())
        if now >= login.expires_at:
            raise LoginStateInvalid("the sign-in cookie has expired")
        if not hmac.compare_digest(login.state.encode(), state.encode()):
            raise LoginStateInvalid("the state does not match the sign-in cookie")
        self._forget_expired(now)
        if login.state in self._completed:
            raise LoginReplayed()
        self._completed[login.state] = login.expires_at
        while len(self._completed) > self._remember:
            self._completed.popitem(last=False)
        return login

    def _forget_expired(self, now: int) -> None:
        while self._completed:
            state, expires_at = next(iter(self._completed.items()))
            if expires_at > now:
                break
            del self._completed[state]


def _login_from(payload: Any) -> PendingLogin:
    if not isinstance(payload, dict):
        raise ValueError("not an object")
    fields = {name: payload[name] for name in ("state", "nonce", "code_verifier", "next_path")}
    if not all(isinstance(v, str) and v for v in fields.values()):
        raise ValueError("bad field")
    return PendingLogin(**fields, expires_at=int(payload["expires_at"]))


def check_callback(query: Mapping[str, str], metadata: ProviderMetadata) -> str:
    """The code in a callback whose state already matched; refuses errors and other issuers.

    RFC 9207: a provider that announces ``iss`` in its responses must send it, and it
    must be our issuer; this defeats mix-up attacks between providers.
    """
    iss = query.get("iss")
    if iss is not None and iss != metadata.issuer:
        raise IssuerMismatch(f"the callback names issuer {iss!r}")
    if iss is None and metadata.iss_parameter_supported:
        raise IssuerMismatch("the callback has no 'iss' though the provider sends one")
    error = query.get("error")
    if error:
        raise ProviderRefused(error, query.get("error_description"))
    code = query.get("code")
    if not code:
        raise LoginStateInvalid("the callback has no code")
    return code


async def exchange_code(
    metadata: ProviderMetadata,
    settings: OidcSettings,
    *,
    code: str,
    code_verifier: str,
    request_timeout: float = 10.0,
) -> dict[str, Any]:
    """Trade the code and PKCE verifier for tokens at the token endpoint."""
    client = oauth_client(settings, timeout=request_timeout)
    try:
        async with client:
            token = await client.fetch_token(
                metadata.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
            )
    except OAuthError as e:
        raise CodeExchangeFailed(f"the token endpoint refused the code: {e.error}") from e
    except (httpx.HTTPError, ValueError) as e:
        raise CodeExchangeFailed(f"the token endpoint failed: {type(e).__name__}") from e
    if not isinstance(token.get("id_token"), str):
        raise CodeExchangeFailed("the token response has no ID token (is 'openid' requested?)")
    return dict(token)
