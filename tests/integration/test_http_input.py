"""Bad HTTP input and idle connections, on the runner ``tailgate serve`` uses.

Requests go over raw sockets (in a thread, since the server runs in this loop), so
the bytes on the wire are exactly what an attacker would send.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tailgate.composition import create_app, load_store, make_runner
from tailgate.metrics import Metrics
from tailgate.settings import Settings
from tests.support.processes import free_ports, tailgate_process
from tests.support.tails import TailClient, catalog_yaml

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")


@asynccontextmanager
async def serving(tmp_path: Path, **overrides: Any) -> AsyncIterator[int]:
    """The app on the runner ``tailgate serve`` builds, on a free port; yields the port."""
    log = tmp_path / "app.log"
    log.write_text("one\n")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(catalog_yaml({"app": log}))
    settings = Settings(catalog=str(catalog), auth="none", port=1, metrics_port=0)
    settings = replace(settings, **overrides)
    metrics = Metrics()
    store, text = load_store(settings, metrics)
    runner = make_runner(create_app(settings, store, metrics, catalog_text=text), settings)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


def exchange(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    """Send ``data``, read until the server closes (blocking: run it in a thread)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def parse(answer: bytes) -> tuple[int, dict[str, str], Any]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *rows = head.decode("latin-1").split("\r\n")
    headers = {}
    for row in rows:
        name, _, value = row.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, json.loads(body) if body else None


async def request(port: int, head: str) -> tuple[int, dict[str, str], Any]:
    """Send a request head (as given, plus ``Connection: close``); the answer."""
    first, _, rest = head.partition("\r\n")
    head = f"{first}\r\nConnection: close\r\n{rest}"
    answer = await asyncio.to_thread(exchange, port, head.encode("latin-1"))
    return parse(answer)


def assert_our_error(status: int, headers: dict[str, str], body: Any, expected: int) -> None:
    assert status == expected, (status, body)
    assert headers["content-type"].startswith("application/json")
    assert set(body) == {"error", "message"} and body["message"], body
    for name in SECURITY_HEADERS:
        assert name in headers, (name, headers)


