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
from ..errors import BadRequest, HostNotAllowed, Refusal
from ..loopback import is_loopback
from ..settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)

#: Headers every answer carries, the server's own error answers included.
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_security_headers(response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def _hostname(authority: str, what: str) -> str:
    """The host part of ``host[:port]`` (``[v6]:port`` too), or BadRequest."""
    if not authority or any(c.isspace() or not c.isprintable() for c in authority):
        raise BadRequest(f"malformed {what}")
    try:
        parts = urlsplit(f"//{authority}")
        parts.port  # noqa: B018 - checks the port
    except ValueError:
        raise BadRequest(f"malformed {what}") from None
    if parts.username is not None or parts.path or parts.query or parts.fragment:
        raise BadRequest(f"malformed {what}")
    return parts.hostname or ""


def host_allowed(host_header: str | None, settings: Settings) -> bool:
    """Whether this server answers to ``Host``; BadRequest when it is malformed."""
    if host_header is None:
        return False
    hostname = _hostname(host_header, "Host header")
    if settings.public_url and hostname == urlsplit(settings.public_url).hostname:
        return True
    if settings.auth == "none":
        return is_loopback(hostname)
    return True


def origin_allowed(origin: str | None, settings: Settings) -> bool:
    """Browsers always send Origin on WebSockets; other clients may leave it out."""
    if origin is None:
        return True
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018 - checks the port
    except ValueError:
        raise BadRequest("malformed Origin header") from None
    if origin != "null" and parts.netloc:
        _hostname(parts.netloc, "Origin header")
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
        try:
            if not host_allowed(request.headers.get("Host"), settings):
                raise HostNotAllowed()
            response = await handler(request)
        except AuthError as exc:
            response = on_auth_error(request, exc)
        except Refusal as exc:
            response = web.json_response(
                {"error": exc.code, "message": exc.message}, status=exc.status
            )
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            # Errors get the same headers as pages, and a JSON body like the API's.
            name = (exc.reason or "error").lower().replace(" ", "_")
            message = exc.text if exc.text and exc.text != f"{exc.status}: {exc.reason}" else None
            response = web.json_response(
                {"error": name, "message": message or exc.reason or name}, status=exc.status
            )
        if not response.prepared:
            add_security_headers(response)
        return response

    return middleware
