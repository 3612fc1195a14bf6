"""Who is asking, and which logs they may tail: the one check every log route makes.

With sign-in on, a request speaks for a user through an ``Authorization: Bearer``
access token (scripts, and the terminal client: ``via`` is ``cli`` when the token was
issued to the configured terminal client, else ``bearer``) or, without that header,
the session cookie (browsers). A bearer header is never second-guessed with the
cookie: a script that sends a bad token is told so instead of being let in by a
cookie it did not mean to use. With ``--auth none`` (loopback only) every request is
the local user, who may tail everything.

A cookie session is checked with the provider when due (``tailgate.auth.refresh``);
when that changes it, the new cookie goes back with the response. Open tails are
re-checked the same way by the tail registry (``recheck``), since a WebSocket cannot
set a cookie.

Failures are the ``AuthError`` subclasses of ``tailgate.auth.errors``; the security
middleware turns them into responses, the WebSocket handler into close codes.
"""

from __future__ import annotations

import logging
from http.cookies import SimpleCookie

from aiohttp import hdrs, web

from ..auth.access import may_tail
from ..auth.errors import AccessDenied
from ..catalog.model import LogEntry
from ..errors import UnknownLog
from .context import SERVICES, Services
from .principal import LOCAL, PRINCIPAL, Principal, session_key
from .tail_session import TailSession

log = logging.getLogger(__name__)

#: A refreshed session cookie to send with the response to this request.
REFRESHED_COOKIE = web.RequestKey("refreshed_cookie", str)


async def principal_of(request: web.Request) -> Principal:
    """Whom ``request`` speaks for; an ``AuthError`` when nobody (valid) is signed in.

    The result is also kept on the request, for the audit record of a later refusal.
    """
    auth = request.app[SERVICES].auth
    if auth is None:
        principal = LOCAL
    elif (header := request.headers.get("Authorization")) is not None:
        token_session, client = await auth.bearer(header)
        cli = auth.settings.cli_client_id
        via = "cli" if cli is not None and client == cli else "bearer"
        principal = Principal(token_session.identity, via, token_session.expires_at)
    else:
        session, refreshed = await auth.current_session(
            request.cookies.get(auth.session_cookie.name)
        )
        if refreshed is not None:
            request[REFRESHED_COOKIE] = refreshed
        principal = Principal(
            session.identity, "session", session.expires_at, session_key(session), session
        )
    request[PRINCIPAL] = principal
    return principal


async def send_refreshed_cookie(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: a session refreshed for this request goes back to the browser.

    Left out when the response sets or clears the session cookie itself (signing out).
    aiohttp has turned the response's cookies into headers by the time this runs, so
    the cookie is added as a header.
    """
    cookie = request.get(REFRESHED_COOKIE)
    auth = request.app[SERVICES].auth
    if cookie is None or auth is None:
        return
    spec = auth.session_cookie
    if spec.name in response.cookies:
        return
    jar: SimpleCookie = SimpleCookie()
    jar[spec.name] = cookie
    morsel = jar[spec.name]
    morsel["max-age"] = str(spec.max_age)
    morsel["path"] = spec.path
    morsel["samesite"] = spec.samesite
    morsel["httponly"] = spec.httponly
    morsel["secure"] = spec.secure
    response.headers.add(hdrs.SET_COOKIE, morsel.OutputString())


async def recheck(services: Services, principal: Principal) -> Principal:
    """``principal`` as this process now knows it, for the open tails it speaks for.

    Raises ``SessionRevoked`` when the session was refused, ``SessionUnconfirmed`` when
    the tails should be reopened to have it checked (they never spend its token).
    """
    auth = services.auth
    session = principal.session
    if auth is None or session is None:
        return principal
    checked = auth.confirmed_for_tail(session)
    if checked is session:
        return principal
    return Principal(
        checked.identity, "session", checked.expires_at, principal.session_key, checked
    )


def tail_allowed(services: Services, tail: TailSession, principal: Principal) -> bool:
    """Whether ``tail`` may go on for ``principal``.

    A log gone from the catalog is not this check's business: the catalog closes its
    tails with 4410.
    """
    entry = services.catalog.current.get(tail.log_id)
    return entry is None or allowed(services, principal, entry)


def allowed(services: Services, principal: Principal, entry: LogEntry) -> bool:
    """Whether ``principal`` may see and tail ``entry``."""
    auth = services.auth
    if auth is None:
        return True
    if principal.identity is None:
        return False
    return may_tail(principal.identity, entry.allow, default_allow=auth.settings.default_allow)


async def asked_log(request: web.Request) -> tuple[Principal, LogEntry]:
    """Who asks, and the log ``{id}`` they ask for: ``UnknownLog`` (404) when the catalog
    has no such ID, ``AccessDenied`` (403) when it is not for them."""
    services = request.app[SERVICES]
    principal = await principal_of(request)
    entry = services.catalog.current.get(request.match_info["id"])
    if entry is None:
        raise UnknownLog("there is no log with this ID")
    if not allowed(services, principal, entry):
        raise AccessDenied(f"{principal.user} may not see {entry.id}")
    return principal, entry
