"""Running the service: two listeners, signals, and a bounded graceful shutdown.

SIGTERM or SIGINT makes /readyz fail, stops accepting connections, closes every tail
with 1001 and exits within the grace period. Handlers are cancelled when their
client goes away, so an abandoned tail never keeps reading.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import resource
import signal
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

from .composition import (
    close_tails,
    create_app,
    create_metrics_app,
    load_store,
    make_runner,
    stop_admitting,
)
from .metrics import Metrics
from .settings import Settings

log = logging.getLogger(__name__)


def raise_open_file_limit() -> None:
    """Every tail is a socket; allow as many descriptors as the hard limit permits."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def serve(settings: Settings, *, ready: asyncio.Event | None = None) -> None:
    raise_open_file_limit()
    metrics = Metrics()
    store, text = load_store(settings, metrics)
    app = create_app(settings, store, metrics, catalog_text=text)
    runner = make_runner(app, settings, access_log=None)
    await runner.setup()
    metrics_runner = None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        # Metrics first: whoever sees the app answer may scrape at once.
        if settings.metrics_port:
            metrics_runner = web.AppRunner(create_metrics_app(metrics), access_log=None)
            await metrics_runner.setup()
            await web.TCPSite(metrics_runner, settings.host, settings.metrics_port).start()
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
        log.info(
            "tailgate is serving",
            extra={
                "url": f"http://{_url_host(settings.host)}:{settings.port}/",
                "metrics": settings.metrics_port or None,
                "logs": len(store.current),
                "auth": settings.auth,
                "public_url": settings.public_url,
            },
        )
        # Everything built so far lives as long as the process: keep the collector
        # from walking it again and again, which shows up as latency spikes.
        gc.freeze()
        if ready is not None:
            ready.set()
        await stop.wait()
        log.info("shutting down")
        stop_admitting(app)
        # Stop accepting, then close every tail with 1001 while connections are still
        # read normally, so each close handshake completes (the runner's own shutdown
        # stops reading from connections first).
        await site.stop()
        await close_tails(app)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        try:
            await asyncio.wait_for(runner.cleanup(), settings.shutdown_grace + 1)
        except TimeoutError:
            log.warning("shutdown grace period ran out")
        if metrics_runner is not None:
            await metrics_runner.cleanup()


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run the service on uvloop, which cuts the event loop's own cost per frame."""
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
