"""SIGTERM: tails close with 1001, readiness fails, the process exits 0 within the grace period.

Also the service's own logs, which are what an operator reads after a shutdown:
one JSON object per line on stderr, with a record for each tail's start and end.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from tests.support.processes import ServiceProcess, free_ports, json_records, tailgate_process
from tests.support.tails import TIMEOUT, TailClient, catalog_yaml, wait_for

GRACE = 4.0


@asynccontextmanager
async def serving(
    tmp_path: Path, log: Path, *, grace: float = GRACE
) -> AsyncIterator[ServiceProcess]:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(catalog_yaml({"app": log}))
    port, metrics_port = free_ports(2)
    args = [
        "serve", "--auth", "none", "--catalog", str(catalog),
        "--port", str(port), "--metrics-port", str(metrics_port),
        "--shutdown-grace", str(grace),
    ]  # fmt: skip
    async with tailgate_process(tmp_path, args, port=port, metrics_port=metrics_port) as service:
        yield service


async def open_tail(service: ServiceProcess, log_id: str) -> TailClient:
    ws = await service.session.ws_connect(f"{service.base_url}/ws/tail/{log_id}")
    tail = TailClient(ws)
    await tail.expect("hello")
    return tail


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_stop_signal_closes_an_open_tail_with_1001_and_exits_0(
    tmp_path: Path, sig: signal.Signals
) -> None:
    log = tmp_path / "app.log"
    log.write_text("one\ntwo\n")
    async with serving(tmp_path, log) as service:
        tail = await open_tail(service, "app")
        assert await tail.read_lines(2) == ["one", "two"]
        service.signal(sig)
        reason = await tail.expect_close(1001)
        assert "shutting down" in reason
        assert await service.wait_exit(timeout=GRACE) == 0


async def close_frame(tail: TailClient) -> tuple[int, str]:
    """The code and reason of the server's Close frame, however the handshake then ended.

    aiohttp's client reports 1006 as its ``close_code`` when its reply cannot be sent
    any more, even though the server's frame said otherwise: read the frame itself.
    """
    while True:
        msg = await asyncio.wait_for(tail.ws.receive(), TIMEOUT)
        if msg.type is aiohttp.WSMsgType.TEXT:
            tail.frames.append(json.loads(msg.data))
            continue
        assert msg.type is aiohttp.WSMsgType.CLOSE, (msg.type, tail.frames)
        return msg.data, msg.extra


async def readyz_status(service: ServiceProcess) -> int | str:
    try:
        async with service.session.get(f"{service.base_url}/readyz") as response:
            return response.status
    except aiohttp.ClientConnectionError as exc:
        return type(exc).__name__


async def test_readyz_fails_once_shutdown_has_begun(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("one\n")
    async with serving(tmp_path, log) as service:
        # An open tail makes shutdown take long enough to look at readiness meanwhile.
        tail = await open_tail(service, "app")
        assert await readyz_status(service) == 200
        service.signal(signal.SIGTERM)
        await wait_for(lambda: service.has_message("shutting down"))
        assert await readyz_status(service) != 200
        code, reason = await close_frame(tail)
        assert (code, reason) == (1001, "server shutting down")
        assert await service.wait_exit(timeout=GRACE) == 0


async def test_a_client_that_never_answers_the_close_does_not_hold_the_exit(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    log.write_text("one\n")
    grace = 1.0
    async with serving(tmp_path, log, grace=grace) as service:
        port = int(service.base_url.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET /ws/tail/app HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        status_line = await asyncio.wait_for(reader.readline(), TIMEOUT)
        assert b" 101 " in status_line
        await wait_for(lambda: len(service.events("tail_started")) == 1)
        service.signal(signal.SIGTERM)
        # Never read, never answer. The bound: the grace period, the second the server
        # gives its cleanup past it, and a second for the interpreter to exit.
        assert await service.wait_exit(timeout=grace + 1 + 1) == 0
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_stderr_is_one_json_object_per_line_with_tail_records(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("one\ntwo\nthree\n")
    async with serving(tmp_path, log) as service:
        tail = await open_tail(service, "app")
        await tail.read_lines(3)
        await tail.close()
        await wait_for(lambda: len(service.events("tail_ended")) == 1)
        service.signal(signal.SIGTERM)
        assert await service.wait_exit(timeout=GRACE) == 0
        records = json_records(service.stderr())
    assert {"time", "level", "logger", "message"} <= set(records[0])
    (started,) = [r for r in records if r.get("event") == "tail_started"]
    (ended,) = [r for r in records if r.get("event") == "tail_ended"]
    assert started["log_id"] == ended["log_id"] == "app"
    assert started["client"] == ended["client"] == "127.0.0.1"
    assert isinstance(ended["duration_s"], float | int) and ended["duration_s"] >= 0
    assert ended["lines"] == 3
    assert ended["bytes"] > len("one\ntwo\nthree")
    assert ended["close_code"] == 1000


async def test_a_tail_closed_by_shutdown_is_recorded_as_ended(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("one\ntwo\n")
    async with serving(tmp_path, log) as service:
        tail = await open_tail(service, "app")
        await tail.read_lines(2)
        service.signal(signal.SIGTERM)
        await tail.expect_close(1001)
        assert await service.wait_exit(timeout=GRACE) == 0
        records = json_records(service.stderr())
    ended = [r for r in records if r.get("event") == "tail_ended"]
    assert len(ended) == 1, records
    assert ended[0]["log_id"] == "app"
    assert ended[0]["lines"] == 2
    assert ended[0]["close_code"] == 1001