@pytest.mark.parametrize(
    "host", ["[::1", "[::1]:x", "127.0.0.1:99999", "a b", "user@127.0.0.1", "127.0.0.1/x"]
)
async def test_a_malformed_host_gets_400_with_our_json_error_and_security_headers(
    tmp_path: Path, host: str
) -> None:
    async with serving(tmp_path) as port:
        answer = await request(port, f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n")
        assert_our_error(*answer, expected=400)


@pytest.mark.parametrize("origin", ["http://[::1", "http://127.0.0.1:99999", "http://a b"])
async def test_a_websocket_with_a_malformed_origin_gets_400(tmp_path: Path, origin: str) -> None:
    async with serving(tmp_path) as port:
        answer = await request(
            port,
            f"GET /ws/tail/app HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        )
        assert_our_error(*answer, expected=400)


async def test_a_foreign_host_is_refused_with_the_security_headers(tmp_path: Path) -> None:
    async with serving(tmp_path) as port:
        answer = await request(port, "GET /healthz HTTP/1.1\r\nHost: evil.example\r\n\r\n")
        assert_our_error(*answer, expected=403)


@pytest.mark.parametrize(
    "head",
    [
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a" * 9000 + "\r\n\r\n",
        "GET /" + "a" * 9000 + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nbroken header\r\n\r\n",
        "GET /healthz HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
    ],
    ids=["long-header", "long-url", "no-colon", "bad-version"],
)
async def test_a_request_aiohttp_cannot_parse_gets_our_400_and_one_warning_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, head: str
) -> None:
    caplog.set_level(logging.DEBUG)
    async with serving(tmp_path) as port:
        answer = await request(port, head)
    assert_our_error(*answer, expected=400)
    mentions = [r for r in caplog.records if "request" in r.getMessage().lower()]
    assert mentions, caplog.records
    for record in mentions:
        assert record.levelno <= logging.WARNING, record.getMessage()
        assert record.exc_info is None
        assert "\n" not in record.getMessage()
        assert len(record.getMessage()) < 400


# -- idle, slow and too many connections ----------------------------------------------------


def closed_after(port: int, send: list[bytes], every: float, timeout: float = 20.0) -> float:
    """Connect, send ``send`` piece by piece ``every`` seconds; seconds until the server closed."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.settimeout(every if send else timeout)
        pieces = list(send)
        while True:
            try:
                if not sock.recv(65536):
                    return time.monotonic() - started
            except TimeoutError:
                if time.monotonic() - started > timeout:
                    raise
                if pieces:
                    try:
                        sock.sendall(pieces.pop(0))
                    except OSError:
                        return time.monotonic() - started
            except ConnectionResetError:
                return time.monotonic() - started


def kept_alive(port: int) -> socket.socket:
    """A connection the server has accepted and answered once, left open (keep-alive)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    return sock


@pytest.mark.parametrize(
    "send",
    [
        [],
        [b"GET / HTTP/1.1\r\nHost: 127"],
        [bytes([byte]) for byte in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200],
    ],
    ids=["silent", "half-a-header", "trickling"],
)
async def test_a_connection_without_complete_headers_is_closed_after_the_header_timeout(
    tmp_path: Path, send: list[bytes]
) -> None:
    async with serving(tmp_path, header_timeout=1.0) as port:
        seconds = await asyncio.to_thread(closed_after, port, send, 0.05)
    assert seconds < 15  # closed by the server, not by the test's own timeout


async def test_an_idle_tail_outlives_the_header_timeout(tmp_path: Path) -> None:
    async with serving(tmp_path, header_timeout=0.2) as port, aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"http://127.0.0.1:{port}/ws/tail/app?backlog=0")
        tail = TailClient(ws)
        await tail.expect("hello")
        await asyncio.sleep(1.0)  # nothing to await: the point is that nothing happens
        with (tmp_path / "app.log").open("a") as out:
            out.write("still open\n")
        assert await tail.read_lines(1) == ["still open"]
        await tail.close()


async def test_connections_over_the_cap_per_address_get_429_until_one_closes(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path, max_connections_per_client=3) as port:
        held = [await asyncio.to_thread(kept_alive, port) for _ in range(3)]
        try:
            # Read before sending: the refusal comes before any request is read, and
            # closing over an unread request would reset the connection.
            answer = await asyncio.to_thread(exchange, port, b"")
            assert_our_error(*parse(answer), expected=429)
            held.pop().close()
            status = 0
            for _ in range(200):
                status, _, _ = await request(
                    port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                )
                if status == 200:
                    break
            assert status == 200
        finally:
            for sock in held:
                sock.close()


async def test_behind_a_trusted_proxy_the_connection_cap_does_not_apply(tmp_path: Path) -> None:
    async with serving(tmp_path, max_connections_per_client=1, trust_forwarded=True) as port:
        with await asyncio.to_thread(kept_alive, port):
            status, _, _ = await request(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert status == 200


async def test_the_serve_command_refuses_connections_over_the_cap_on_its_own_event_loop(
    tmp_path: Path,
) -> None:
    # ``tailgate serve`` runs on uvloop, whose transports differ from asyncio's.
    log = tmp_path / "app.log"
    log.write_text("one\n")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(catalog_yaml({"app": log}))
    (port,) = free_ports(1)
    args = ["serve", "--catalog", str(catalog), "--auth", "none", "--port", str(port)]
    args += ["--metrics-port", "0", "--max-connections-per-client", "2"]
    async with tailgate_process(tmp_path, args, port=port) as service:
        await service.session.close()  # its keep-alive connection would count
        held = [await asyncio.to_thread(kept_alive, port) for _ in range(2)]
        try:
            answer = await asyncio.to_thread(exchange, port, b"")
            assert_our_error(*parse(answer), expected=429)
        finally:
            for sock in held:
                sock.close()
        assert "Traceback" not in service.stderr()
