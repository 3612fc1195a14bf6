"""The session cookie: who the user is, until when, sealed so only tailgate can read it.

A session is the identity tailgate verified at sign-in and the time it ends; nothing
else. The ID token is not kept: logout names the client instead of sending
``id_token_hint``, and leaving tokens out keeps the cookie small (browsers cap a
cookie at 4 KB; an ID token alone is over 1 KB) and keeps no credential in the browser
that another service would accept. A session cannot be extended: when it ends, the
user signs in again (usually without typing anything, the provider remembers them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tailgate.auth.errors import SessionExpired, SessionInvalid, SessionTooLarge
from tailgate.auth.identity import Identity
from tailgate.auth.sealing import Sealer, Unsealable

#: Not ``_session``: the provider's own cookie has that name, and cookies ignore ports.
SESSION_COOKIE = "tailgate_session"

#: Sealed sessions longer than this are refused: with its attributes a cookie must stay
#: under the 4096 bytes browsers keep.
MAX_SEALED_BYTES = 3800

_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Session:
    identity: Identity
    issued_at: int
    expires_at: int


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

    def seal(self, identity: Identity) -> tuple[str, Session]:
        """A cookie value for a new session of ``identity``, and that session."""
        now = int(self._clock())
        session = Session(identity, issued_at=now, expires_at=now + self.max_age)
        payload: dict[str, Any] = {
            "v": _FORMAT,
            "sub": identity.subject,
            "iat": session.issued_at,
            "exp": session.expires_at,
        }
        # Short keys and absent empties: every byte counts against the 4 KB cap.
        for key, value in (("usr", identity.username), ("eml", identity.email)):
            if value:
                payload[key] = value
        if identity.name:
            payload["nam"] = identity.name
        if identity.groups:
            payload["grp"] = list(identity.groups)
        value = self._sealer.seal(json.dumps(payload, separators=(",", ":")).encode())
        if len(value) > MAX_SEALED_BYTES:
            raise SessionTooLarge(
                f"sealed session is {len(value)} bytes with {len(identity.groups)} groups"
            )
        return value, session

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
        name=_opt_str(payload.get("nam")),
        groups=tuple(groups),
    )
    return Session(identity, issued_at=int(payload["iat"]), expires_at=int(payload["exp"]))


def _str(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a string")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)
