"""Lean WebSocket viewers: an asyncio protocol per connection, no task, no queue.

A thousand viewers share two cores with the server they measure, so a viewer
must cost little and must not add its own delay to the latency it reports. Each
connection therefore only stamps and stores what the kernel hands it
(``data_received``), and one drain callback per event-loop turn parses the
frames of every viewer that got data: every socket read in a turn is stamped
before any parsing starts. Frames are parsed by hand (RFC 6455, server frames
are unmasked), which also answers pings and close frames.
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
from array import array

from bench.servers import HOST, Endpoint
from bench.tally import LatencyMode, Tally, account, decode

_OP_CONTINUATION, _OP_TEXT, _OP_BINARY = 0x0, 0x1, 0x2
_OP_CLOSE, _OP_PING = 0x8, 0x9


class Hub:
    """What the viewers of one process share: the drain callback and the done count."""

    def __init__(self, latency: LatencyMode) -> None:
        self.latency = latency
        self.latencies: array[int] = array("q")
        self.unfinished = 0
        self.all_done = asyncio.Event()
        self._dirty: list[Viewer] = []
        self._loop = asyncio.get_running_loop()

    def wake(self, viewer: Viewer) -> None:
        if not self._dirty:
            self._loop.call_soon(self._drain)
        self._dirty.append(viewer)

    def _drain(self) -> None:
        dirty, self._dirty = self._dirty, []
        for viewer in dirty:
            try:
                viewer.process()
            except Exception as error:  # a viewer that cannot parse stops, and says why
                viewer.tally.note_anomaly(f"viewer stopped: {type(error).__name__}: {error}")
                viewer.abort()

    def finished(self) -> None:
        self.unfinished -= 1
        if self.unfinished == 0:
            self.all_done.set()


class Viewer(asyncio.Protocol):
    """One tail held open. ``ready`` resolves after the handshake (tailgate: the hello)."""

    def __init__(self, hub: Hub, endpoint: Endpoint, path: str, tally: Tally) -> None:
        self.tally = tally
        self._hub = hub
        self._endpoint = endpoint
        self._path = path
        self._transport: asyncio.Transport | None = None
        self._pending: list[tuple[int, bytes]] = []
        self._buffer = bytearray()
        self._fragments: list[bytes] = []
        self._upgraded = False
        self._done = tally.expect <= 0
        if not self._done:
            hub.unfinished += 1
        loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[None] = loop.create_future()
        self.lost: asyncio.Future[None] = loop.create_future()

    # -- asyncio.Protocol ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        port = self._endpoint.port
        transport.write(
            f"GET {self._path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {self._endpoint.origin}\r\n\r\n".encode()
        )

    def data_received(self, data: bytes) -> None:
        self._pending.append((time.monotonic_ns(), data))
        self._hub.wake(self)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.tally.closed:
            self.tally.closed = f"connection lost: {exc or 'closed'}"
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(self.tally.closed))
        if not self.lost.done():
            self.lost.set_result(None)
        self._finish()

    # -- parsing ---------------------------------------------------------------------

    def process(self) -> None:
        pending, self._pending = self._pending, []
        for stamp, data in pending:
            self._buffer += data
            if not self._upgraded and not self._upgrade():
                continue
            self._frames(stamp)

    def _upgrade(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        status = bytes(self._buffer[: self._buffer.find(b"\r\n")])
        del self._buffer[: end + 4]
        if b" 101 " not in status + b" ":
            self.tally.closed = f"handshake refused: {status.decode(errors='replace')}"
            self.abort()
            return False
        self._upgraded = True
        if self._endpoint.framing == "line":
            self.ready.set_result(None)
        return True

    def _frames(self, stamp: int) -> None:
        buffer = self._buffer
        start = 0
        available = len(buffer)
        while available - start >= 2:
            first, second = buffer[start], buffer[start + 1]
            size = second & 0x7F
            head = 2
            if size == 126:
                if available - start < 4:
                    break
                size = int.from_bytes(buffer[start + 2 : start + 4], "big")
                head = 4
            elif size == 127:
                if available - start < 10:
                    break
                size = int.from_bytes(buffer[start + 2 : start + 10], "big")
                head = 10
            if available - start < head + size:
                break
            payload = bytes(buffer[start + head : start + head + size])
            start += head + size
            self._frame(first & 0x0F, bool(first & 0x80), payload, stamp)
        del buffer[:start]

    def _frame(self, opcode: int, final: bool, payload: bytes, stamp: int) -> None:
        if opcode in (_OP_TEXT, _OP_CONTINUATION):
            self._fragments.append(payload)
            if final:
                text = b"".join(self._fragments).decode()
                self._fragments = []
                self._text(text, stamp)
        elif opcode == _OP_PING:
            self._send(0xA, payload)
        elif opcode == _OP_CLOSE:
            self.tally.closed = f"close frame {payload[:2].hex()} {payload[2:100]!r}"
            self._send(_OP_CLOSE, payload[:2])
            self.abort()
        elif opcode == _OP_BINARY:
            self.tally.note_anomaly(f"binary message of {len(payload)} bytes")

    def _text(self, text: str, stamp: int) -> None:
        if not self.ready.done():
            if '"hello"' not in text[:40]:
                self.tally.closed = f"expected a hello frame, got {text[:200]!r}"
                self.abort()
                return
            self.ready.set_result(None)
            return
        tally = self.tally
        account(
            tally,
            decode(self._endpoint.framing, text, tally),
            stamp,
            self._hub.latencies,
            self._hub.latency,
        )
        if not self._done and tally.next_seq >= tally.expect:
            self._finish()

    def _finish(self) -> None:
        if not self._done:
            self._done = True
            self._hub.finished()

    # -- sending ---------------------------------------------------------------------

    def _send(self, opcode: int, payload: bytes) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self._transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def abort(self) -> None:
        self._finish()
        if self._transport is not None:
            self._transport.abort()

    async def close(self, timeout: float = 5.0) -> None:
        """Send a close frame and wait for the server to end the connection."""
        self._send(_OP_CLOSE, (1000).to_bytes(2, "big"))
        try:
            await asyncio.wait_for(asyncio.shield(self.lost), timeout)
        except TimeoutError:
            self.abort()


async def open_viewer(
    hub: Hub, endpoint: Endpoint, path: str, expect: int, timeout: float = 30.0, stride: int = 1
) -> Viewer:
    """A connected viewer, ready for lines (tailgate: once its hello has come).

    ``stride``: only every ``stride``-th line is expected (a filtered tail)."""
    viewer = Viewer(hub, endpoint, path, Tally(expect, stride))
    try:
        await asyncio.get_running_loop().create_connection(lambda: viewer, HOST, endpoint.port)
        await asyncio.wait_for(asyncio.shield(viewer.ready), timeout)
    except BaseException:
        viewer.abort()
        raise
    return viewer
