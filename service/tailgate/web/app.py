"""The application factory and the lifetime of everything the app owns.

Each long-lived resource has one cleanup context: sign-in (the provider's discovery
task and HTTP client), the inotify hub, the catalog watcher, the shared followers, and
the open tails (closed with 1001 at shutdown). Cleanup runs in reverse order and only
for what started.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from ..auth.discovery import DEFAULT_BACKOFF
from ..auth.oidc import OidcAuth
from ..auth.settings import CALLBACK_PATH
from ..backoff import Backoff
from ..catalog.configmap_watch import ConfigMapCatalog
from ..catalog.file_watch import CatalogFileWatcher
from ..catalog.model import Catalog
from ..catalog.store import CatalogStore
from ..errors import CloseCode, ConfigError
from ..files.inotify import InotifyHub
from ..files.registry import FollowerRegistry
from ..k8s.config import KubeConnector
from ..metrics import CONTENT_TYPE_LATEST, Metrics
from ..pods.source import PodSources
from ..settings import Settings
from ..sources import SourceFactory
from . import pages, signin
from .context import SERVICES, Services
from .gate import allowed, recheck, send_refreshed_cookie, tail_allowed
from .refusals import refusal_response
from .security import security_middleware
from .sessions import SessionRegistry, TailSession
from .tail_ws import tail_ws

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    store: CatalogStore,
    metrics: Metrics,
    *,
    catalog_text: str | None = None,
    pod_sources: PodSources | None = None,
    auth_backoff: Backoff = DEFAULT_BACKOFF,
) -> web.Application:
    """The web app. ``catalog_text`` is the text ``store`` was loaded from, if from a file.

    ``pod_sources`` reaches Kubernetes; by default in-cluster or through the kubeconfig,
    connecting only when first needed. ``auth_backoff`` paces retries while the identity
    provider cannot be reached.
    """
    if settings.auth == "oidc" and settings.oidc is None:
        raise ConfigError(["--auth oidc: the sign-in settings (TAILGATE_OIDC_*) are missing"])
    pods = pod_sources or PodSources(
        KubeConnector(), metrics, max_backlog=settings.max_backlog, max_line=settings.max_line
    )
    app = web.Application(middlewares=[security_middleware(settings, refusal_response)])
    services = Services(
        settings=settings,
        metrics=metrics,
        catalog=store,
        sessions=SessionRegistry(
            max_tails=settings.max_tails, max_per_client=settings.max_tails_per_client
        ),
    )
    app[SERVICES] = services

    async def auth_ctx(app: web.Application) -> AsyncIterator[None]:
        if settings.oidc is None:
            yield
            return
        # Start-up does not wait for the provider: /readyz tells when it has answered.
        async with OidcAuth.running(settings.oidc, backoff=auth_backoff) as auth:
            services.auth = auth
            try:
                async with services.sessions.rechecking(
                    settings.oidc.session_refresh,
                    lambda principal: recheck(services, principal),
                    lambda tail, principal: tail_allowed(services, tail, principal),
                ):
                    yield
            finally:
                services.auth = None

    async def inotify_ctx(app: web.Application) -> AsyncIterator[None]:
        hub = InotifyHub(asyncio.get_running_loop())
        services.hub = hub if hub.available else None
        services.followers = FollowerRegistry(
            services.hub, metrics, max_line=settings.max_line, roots=settings.roots
        )
        services.sources = SourceFactory(services.followers, metrics, settings, pods, store)
        yield
        services.followers.close()
        hub.close()

    async def catalog_ctx(app: web.Application) -> AsyncIterator[None]:
        watcher = None
        if settings.catalog is not None and catalog_text is not None:
            watcher = CatalogFileWatcher(settings.catalog, store, services.hub)
            watcher.start(catalog_text)
        yield
        if watcher is not None:
            await watcher.aclose()

    async def kube_ctx(app: web.Application) -> AsyncIterator[None]:
        watcher = None
        ref = settings.configmap_ref
        try:
            if ref is not None:
                watcher = ConfigMapCatalog(pods.connector, store, *ref)
                await watcher.load()
                watcher.start()
            yield
        finally:
            if watcher is not None:
                await watcher.close()
            await pods.aclose()

    async def tails_ctx(app: web.Application) -> AsyncIterator[None]:
        def on_catalog_change(old: Catalog, new: Catalog) -> None:
            for log_id in sorted(old.changed_ids(new)):
                closed = services.sessions.close_log(
                    log_id, CloseCode.LOG_REMOVED, "the log was removed or changed in the catalog"
                )
                if closed:
                    log.info(
                        "closed tails of a changed log", extra={"log_id": log_id, "tails": closed}
                    )

            def withdrawn(tail: TailSession) -> bool:
                entry = new.get(tail.log_id)
                return entry is not None and not allowed(services, tail.principal, entry)

            closed = services.sessions.close_where(
                withdrawn, CloseCode.FORBIDDEN, "you may no longer tail this log"
            )
            if closed:
                log.info("closed tails whose access was withdrawn", extra={"tails": closed})

        store.subscribe(on_catalog_change)
        yield

    app.cleanup_ctx.extend([auth_ctx, inotify_ctx, kube_ctx, catalog_ctx, tails_ctx])

    async def on_shutdown(app: web.Application) -> None:
        services.shutting_down = True
        await services.sessions.close_all("server shutting down", settings.shutdown_grace)

    app.on_shutdown.append(on_shutdown)
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
    app.router.add_get(f"{base}/api/me", signin.me)
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


def create_metrics_app(metrics: Metrics) -> web.Application:
    app = web.Application()

    async def render(_request: web.Request) -> web.Response:
        body = metrics.render()
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    app.router.add_get("/metrics", render)
    return app
