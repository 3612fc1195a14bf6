"""Checks in front of every request: who is asking, from where, and with which headers.

With ``--auth none`` (loopback only), the Host header must name this machine, which
defeats DNS rebinding; browsers' WebSocket handshakes (and sign-out forms) must come
from an allowed Origin (Cross-Site WebSocket Hijacking, cross-site requests). Sign-in
refusals are handed to the app's answer for them. Every response carries a strict
Content-Security-Policy: no inline script, no third-party anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from ..auth.errors import AuthError
from ..settings import Settings, is_loopback

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def host_allowed(host_header: str | None, settings: Settings) -> bool:
    if host_header is None:
        return False
    hostname = urlsplit(f"//{host_header}").hostname or ""
    if settings.public_url and hostname == urlsplit(settings.public_url).hostname:
        return True
    if settings.auth == "none":
        return is_loopback(hostname)
    return True


def origin_allowed(origin: str | None, settings: Settings) -> bool:
    """Browsers always send Origin on WebSockets; other clients may leave it out."""
    if origin is None:
        return True
    parts = urlsplit(origin)
    if settings.public_url:
        public = urlsplit(settings.public_url)
        if (parts.scheme, parts.netloc) == (public.scheme, public.netloc):
            return True
    if settings.auth == "none":
        return parts.scheme in ("http", "https") and is_loopback(parts.hostname or "")
    return False


def client_address(request: web.Request, settings: Settings) -> str:
    if settings.trust_forwarded:
        # The trusted proxy appends the address it saw; anything before it came from
        # the client and proves nothing.
        forwarded = request.headers.get("X-Forwarded-For", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.remote or "unknown"


def security_middleware(
    settings: Settings, on_auth_error: Callable[[web.Request, AuthError], web.StreamResponse]
) -> Middleware:
    """Host check, sign-in refusals (answered by ``on_auth_error``), and security headers."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not host_allowed(request.headers.get("Host"), settings):
            return web.json_response(
                {"error": "host_not_allowed", "message": "this Host is not served here"},
                status=403,
            )
        try:
            response = await handler(request)
        except AuthError as exc:
            response = on_auth_error(request, exc)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            # Errors get the same headers as pages, and a JSON body like the API's.
            name = (exc.reason or "error").lower().replace(" ", "_")
            response = web.json_response({"error": name}, status=exc.status)
        if not response.prepared:
            response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return middleware
