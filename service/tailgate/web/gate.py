"""Who is asking, and which logs they may tail: the one check every log route makes.

With sign-in on, a request speaks for a user through an ``Authorization: Bearer``
access token (scripts, CLIs) or, without that header, the session cookie (browsers). A
bearer header is never second-guessed with the cookie: a script that sends a bad token
is told so instead of being let in by a cookie it did not mean to use. With
``--auth none`` (loopback only) every request is the local user, who may tail
everything.

Failures are the ``AuthError`` subclasses of ``tailgate.auth.errors``; the security
middleware turns them into responses, the WebSocket handler into close codes.
"""

from __future__ import annotations

from aiohttp import web

from ..auth.access import Allow, may_tail
from ..auth.errors import ProviderUnavailable
from ..auth.oidc import OidcAuth
from ..catalog.model import Allow as CatalogAllow
from ..catalog.model import LogEntry
from .context import SERVICES, Services
from .principal import LOCAL, PRINCIPAL, Principal, session_key


def oidc_of(services: Services) -> OidcAuth | None:
    """The sign-in machinery, or ``None`` with ``--auth none``."""
    if services.settings.auth != "oidc":
        return None
    if services.auth is None:
        # Only between start-up and the auth cleanup context; nothing is served then.
        raise ProviderUnavailable("sign-in is still starting")
    return services.auth


async def principal_of(request: web.Request) -> Principal:
    """Whom ``request`` speaks for; an ``AuthError`` when nobody (valid) is signed in.

    The result is also kept on the request, for the audit record of a later refusal.
    """
    auth = oidc_of(request.app[SERVICES])
    if auth is None:
        principal = LOCAL
    elif (header := request.headers.get("Authorization")) is not None:
        token_session = await auth.session_from_bearer(header)
        principal = Principal(token_session.identity, "bearer", token_session.expires_at)
    else:
        cookie = request.cookies.get(auth.session_cookie.name)
        session = auth.session_from_cookie(cookie)
        assert cookie is not None  # session_from_cookie refuses a missing one
        principal = Principal(session.identity, "session", session.expires_at, session_key(cookie))
    request[PRINCIPAL] = principal
    return principal


def allowed(services: Services, principal: Principal, entry: LogEntry) -> bool:
    """Whether ``principal`` may see and tail ``entry``."""
    auth = oidc_of(services)
    if auth is None:
        return True
    if principal.identity is None:
        return False
    return may_tail(
        principal.identity, _policy(entry.allow), default_allow=auth.settings.default_allow
    )


def _policy(allow: CatalogAllow | None) -> Allow | None:
    if allow is None:
        return None
    return Allow(groups=frozenset(allow.groups), users=frozenset(allow.users))
