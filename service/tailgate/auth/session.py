"""The session cookie: who the user is, until when, sealed so only tailgate can read it.

A session is the identity tailgate last verified with the provider, the time it ends,
and what it needs to ask the provider again: the refresh token, when it last asked
(``checked_at``), which tailgate process may spend the token (``owner``, see
``refresh``), and a random ``lineage`` that names the sign-in across refreshes (signing
out closes that lineage's tails). The refresh token is a credential only this client can
use (the provider wants the client secret with it), and it travels sealed. The ID and
access tokens are not kept: logout names the client instead of sending
``id_token_hint``, and leaving them out keeps the cookie small (browsers cap a cookie at
4 KB; an ID token alone is over 1 KB). A session cannot be extended past its maximum
age: then the user signs in again (usually without typing anything, the provider
remembers them).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tailgate.auth.errors import SessionExpired, SessionInvalid, SessionTooLarge
from tailgate.auth.identity import Identity
from tailgate.auth.sealing import Sealer, Unsealable

#: Not ``_session``: the provider's own cookie has that name, and cookies ignore ports.
SESSION_COOKIE = "tailgate_session"

#: Sealed sessions longer than this are refused: with its attributes a cookie must stay
#: under the 4096 bytes browsers keep.
MAX_SEALED_BYTES = 3800

_FORMAT = 2


@dataclass(frozen=True, slots=True)
class Session:
    identity: Identity
    issued_at: int
    expires_at: int
    refresh_token: str | None = field(default=None, repr=False)
    """What the provider gave to refresh this session; ``None`` if it gave nothing."""

    checked_at: int = 0
    """When the provider last confirmed the session (sign-in or refresh), epoch seconds."""

    owner: str = ""
    """The tailgate process that sealed the refresh token and may spend it first."""

    lineage: str = ""
    """Random, from sign-in on: the same across refreshes, another for each sign-in."""


@dataclass(frozen=True, slots=True)
class CookieSpec:
    """A cookie's name and the attributes it is set with."""

    name: str
    max_age: int
    secure: bool
    path: str = "/"
    httponly: bool = True
    samesite: str = "Lax"
    """``Lax``: the provider's redirect back to the callback is a top-level GET, which
    ``Strict`` would send without the sign-in cookie."""

    def attributes(self) -> dict[str, Any]:
        """Keyword arguments for aiohttp's ``set_cookie`` (``del_cookie`` takes ``path``)."""
        return {
            "max_age": self.max_age,
            "path": self.path,
            "secure": self.secure,
            "httponly": self.httponly,
            "samesite": self.samesite,
        }


class SessionCodec:
    """Turns sessions into cookie values and back, checking seal and age."""

    def __init__(
        self,
        secret: str,
        *,
        max_age: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sealer = Sealer(secret, "tailgate session v1")
        self.max_age = max_age
        self._clock = clock

    def seal(
        self, identity: Identity, *, refresh_token: str | None = None, owner: str = ""
    ) -> tuple[str, Session]:
        """A cookie value for a new session of ``identity``, and that session."""
        now = int(self._clock())
        session = Session(
            identity,
            issued_at=now,
            expires_at=now + self.max_age,
            refresh_token=refresh_token,
            checked_at=now,
            owner=owner,
            lineage=secrets.token_urlsafe(12),
        )
        return self.seal_session(session), session

    def seal_session(self, session: Session) -> str:
        """The cookie value of ``session`` (a new one, or one the provider refreshed)."""
        identity = session.identity
        payload: dict[str, Any] = {
            "v": _FORMAT,
            "sub": identity.subject,
            "iat": session.issued_at,
            "exp": session.expires_at,
            "chk": session.checked_at,
            "own": session.owner,
            "lin": session.lineage,
        }
        # Short keys and absent empties: every byte counts against the 4 KB cap.
        for key, value in (
            ("usr", identity.username),
            ("eml", identity.email),
            ("nam", identity.name),
            ("rt", session.refresh_token),
        ):
            if value:
                payload[key] = value
        if identity.email_verified:
            payload["ev"] = 1
        if identity.groups:
            payload["grp"] = list(identity.groups)
        value = self._sealer.seal(json.dumps(payload, separators=(",", ":")).encode())
        if len(value) > MAX_SEALED_BYTES:
            raise SessionTooLarge(
                f"sealed session is {len(value)} bytes with {len(identity.groups)} groups"
            )
        return value

    def open(self, value: str) -> Session:
        """The session in a cookie value; ``SessionInvalid`` or ``SessionExpired`` if none."""
        try:
            payload = json.loads(self._sealer.open(value))
        except (Unsealable, ValueError) as e:
            raise SessionInvalid(f"session cookie refused: {e}") from e
        try:
            session = _session_from(payload)
        except (KeyError, TypeError, ValueError) as e:
            raise SessionInvalid("session cookie has an unknown layout") from e
        if self._clock() >= session.expires_at:
            raise SessionExpired()
        return session


def _session_from(payload: Any) -> Session:
    if not isinstance(payload, dict) or payload.get("v") != _FORMAT:
        raise ValueError("unknown session format")
    groups = payload.get("grp", [])
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise ValueError("bad groups")
    identity = Identity(
        subject=_str(payload["sub"]),
        username=_opt_str(payload.get("usr")),
        email=_opt_str(payload.get("eml")),
        email_verified=payload.get("ev") == 1,
        name=_opt_str(payload.get("nam")),
        groups=tuple(groups),
    )
    return Session(
        identity,
        issued_at=int(payload["iat"]),
        expires_at=int(payload["exp"]),
        refresh_token=_opt_str(payload.get("rt")),
        checked_at=int(payload["chk"]),
        owner=str(payload["own"]),
        lineage=_str(payload["lin"]),
    )


def _str(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a string")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)
