"""What a refused HTTP request gets back: JSON for the API, a redirect or a page for people.

Routes raise ``AuthError``; this module is the one place that decides the answer, counts
it and writes its audit record. The API answers ``401``/``403``/``503`` with
``{"error": code, "message": sentence}`` (and ``WWW-Authenticate: Bearer`` on 401, as
RFC 6750 asks). A page asked for without a valid session sends the browser to sign in
and comes back afterwards; other page refusals are a short HTML page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from ..auth.errors import AuthError, NotSignedIn, ProviderUnavailable
from . import audit
from .context import SERVICES
from .html_pages import error_page
from .principal import PRINCIPAL
from .security import client_address


def is_api(request: web.Request) -> bool:
    api = request.app[SERVICES].settings.base_path + "/api"
    return request.path == api or request.path.startswith(api + "/")


def login_url(public_url: str, next_path: str) -> str:
    """Where signing in starts; ``next_path`` is the path the browser asked for, base included."""
    return f"{public_url}/login?{urlencode({'next': next_path})}"


def refusal_response(request: web.Request, exc: AuthError) -> web.Response:
    services = request.app[SERVICES]
    settings = services.settings
    services.metrics.auth_refusals.labels(exc.code).inc()
    if not isinstance(exc, NotSignedIn) or is_api(request):
        # A first visit without a cookie is how signing in starts, not a refusal.
        audit.refused(
            exc.code,
            client=client_address(request, settings),
            path=request.path,
            principal=request.get(PRINCIPAL),
            status=exc.status,
            detail=exc.detail,
        )
    base = settings.public_url or ""
    if is_api(request):
        response = web.json_response({"error": exc.code, "message": exc.message}, status=exc.status)
        if exc.status == 401:
            bearer = "Authorization" in request.headers
            response.headers["WWW-Authenticate"] = (
                'Bearer realm="tailgate", error="invalid_token"'
                if bearer
                else 'Bearer realm="tailgate"'
            )
    elif exc.status == 401 and request.method in ("GET", "HEAD"):
        response = web.Response(status=302, headers={"Location": login_url(base, request.path_qs)})
    elif isinstance(exc, ProviderUnavailable):
        response = error_page(exc.status, "Sign-in unavailable", exc.message, retry=None)
    else:
        title = "Not allowed" if exc.status == 403 else "Please sign in"
        response = error_page(exc.status, title, exc.message, retry=f"{base}/login")
    response.headers["Cache-Control"] = "no-store"
    auth = services.auth
    if (
        auth is not None
        and exc.status == 401
        and "Authorization" not in request.headers
        and auth.session_cookie.name in request.cookies
    ):
        # An altered or expired cookie is of no further use; the next sign-in replaces it.
        response.del_cookie(auth.session_cookie.name, path=auth.session_cookie.path)
    return response
