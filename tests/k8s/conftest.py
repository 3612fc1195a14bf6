"""Fixtures: the fake API server (from tests/kube) and the real app wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tailgate.catalog.store import CatalogStore
from tailgate.composition import create_app
from tailgate.k8s.config import KubeConnector
from tailgate.metrics import Metrics
from tailgate.pods.source import PodSources
from tailgate.settings import Settings
from tests.kube import objects
from tests.kube.conftest import kube_api, kube_client  # noqa: F401
from tests.kube.fake_api import FakeKubeAPI
from tests.support.tails import TailClient

NS = "shop"


@dataclass
class KubeServer:
    base_url: str
    app: web.Application
    metrics: Metrics
    store: CatalogStore
    session: aiohttp.ClientSession
    pods: PodSources

    def metric(self, name: str, **labels: str) -> float:
        value = self.metrics.registry.get_sample_value(name, labels)
        return 0.0 if value is None else value

    async def tail(self, log_id: str, **query: Any) -> TailClient:
        url = f"{self.base_url}/ws/tail/{log_id}"
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        ws = await self.session.ws_connect(url)
        tail = TailClient(ws)
        await tail.expect("hello")
        return tail


@asynccontextmanager
async def kube_server(
    kube: FakeKubeAPI,
    tmp_path: Path,
    *,
    catalog: str | None = None,
    configmap: str | None = None,
    max_backlog: int = 1000,
    max_streams: int = 2000,
) -> AsyncIterator[KubeServer]:
    """The app on a free port; the catalog is YAML text (a file) or a ConfigMap NS/NAME."""
    metrics = Metrics()
    store = CatalogStore(metrics)
    text = None
    settings = Settings(auth="none", port=1, metrics_port=0, max_backlog=max_backlog)
    if catalog is not None:
        path = tmp_path / "catalog.yaml"
        path.write_text(catalog)
        store.offer(catalog, str(path))
        text = catalog
        settings = Settings(
            catalog=str(path), auth="none", port=1, metrics_port=0, max_backlog=max_backlog
        )
    else:
        settings = Settings(
            catalog_configmap=configmap,
            auth="none",
            port=1,
            metrics_port=0,
            max_backlog=max_backlog,
        )
    pods = PodSources(
        KubeConnector(host=kube.url),
        metrics,
        max_backlog=max_backlog,
        max_line=settings.max_line,
        max_streams=max_streams,
    )
    app = create_app(settings, store, metrics, catalog_text=text, pod_sources=pods)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=2.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        async with aiohttp.ClientSession() as session:
            yield KubeServer(f"http://127.0.0.1:{port}", app, metrics, store, session, pods)
    finally:
        await runner.cleanup()


def pod_catalog(**entries: str) -> str:
    """A catalog of YAML entry bodies by ID, e.g. web='pod: {namespace: shop, name: web}'."""
    lines = ["logs:"]
    for log_id, body in entries.items():
        lines += [f"  - id: {log_id}", f"    {body}"]
    return "\n".join(lines) + "\n"


async def until(kube: FakeKubeAPI, predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    await kube.wait_until(predicate, timeout=timeout)


__all__ = ["NS", "KubeServer", "kube_server", "objects", "pod_catalog", "until"]
