"""One WebSocket connection's end of a tail: writing frames without ever blocking others.

Sources write to a viewer in two ways. A shared source at the live end calls
``offer`` with a frame it built once for all its viewers; the write happens only
while the connection's send buffer is below ``WRITE_HIGH``, so a slow viewer costs
at most that much memory and never delays the others (the source then hands the
viewer back its position and it catches up on its own). A viewer catching up calls
``send``, which waits for the buffer to drain.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiohttp import WSMsgType, web

from .frames import error_payload, notice_payload, ws_text_frame

#: A viewer whose unsent bytes exceed this stops receiving shared frames.
WRITE_HIGH = 512 * 1024


class Viewer:
    def __init__(self, ws: web.WebSocketResponse, transport: asyncio.Transport) -> None:
        self._ws = ws
        self._transport = transport
        self._resumed = asyncio.Event()
        self._resumed.set()
        self.lines_sent = 0
        self.bytes_sent = 0
        self.started = time.monotonic()
        self.closing = False
        #: Set by a shared source while this viewer is in its live set; pausing calls it.
        self.live_exit: Callable[[], None] | None = None
        self._state: bytes | None = None
        self._state_sent: bytes | None = None

    @property
    def paused(self) -> bool:
        return not self._resumed.is_set()

    def pause(self) -> None:
        self._resumed.clear()
        if self.live_exit is not None:
            self.live_exit()

    def resume(self) -> None:
        self._resumed.set()

    async def wait_resumed(self) -> None:
        await self._resumed.wait()

    def writable(self) -> bool:
        return not self.closing and not self._transport.is_closing()

    def offer(self, frame: bytes, lines: int, payload_size: int) -> bool:
        """Write a pre-built frame now if the connection keeps up; False if it does not."""
        transport = self._transport
        if self.closing or transport.is_closing():
            return False
        if transport.get_write_buffer_size() > WRITE_HIGH:
            return False
        transport.write(frame)
        self.lines_sent += lines
        self.bytes_sent += payload_size
        return True

    async def send(self, payload: bytes, lines: int = 0) -> None:
        """Send one text frame, waiting while the connection's buffer drains."""
        if self.closing:
            raise ConnectionResetError("the tail is closing")
        await self._ws.send_frame(payload, WSMsgType.TEXT)
        self.lines_sent += lines
        self.bytes_sent += len(payload)

    def control(self, payload: bytes) -> None:
        """Write a small frame (notice, error) at once, whatever the buffer holds."""
        if self.writable():
            self._transport.write(ws_text_frame(payload))
            self.bytes_sent += len(payload)

    def state(self, payload: bytes | None) -> None:
        """A source's state notice (waiting, deleted, error...): held back while paused.

        Only the latest state matters, so a paused viewer hears it once on resume
        (see ``resend_state``), and never the same state twice.
        """
        self._state = payload
        if payload is not None and not self.paused and payload != self._state_sent:
            self._state_sent = payload
            self.control(payload)

    def resend_state(self) -> None:
        """After a resume: say the state the source is in now, if it changed meanwhile."""
        if self._state is not None and self._state != self._state_sent:
            self._state_sent = self._state
            self.control(self._state)

    def notice(self, event: str, message: str) -> None:
        self.control(notice_payload(event, message))

    def error(self, code: str, message: str) -> None:
        self.control(error_payload(code, message))
