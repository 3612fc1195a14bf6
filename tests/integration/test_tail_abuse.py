"""A tail under a hostile or careless client: floods, odd frames, odd queries, and the start.

Floods come from a raw socket with a 4 KiB receive buffer that never reads, the way
an attacker keeps the server's answers piling up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from pathlib import Path

import pytest
from bench.rawws import RawWebSocket, client_frame

from tests.support.files import append_lines
from tests.support.processes import free_ports, tailgate_process
from tests.support.tails import RunningServer, TailClient, running_server, wait_for

ACTIVE = "tailgate_active_tails"
#: Bad messages a flooding client sends at most (about 35 MB); the server ends it long before.
LIMIT = 5_000_000


def app_log(tmp_path: Path) -> Path:
    log = tmp_path / "app.log"
    log.write_text("one\n")
    return log


async def open_tail(server: RunningServer, **query: object) -> TailClient:
    tail = await server.tail("app", **({"backlog": 0} | query))
    await tail.expect("hello")
    return tail


async def still_following(tail: TailClient, log: Path, line: str) -> None:
    append_lines(log, [line])
    lines = await tail.read_lines(len(tail.lines) + 1)
    assert lines[-1] == line


def tails_ended(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == "tail_ended"]


def rss() -> int:
    with open("/proc/self/status") as status:
        for row in status:
            if row.startswith("VmRSS:"):
                return int(row.split()[1]) * 1024
    raise AssertionError("no VmRSS")


# -- client frames ----------------------------------------------------------------------


async def test_a_deeply_nested_frame_gets_bad_message_and_the_tail_goes_on(tmp_path: Path) -> None:
    log = app_log(tmp_path)
    async with running_server(tmp_path, {"app": log}) as server:
        tail = await open_tail(server)
        await tail.send("[" * 2000 + "]" * 2000)
        error = await tail.expect("error")
        assert error["code"] == "bad_message"
        await still_following(tail, log, "still here")
        await tail.close()


@pytest.mark.parametrize("backlog", ["1_0", "\u0661\u0660", " 10", "+10", "10\n", "1e1"])
async def test_a_backlog_in_anything_but_ascii_digits_is_a_bad_backlog(
    tmp_path: Path, backlog: str
) -> None:
    log = tmp_path / "app.log"
    append_lines(log, [f"line {n}" for n in range(20)])
    async with running_server(tmp_path, {"app": log}, default_backlog=3) as server:
        ws = await server.session.ws_connect(
            f"{server.base_url}/ws/tail/app", params={"backlog": backlog}
        )
        tail = TailClient(ws)
        await tail.expect("hello")
        error = await tail.expect("error")
        assert error["code"] == "bad_backlog"
        assert await tail.read_lines(3) == ["line 17", "line 18", "line 19"]
        await tail.close()


# -- the start ----------------------------------------------------------------------------


def hello_then_line(port: int, log: Path, line: str) -> str:
    """Open a fresh tail, write ``line`` the instant its hello arrives, return what comes."""
    ws = RawWebSocket("127.0.0.1", port, "/ws/tail/app?backlog=0", f"http://127.0.0.1:{port}")
    try:
        assert '"hello"' in ws.read_text()
        with log.open("a") as out:
            out.write(line + "\n")
        return ws.read_text()
    finally:
        ws.send_close()
        ws.close()


async def test_a_line_written_right_after_the_hello_of_a_fresh_tail_always_arrives(
    tmp_path: Path,
) -> None:
    # A real process, so that the client's write races the server as a browser's would.
    log = app_log(tmp_path)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(f"logs:\n  - id: app\n    file: {log}\n")
    (port,) = free_ports(1)
    args = ["serve", "--catalog", str(catalog), "--auth", "none", "--port", str(port)]
    async with tailgate_process(tmp_path, [*args, "--metrics-port", "0"], port=port):
        for attempt in range(20):
            # Nobody else follows: each tail starts a new follower.
            frame = await asyncio.to_thread(hello_then_line, port, log, f"after hello {attempt}")
            assert json.loads(frame)["lines"] == [f"after hello {attempt}"], attempt


# -- floods -------------------------------------------------------------------------------


def connect(server: RunningServer, rcvbuf: int | None = None) -> RawWebSocket:
    """A raw client past its hello (blocking: run it in a thread)."""
    port = int(server.base_url.rsplit(":", 1)[1])
    path = "/ws/tail/app?backlog=0"
    ws = RawWebSocket("127.0.0.1", port, path, server.base_url, rcvbuf=rcvbuf)
    assert '"hello"' in ws.read_text()
    return ws


def flood(ws: RawWebSocket, frame: bytes, limit: int) -> int:
    """Send ``frame`` until the server drops us (or ``limit`` of them); how many went."""
    batch = frame * 1000
    sent = 0
    with contextlib.suppress(OSError):
        while sent < limit:
            ws.send_raw(batch)
            sent += 1000
    return sent


@pytest.mark.parametrize(
    "frame", [client_frame(0x1, b"x"), client_frame(0x2, b"\x00\x01")], ids=["text", "binary"]
)
async def test_a_client_flooding_bad_messages_without_reading_is_closed_with_1008(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, frame: bytes
) -> None:
    caplog.set_level(logging.INFO, logger="tailgate.audit")
    log = app_log(tmp_path)
    async with running_server(tmp_path, {"app": log}) as server:
        ws = await asyncio.to_thread(connect, server, rcvbuf=4096)
        before = rss()
        sent = await asyncio.to_thread(flood, ws, frame, LIMIT)
        await wait_for(lambda: tails_ended(caplog))
        grown = rss() - before
        ws.close()
        ended = tails_ended(caplog)
        assert [r.close_code for r in ended] == [1008], (sent, ended)  # type: ignore[attr-defined]
        assert "bad messages" in ended[0].reason  # type: ignore[attr-defined]
        assert sent < LIMIT  # the server dropped the connection
        assert grown < 32 * 1024 * 1024
        assert server.metric("tailgate_tails_closed_total", code="1008") == 1


async def test_a_client_that_reads_its_answers_may_make_an_occasional_mistake(
    tmp_path: Path,
) -> None:
    log = app_log(tmp_path)
    async with running_server(tmp_path, {"app": log}) as server:
        tail = await open_tail(server)
        for _ in range(100):
            await tail.send("x")
            assert (await tail.expect("error"))["code"] == "bad_message"
            await tail.send({"type": "resume"})
        await still_following(tail, log, "still here")
        await tail.close()
        await wait_for(lambda: server.metric("tailgate_tails_closed_total", code="client") == 1)


async def test_a_frame_over_the_size_limit_is_recorded_as_1009_not_as_the_client_closing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tailgate.audit")
    log = app_log(tmp_path)
    async with running_server(tmp_path, {"app": log}) as server:
        ws = await asyncio.to_thread(connect, server)
        big = client_frame(0x1, os.urandom(10 * 1024 * 1024))
        with_code = await asyncio.to_thread(_send_then_close_code, ws, big)
        await wait_for(lambda: server.metric(ACTIVE, log_id="app", kind="file") == 0)
        ws.close()
        assert with_code == 1009
        (ended,) = tails_ended(caplog)
        assert ended.close_code == 1009  # type: ignore[attr-defined]
        assert ended.reason == "message too big"  # type: ignore[attr-defined]


def _send_then_close_code(ws: RawWebSocket, data: bytes) -> int | None:
    with contextlib.suppress(OSError):
        ws.send_raw(data)
    return ws.close_code()


@pytest.mark.parametrize(
    "data",
    [b"\x80\x81abcdx", b"\x83\x81abcdx"],
    ids=["continuation-first", "reserved-opcode"],
)
async def test_a_frame_that_breaks_the_protocol_is_closed_with_1002_and_recorded_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, data: bytes
) -> None:
    caplog.set_level(logging.INFO, logger="tailgate.audit")
    log = app_log(tmp_path)
    async with running_server(tmp_path, {"app": log}) as server:
        ws = await asyncio.to_thread(connect, server)
        code = await asyncio.to_thread(_send_then_close_code, ws, data)
        await wait_for(lambda: tails_ended(caplog))
        ws.close()
        assert code == 1002
        (ended,) = tails_ended(caplog)
        assert ended.close_code == 1002  # type: ignore[attr-defined]
        assert ended.reason.startswith("protocol error")  # type: ignore[attr-defined]
