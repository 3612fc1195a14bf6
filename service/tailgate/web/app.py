"""The web application factory: routes, middleware, and the tails' lifetime.

The app is handed its services complete (``tailgate.composition`` builds them) and,
with them, one cleanup context per long-lived resource they need running; those
start first and stop last. The app adds its own: the re-checks of open tails' sign-ins
(with sign-in on), and closing the tails of logs the catalog removed or withdrew. At
shutdown every tail closes with 1001. Cleanup runs in reverse order and only for what
started.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence

from aiohttp import web

from ..auth.settings import CALLBACK_PATH
from ..catalog.model import Catalog
from ..errors import CloseCode
from ..metrics import CONTENT_TYPE_LATEST, Metrics
from . import history_api, pages, signin
from .client_config import client_config
from .context import SERVICES, Services
from .gate import allowed, recheck, send_refreshed_cookie, tail_allowed
from .refusals import refusal_response
from .security import security_middleware
from .tail_session import TailSession
from .tail_ws import tail_ws

log = logging.getLogger(__name__)

#: A ``cleanup_ctx`` entry: starts a resource, yields while the app runs, stops it.
Lifetime = Callable[[web.Application], AsyncIterator[None]]


def create_web_app(services: Services, *, lifetimes: Sequence[Lifetime] = ()) -> web.Application:
    """The web app over ``services``, whose resources ``lifetimes`` start and stop."""
    settings = services.settings
    app = web.Application(middlewares=[security_middleware(settings, refusal_response)])
    app[SERVICES] = services
    app.cleanup_ctx.extend([*lifetimes, _rechecking, _closing_withdrawn_tails])
    app.on_shutdown.append(close_tails)
    app.on_response_prepare.append(send_refreshed_cookie)
    # Everything is below the public URL's path, as an ingress path rule without rewrite
    # passes it on; the probes are also at the root, where the kubelet asks.
    base = settings.base_path
    if base:
        app.router.add_get(base, pages.to_index)
    app.router.add_get(f"{base}/", pages.index)
    app.router.add_get(f"{base}/static/{{name}}", pages.static)
    app.router.add_get(f"{base}/api/logs", pages.api_logs)
    app.router.add_get(f"{base}/api/logs/{{id}}", pages.api_log)
    app.router.add_get(f"{base}/api/logs/{{id}}/search", history_api.search)
    app.router.add_get(f"{base}/api/logs/{{id}}/lines", history_api.lines)
    app.router.add_get(f"{base}/api/me", signin.me)
    app.router.add_get(f"{base}/api/client-config", client_config)
    if settings.oidc is not None:
        app.router.add_get(f"{base}/login", signin.login)
        app.router.add_get(f"{base}{CALLBACK_PATH}", signin.callback)
        app.router.add_get(f"{base}/logout", signin.logout_form)
        app.router.add_post(f"{base}/logout", signin.logout)
    for root in dict.fromkeys(("", base)):
        app.router.add_get(f"{root}/healthz", pages.healthz)
        app.router.add_get(f"{root}/readyz", pages.readyz)
    app.router.add_get(f"{base}/ws/tail/{{id}}", tail_ws)
    return app


def stop_admitting(app: web.Application) -> None:
    """From now on /readyz fails and new tails are refused with 503."""
    app[SERVICES].shutting_down = True


async def close_tails(app: web.Application) -> None:
    """Refuse new tails and close the open ones with 1001 (``on_shutdown``, and earlier
    from the server, while connections are still read)."""
    stop_admitting(app)
    services = app[SERVICES]
    await services.sessions.close_all("server shutting down", services.settings.shutdown_grace)


async def _rechecking(app: web.Application) -> AsyncIterator[None]:
    """With sign-in on, the sessions of open tails are checked with the provider."""
    services = app[SERVICES]
    oidc = services.settings.oidc
    if services.auth is None or oidc is None:
        yield
        return
    async with services.sessions.rechecking(
        oidc.session_refresh,
        lambda principal: recheck(services, principal),
        lambda tail, principal: tail_allowed(services, tail, principal),
    ):
        yield


async def _closing_withdrawn_tails(app: web.Application) -> AsyncIterator[None]:
    """A catalog change closes the tails of logs it removed, changed or no longer shows."""
    services = app[SERVICES]

    def on_catalog_change(old: Catalog, new: Catalog) -> None:
        for log_id in sorted(old.changed_ids(new)):
            closed = services.sessions.close_log(
                log_id, CloseCode.LOG_REMOVED, "the log was removed or changed in the catalog"
            )
            if closed:
                log.info("closed tails of a changed log", extra={"log_id": log_id, "tails": closed})

        def withdrawn(tail: TailSession) -> bool:
            entry = new.get(tail.log_id)
            return entry is not None and not allowed(services, tail.principal, entry)

        closed = services.sessions.close_where(
            withdrawn, CloseCode.FORBIDDEN, "you may no longer tail this log"
        )
        if closed:
            log.info("closed tails whose access was withdrawn", extra={"tails": closed})

    services.catalog.subscribe(on_catalog_change)
    yield


def create_metrics_app(metrics: Metrics) -> web.Application:
    app = web.Application()

    async def render(_request: web.Request) -> web.Response:
        body = metrics.render()
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    app.router.add_get("/metrics", render)
    return app
