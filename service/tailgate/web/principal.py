"""Whom a request or a tail speaks for: the signed-in user, how we know, and until when.

Kept apart from the checks that produce it (``gate``) so that the open-tail registry
can hold one without depending on the web app's services.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from aiohttp import web

from ..auth.identity import Identity
from ..auth.session import Session


@dataclass(frozen=True, slots=True)
class Principal:
    """Whom a request speaks for, how we know, and until when."""

    identity: Identity | None
    """``None`` with ``--auth none``: nobody signed in, and nobody needs to."""

    via: str
    """``session`` (cookie), ``cli`` (an access token of the terminal client, see
    ``OidcSettings.cli_client_id``), ``bearer`` (any other access token) or ``none``
    (sign-in off)."""

    expires_at: float | None = None
    """When the session or token ends (seconds since the epoch); tails close then."""

    session_key: str | None = None
    """Names the sign-in (its lineage, stable across refreshes) without revealing the
    cookie, so signing out can close that session's tails."""

    session: Session | None = None
    """The cookie session behind this principal, which open tails re-check with the provider."""

    @property
    def user(self) -> str | None:
        """The name audit records and ``/api/me`` show."""
        if self.identity is None:
            return None
        return self.identity.username or self.identity.email or self.identity.subject

    @property
    def groups(self) -> tuple[str, ...]:
        return () if self.identity is None else self.identity.groups


#: Every request with ``--auth none``.
LOCAL = Principal(identity=None, via="none")

PRINCIPAL = web.RequestKey("principal", Principal)


def session_key(session: Session) -> str:
    """A name for one sign-in that reveals nothing of its cookie (which is a credential)."""
    return hashlib.sha256(session.lineage.encode()).hexdigest()[:32]
