"""The app on a port chosen by the test, so that it can be stopped and started again there.

``tests.support.tails.running_server`` always binds a fresh free port; a page that must
reconnect after a restart needs the same address both times. This builds the app from the
same pieces (settings, catalog store, metrics) and adds ``restart()``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

from tailgate.composition import create_app, load_store
from tailgate.metrics import Metrics
from tailgate.settings import Settings
from tests.support.tails import catalog_yaml


class RestartableServer:
    def __init__(self, catalog_path: Path) -> None:
        self.settings = Settings(catalog=str(catalog_path), auth="none", port=1, metrics_port=0)
        self.port = 0
        self.metrics = Metrics()
        self.runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def metric(self, name: str, **labels: str) -> float:
        value = self.metrics.registry.get_sample_value(name, labels)
        return 0.0 if value is None else value

    async def start(self) -> None:
        self.metrics = Metrics()
        store, catalog_text = load_store(self.settings, self.metrics)
        app = create_app(self.settings, store, self.metrics, catalog_text=catalog_text)
        runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        self.port = runner.addresses[0][1]
        self.runner = runner

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


@asynccontextmanager
async def restartable_server(
    tmp_path: Path, logs: dict[str, Path | str]
) -> AsyncIterator[RestartableServer]:
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text(catalog_yaml(logs))
    server = RestartableServer(catalog_path)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
