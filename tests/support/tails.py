"""Test helpers: a real tailgate app on a free port, and a WebSocket tail client."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from tailgate.auth.discovery import DEFAULT_BACKOFF
from tailgate.auth.settings import OidcSettings
from tailgate.backoff import Backoff
from tailgate.composition import create_app, create_metrics_app, load_store
from tailgate.metrics import Metrics
from tailgate.settings import Settings

TIMEOUT = 5.0


def catalog_yaml(logs: dict[str, Path | str]) -> str:
    lines = ["logs:"]
    for log_id, path in logs.items():
        lines += [f"  - id: {log_id}", f"    file: {path}"]
    return "\n".join(lines) + "\n"


@dataclass
class RunningServer:
    base_url: str
    metrics_url: str
    app: web.Application
    metrics: Metrics
    settings: Settings
    catalog_path: Path
    session: aiohttp.ClientSession

    def ws_url(self, log_id: str, **query: Any) -> str:
        url = f"{self.base_url}/ws/tail/{log_id}"
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return url

    def metric(self, name: str, **labels: str) -> float:
        value = self.metrics.registry.get_sample_value(name, labels)
        return 0.0 if value is None else value

    async def tail(self, log_id: str, **query: Any) -> TailClient:
        ws = await self.session.ws_connect(self.ws_url(log_id, **query), autoping=True)
        return TailClient(ws)


def open_paths() -> set[str]:
    """Paths this process holds open (from /proc/self/fd)."""
    paths = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            paths.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
    return paths


async def wait_for(predicate: Any, timeout: float = TIMEOUT, interval: float = 0.002) -> None:
    """Wait until ``predicate()`` is true; polls only where no event exists to await."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


@dataclass
class TailClient:
    ws: aiohttp.ClientWebSocketResponse
    frames: list[dict[str, Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    cursor: str | None = None

    async def frame(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        msg = await asyncio.wait_for(self.ws.receive(), timeout)
        if msg.type is not aiohttp.WSMsgType.TEXT:
            raise AssertionError(
                f"expected a text frame, got {msg.type} {msg.data!r} {msg.extra!r}"
            )
        data: dict[str, Any] = json.loads(msg.data)
        self.frames.append(data)
        if data["type"] == "lines":
            self.lines.extend(data["lines"])
            # Context of another pod leads a frame without a cursor of its own.
            self.cursor = data.get("cursor", self.cursor)
        elif data["type"] == "skipped":
            self.cursor = data["cursor"]
        return data

    async def expect(self, kind: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next frame of type ``kind``; lines frames before it are collected."""
        while True:
            data = await self.frame(timeout)
            if data["type"] == kind:
                return data
            if data["type"] != "lines":
                raise AssertionError(f"expected {kind}, got {data}")

    async def read_lines(self, count: int, timeout: float = TIMEOUT) -> list[str]:
        """Wait until at least ``count`` lines have arrived in total; returns all lines."""
        while len(self.lines) < count:
            data = await self.frame(timeout)
            if data["type"] not in ("lines", "notice", "skipped"):
                raise AssertionError(f"unexpected frame while reading lines: {data}")
        return self.lines

    @property
    def skipped(self) -> int:
        """Lines a filter at the source left out, as its ``skipped`` frames counted them."""
        return sum(f["lines"] for f in self.frames if f["type"] == "skipped")

    async def read_counted(self, total: int, timeout: float = TIMEOUT) -> None:
        """Frames until the lines sent and the lines left out make ``total``."""
        while len(self.lines) + self.skipped < total:
            await self.frame(timeout)

    def notices(self) -> list[str]:
        return [f["event"] for f in self.frames if f["type"] == "notice"]

    async def send(self, data: Any) -> None:
        await self.ws.send_str(data if isinstance(data, str) else json.dumps(data))

    async def expect_close(self, code: int, timeout: float = TIMEOUT) -> str:
        """Read until the server closes; returns the close reason."""
        while True:
            msg = await asyncio.wait_for(self.ws.receive(), timeout)
            if msg.type is aiohttp.WSMsgType.TEXT:
                self.frames.append(json.loads(msg.data))
                continue
            if msg.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.CLOSING,
            ):
                assert self.ws.close_code == code, (self.ws.close_code, msg.extra, self.frames)
                return str(msg.extra or "")
            raise AssertionError(f"unexpected {msg.type}")

    async def close(self) -> None:
        await self.ws.close()


@asynccontextmanager
async def running_server(
    tmp_path: Path,
    logs: dict[str, Path | str] | str,
    *,
    auth: OidcSettings | None = None,
    auth_backoff: Backoff = DEFAULT_BACKOFF,
    **overrides: Any,
) -> AsyncIterator[RunningServer]:
    """The real app on 127.0.0.1, free ports, sign-in off; ``logs`` is a dict or YAML text.

    With ``auth``, sign-in is on and the app listens at the port of ``auth.public_url``
    (the provider's redirect URI names it), without an access log (it would record the
    callback's query, as the service's own runner does not).
    """
    catalog_path = tmp_path / "catalog.yaml"
    text = logs if isinstance(logs, str) else catalog_yaml(logs)
    catalog_path.write_text(text)
    settings = Settings(catalog=str(catalog_path), auth="none", port=1, metrics_port=0)
    port = 0
    runner_options: dict[str, Any] = {}
    if auth is not None:
        settings = replace(settings, auth="oidc", oidc=auth, public_url=auth.public_url)
        port = urlsplit(auth.public_url).port or 80
        runner_options["access_log"] = None
    settings = replace(settings, **overrides)
    metrics = Metrics()
    store, catalog_text = load_store(settings, metrics)
    app = create_app(settings, store, metrics, catalog_text=catalog_text, auth_backoff=auth_backoff)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=2.0, **runner_options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    port = runner.addresses[0][1]
    metrics_runner = web.AppRunner(create_metrics_app(metrics))
    await metrics_runner.setup()
    metrics_site = web.TCPSite(metrics_runner, "127.0.0.1", 0)
    await metrics_site.start()
    metrics_port = metrics_runner.addresses[0][1]
    session = aiohttp.ClientSession()
    try:
        yield RunningServer(
            base_url=f"http://127.0.0.1:{port}",
            metrics_url=f"http://127.0.0.1:{metrics_port}/metrics",
            app=app,
            metrics=metrics,
            settings=settings,
            catalog_path=catalog_path,
            session=session,
        )
    finally:
        await session.close()
        await runner.cleanup()
        await metrics_runner.cleanup()
