"""The composition root: every service built in one place and handed to the web app.

``create_app`` builds the catalog's consumers, the file followers and their inotify
hub, the Kubernetes sources, sign-in and the open-tail registry, then gives them to
the web layer complete. Each long-lived resource gets one cleanup context, which
starts it with the app and stops it with the app (in reverse order, and only if it
started): the followers and the hub, sign-in (discovery and refreshes), the Kubernetes
client with the ConfigMap catalog, and the catalog file's watcher. This is the one
module outside ``tailgate.web`` that imports it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from .auth.discovery import DEFAULT_BACKOFF
from .auth.oidc import OidcAuth
from .backoff import Backoff
from .catalog.configmap_watch import ConfigMapCatalog
from .catalog.discovery import WorkloadDiscovery
from .catalog.file_watch import CatalogFileWatcher, read_catalog_file
from .catalog.store import CatalogStore
from .counting import LogCounting
from .errors import ConfigError
from .files.inotify import InotifyHub
from .files.registry import FollowerRegistry
from .k8s.config import KubeConnector
from .metrics import Metrics
from .pods.source import PodSources
from .settings import Settings
from .sources import SourceFactory
from .web.app import Lifetime, close_tails, create_metrics_app, create_web_app, stop_admitting
from .web.connections import ConnectionCap, GuardedRunner
from .web.context import Services
from .web.sessions import SessionRegistry

__all__ = [
    "close_tails",
    "create_app",
    "create_metrics_app",
    "load_store",
    "make_runner",
    "stop_admitting",
]


def load_store(settings: Settings, metrics: Metrics) -> tuple[CatalogStore, str | None]:
    """The catalog store, loaded from the catalog file (errors raise ConfigError)."""
    store = CatalogStore(metrics, roots=settings.roots)
    text = None
    if settings.catalog is not None:
        text = read_catalog_file(settings.catalog)
        store.offer(text, settings.catalog)
    return store, text


def create_app(
    settings: Settings,
    store: CatalogStore,
    metrics: Metrics,
    *,
    catalog_text: str | None = None,
    pod_sources: PodSources | None = None,
    auth_backoff: Backoff = DEFAULT_BACKOFF,
) -> web.Application:
    """The app, built on the running loop that will serve it.

    ``catalog_text`` is the text ``store`` was loaded from, if from a file.
    ``pod_sources`` reaches Kubernetes; by default in-cluster or through the kubeconfig,
    connecting only when first needed. ``auth_backoff`` paces retries while the identity
    provider cannot be reached.
    """
    if settings.auth == "oidc" and settings.oidc is None:
        raise ConfigError(["--auth oidc: the sign-in settings (TAILGATE_OIDC_*) are missing"])
    pods = pod_sources or PodSources(
        KubeConnector(),
        metrics,
        max_backlog=settings.max_backlog,
        max_line=settings.max_line,
        max_streams=settings.max_pod_streams,
    )
    hub = InotifyHub(asyncio.get_running_loop())
    # Without inotify (not Linux, or out of instances) followers and the watcher poll;
    # the followers' hub tries again for an instance while they do.
    inotify = hub if hub.available else None
    followers = FollowerRegistry(hub, metrics, max_line=settings.max_line, roots=settings.roots)
    auth = None
    if settings.auth == "oidc" and settings.oidc is not None:
        refreshes = metrics.session_refreshes
        auth = OidcAuth.create(
            settings.oidc,
            backoff=auth_backoff,
            on_refresh=lambda result: refreshes.labels(result).inc(),
        )
    services = Services(
        settings=settings,
        metrics=metrics,
        catalog=store,
        sessions=SessionRegistry(
            max_tails=settings.max_tails, max_per_client=settings.max_tails_per_client
        ),
        sources=SourceFactory(followers, metrics, settings, pods, store),
        followers=followers,
        auth=auth,
    )
    lifetimes: list[Lifetime] = [_files(hub, followers)]
    if auth is not None:
        lifetimes.append(_sign_in(auth))
    lifetimes.append(_kubernetes(pods, store, settings.configmap_ref))
    if settings.catalog is not None and catalog_text is not None:
        lifetimes.append(_catalog_file(settings.catalog, catalog_text, store, inotify))
    counting = LogCounting(
        services.sources,
        store,
        metrics,
        max_logs=settings.max_counted_logs,
        max_patterns=settings.max_count_patterns,
    )
    lifetimes.append(_counting(counting))
    return create_web_app(services, lifetimes=lifetimes)


def _counting(counting: LogCounting) -> Lifetime:
    """The counted logs (``count:``), read from the start to the end of the app.

    After the sources it reads from start and before they stop (lifetimes stop in
    reverse order).
    """

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        await counting.start()
        try:
            yield
        finally:
            await counting.stop()

    return lifetime


def _files(hub: InotifyHub, followers: FollowerRegistry) -> Lifetime:
    """The shared followers, and the inotify hub that wakes them (made with the app)."""

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        yield
        followers.close()
        hub.close()

    return lifetime


def _sign_in(auth: OidcAuth) -> Lifetime:
    """The provider's discovery, key fetches and session refreshes, and its HTTP client."""

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        # Start-up does not wait for the provider: /readyz tells when it has answered.
        async with auth.serving():
            yield

    return lifetime


def _kubernetes(pods: PodSources, store: CatalogStore, ref: tuple[str, str] | None) -> Lifetime:
    """The Kubernetes client of the pod sources, the ConfigMap catalog if there is one,
    and the watches of the catalog's ``discover`` rules (none without rules)."""

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        watcher = None
        discovery = WorkloadDiscovery(pods.connector, store, pods.metrics)
        try:
            if ref is not None:
                watcher = ConfigMapCatalog(pods.connector, store, *ref)
                await watcher.load()
                watcher.start()
            await discovery.start()
            yield
        finally:
            await discovery.close()
            if watcher is not None:
                await watcher.close()
            await pods.aclose()

    return lifetime


def _catalog_file(path: str, text: str, store: CatalogStore, hub: InotifyHub | None) -> Lifetime:
    """The watcher that reloads the catalog file when it changes."""

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        watcher = CatalogFileWatcher(path, store, hub)
        watcher.start(text)
        yield
        await watcher.aclose()

    return lifetime


def make_runner(app: web.Application, settings: Settings, **options: Any) -> web.AppRunner:
    """The app's runner: handlers cancelled when their client goes, connections guarded.

    Slow or silent connections close after ``header_timeout`` (aiohttp's keep-alive
    timeout covers a new connection too); each client address may hold at most
    ``max_connections_per_client`` (see ``web.connections``).
    """
    limit = settings.max_connections_per_client
    cap = ConnectionCap(limit) if limit and not settings.trust_forwarded else None
    return GuardedRunner(
        app,
        cap=cap,
        handler_cancellation=True,
        shutdown_timeout=settings.shutdown_grace,
        keepalive_timeout=settings.header_timeout,
        **options,
    )
