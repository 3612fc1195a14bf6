"""Sign-in routes: ``/login``, ``/auth/callback``, ``/logout`` and ``/api/me`` (docs/auth.md).

The OpenID Connect work happens in ``tailgate.auth``; these handlers move its values in
and out of cookies and redirects, count each sign-in and write the audit records. Every
redirect is built from the public URL, so tailgate may sit below a path behind a proxy;
where to go after signing in is a path below that one, or the page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from ..auth.errors import AuthError, ProviderUnavailable
from ..auth.flow import is_local_path
from ..auth.oidc import OidcAuth
from ..errors import CloseCode
from ..public_url import origin
from . import audit
from .context import SERVICES, Services
from .gate import principal_of
from .html_pages import error_page, logout_page
from .principal import Principal, session_key
from .security import client_address, origin_allowed


def _auth(services: Services) -> OidcAuth:
    auth = services.auth
    if auth is None:  # the routes are registered only with --auth oidc
        raise web.HTTPNotFound()
    return auth


def next_path(raw: str | None, base: str) -> str:
    """Where to go after signing in: ``raw`` if it is a path of this site below ``base``.

    Below means where a browser lands once it has resolved the dot segments (``..``,
    ``%2e%2e``), so ``/logs/../admin`` is refused with base ``/logs``. Anything else, a
    path elsewhere on the site or one a browser could read as another host, is the page.
    """
    if raw is not None and is_local_path(raw) and _lands_below(raw, base):
        return raw
    return base + "/"


def _lands_below(path: str, base: str) -> bool:
    if not base:
        return True
    landed: list[str] = []
    for segment in urlsplit(path).path.split("/")[1:]:
        dots = segment.lower().replace("%2e", ".")
        if dots == "..":
            if landed:
                landed.pop()
        elif dots != ".":
            landed.append(segment)
    resolved = "/" + "/".join(landed)
    return resolved == base or resolved.startswith(base + "/")


def _redirect(location: str, status: int = 303) -> web.Response:
    response = web.Response(status=status, headers={"Location": location})
    response.headers["Cache-Control"] = "no-store"
    return response


async def login(request: web.Request) -> web.Response:
    """Start signing in: remember where to come back to, go to the provider."""
    services = request.app[SERVICES]
    auth = _auth(services)
    try:
        await auth.confirm_provider()
        redirect = auth.begin_login(
            next_path(request.query.get("next"), services.settings.base_path)
        )
    except ProviderUnavailable as exc:
        services.metrics.auth_logins.labels(exc.code).inc()
        audit.refused(
            exc.code,
            client=client_address(request, services.settings),
            path=request.path,
            status=exc.status,
            detail=exc.detail,
        )
        return error_page(exc.status, "Sign-in unavailable", exc.message, retry=None)
    response = _redirect(redirect.url, status=302)
    response.set_cookie(auth.login_cookie.name, redirect.cookie, **auth.login_cookie.attributes())
    return response


async def callback(request: web.Request) -> web.Response:
    """The provider sends the browser back here with a code (or an error)."""
    services = request.app[SERVICES]
    auth = _auth(services)
    client = client_address(request, services.settings)
    # The first value of each parameter, as the checks expect one of each.
    query = {name: request.query[name] for name in request.query}
    try:
        signed = await auth.finish_login(query, request.cookies.get(auth.login_cookie.name))
    except AuthError as exc:
        services.metrics.auth_logins.labels(exc.code).inc()
        audit.refused(
            exc.code, client=client, path=request.path, status=exc.status, detail=exc.detail
        )
        title = "Sign-in unavailable" if isinstance(exc, ProviderUnavailable) else "Sign-in failed"
        response = error_page(
            exc.status, title, exc.message, retry=f"{auth.settings.public_url}/login"
        )
    else:
        services.metrics.auth_logins.labels("ok").inc()
        audit.signed_in(signed.identity, client=client, expires_at=signed.session.expires_at)
        back = next_path(signed.next_path, services.settings.base_path)
        response = _redirect(origin(auth.settings.public_url) + back)
        response.set_cookie(
            auth.session_cookie.name, signed.cookie, **auth.session_cookie.attributes()
        )
    # Used or refused, this sign-in is over either way.
    response.del_cookie(auth.login_cookie.name, path=auth.login_cookie.path)
    return response


async def logout_form(request: web.Request) -> web.Response:
    """Ask first: signing out is a POST, so no link or image elsewhere can do it."""
    services = request.app[SERVICES]
    auth = _auth(services)
    cookie = request.cookies.get(auth.session_cookie.name)
    try:
        user = (await principal_of(request)).user if cookie else None
    except AuthError:
        user = None
    return logout_page(
        user=user, token=auth.logout_token(cookie), end_session_url=auth.logout_url()
    )


async def logout(request: web.Request) -> web.Response:
    """Clear the session, close its tails, and sign out at the provider too."""
    services = request.app[SERVICES]
    auth = _auth(services)
    client = client_address(request, services.settings)
    cookie = request.cookies.get(auth.session_cookie.name)
    form = await request.post()
    token = form.get("csrf")
    problem = None
    if not origin_allowed(request.headers.get("Origin"), services.settings):
        problem = "the form was posted from another origin"
    elif not (isinstance(token, str) and auth.check_logout_token(token, cookie)):
        problem = "the form token is missing or not this session's"
    if problem is not None:
        services.metrics.auth_refusals.labels("csrf").inc()
        audit.refused("csrf", client=client, path=request.path, status=403, detail=problem)
        return error_page(
            403,
            "Sign-out not confirmed",
            "This sign-out request did not come from tailgate's own form. "
            "Open the sign-out page and confirm there.",
            retry=None,
        )
    principal = None
    closed = 0
    if cookie:
        try:
            # As sealed, not refreshed: signing out must not spend the refresh token.
            session = auth.session_from_cookie(cookie)
        except AuthError:
            session = None  # expired or unreadable: nothing of it to close
        if session is not None:
            key = session_key(session)
            principal = Principal(session.identity, "session", session.expires_at, key, session)
            closed = services.sessions.close_where(
                lambda tail: tail.principal.session_key == key,
                CloseCode.UNAUTHENTICATED,
                "signed out",
            )
            # Copies of the cookie elsewhere end at their next refresh, which the
            # provider refuses once the token is revoked.
            await auth.sign_out(session)
    audit.signed_out(principal, client=client, tails_closed=closed)
    response = _redirect(auth.logout_url())
    response.del_cookie(auth.session_cookie.name, path=auth.session_cookie.path)
    response.del_cookie(auth.login_cookie.name, path=auth.login_cookie.path)
    return response


async def me(request: web.Request) -> web.Response:
    """Who this request speaks for: ``{"user": ..., "groups": [...], ...}``, else 401."""
    services = request.app[SERVICES]
    principal = await principal_of(request)
    body: dict[str, Any] = {
        "user": principal.user,
        "groups": list(principal.groups),
        "auth": services.settings.auth,
        "via": principal.via,
    }
    identity = principal.identity
    if identity is not None:
        body.update(
            sub=identity.subject,
            name=identity.display_name,
            email=identity.email,
            expires_at=principal.expires_at,
        )
    auth = services.auth
    if auth is not None and principal.via == "session":
        # What the page needs to offer a sign-out button (a POST with this token).
        body["logout"] = {
            "url": f"{auth.settings.public_url}/logout",
            "csrf": auth.logout_token(request.cookies.get(auth.session_cookie.name)),
        }
    response = web.json_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response
