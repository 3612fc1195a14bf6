"""One WebSocket connection's end of a tail: frames in order, without ever blocking others.

Every frame goes through the viewer's outbox (``outbox.py``), which keeps them in
order, holds them while the viewer is paused or before its hello, and bounds each
kind. Frames leave as soon as the connection's send buffer is below ``WRITE_HIGH``;
above it, ``pump`` (run by the connection's handler) waits for the buffer to drain
and carries on.

Sources write in two ways. A shared source at the live end calls ``offer`` with a
frame it built once for all its viewers: when nothing is queued the frame is
written at once (the relay's hot path), and when the connection holds too much it
is refused, so a slow viewer costs at most that much memory and never delays the
others (the source then hands the viewer back its position and it catches up on its
own). A viewer catching up calls ``send``, which waits while its queue is full.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from .frames import error_payload, notice_payload
from .line_filter import FilterRun
from .outbox import Kind, Outbox, Outgoing
from .views import EVERYTHING, Batch, Rendered, View, render, skipped_payload

#: A viewer whose unsent bytes exceed this stops receiving shared frames.
WRITE_HIGH = 512 * 1024
#: A filtered viewer hears how many lines were left out at most this often (seconds).
SKIPPED_EVERY = 1.0


async def _no_drain() -> None:
    """For connections without flow control (tests): yield, then try again."""
    await asyncio.sleep(0)


class Viewer:
    def __init__(
        self,
        transport: asyncio.Transport,
        drain: Callable[[], Awaitable[None]] = _no_drain,
        outbox: Outbox | None = None,
    ) -> None:
        self._transport = transport
        self._drain = drain
        self._box = outbox or Outbox()
        self._resumed = asyncio.Event()
        self._resumed.set()
        #: Set when frames wait for the connection's buffer to drain.
        self._blocked = asyncio.Event()
        #: Set when the queue has room for lines again.
        self._room = asyncio.Event()
        self._room.set()
        self.lines_sent = 0
        self.bytes_sent = 0
        self.started = time.monotonic()
        self.closing = False
        #: Set by a shared source while this viewer is in its live set; pausing calls it.
        self.live_exit: Callable[[], None] | None = None
        #: What the client asked to be sent: a filter, levels (views.View).
        self.view: View = EVERYTHING
        #: The filter's state while this viewer reads on its own (a live set holds it
        #: while the viewer is live).
        self.run: FilterRun | None = None
        self._skipped = 0
        self._skipped_batch: Batch | None = None
        self._skipped_next = 0.0
        self._skipped_timer: asyncio.TimerHandle | None = None

    def ask(self, view: View) -> None:
        """Send what ``view`` asks for from the first frame on (before the tail starts)."""
        self.view = view
        self.run = view.run()

    # -- pausing ----------------------------------------------------------------------

    @property
    def opened(self) -> bool:
        """The hello went out (or is first in the queue)."""
        return self._box.opened

    @property
    def paused(self) -> bool:
        return self._box.paused

    def pause(self) -> None:
        self._box.pause()
        self._resumed.clear()
        if self.live_exit is not None:
            self.live_exit()

    def resume(self) -> None:
        self._box.resume()
        self._resumed.set()
        self.flush()

    async def wait_resumed(self) -> None:
        await self._resumed.wait()

    def writable(self) -> bool:
        return not self.closing and not self._transport.is_closing()

    # -- lines --------------------------------------------------------------------------

    def offer(self, frame: bytes, lines: int, payload_size: int) -> bool:
        """Take a pre-built frame now if the connection keeps up; False if it does not."""
        transport = self._transport
        box = self._box
        if self.closing or transport.is_closing() or not box.flowing:
            return False
        if transport.get_write_buffer_size() > WRITE_HIGH:
            return False
        if box.idle:
            transport.write(frame)
            self.lines_sent += lines
            self.bytes_sent += payload_size
            return True
        if not box.data_room():
            return False
        box.push(Outgoing(frame, payload_size, lines, Kind.DATA))
        self.flush()
        return True

    async def wait_room(self) -> None:
        """Wait until the queue has room for lines: a viewer catching up calls it before
        it reads, so one that does not read holds no batch of its own (the bytes read,
        their lines, the frame) beyond what its queue and connection already hold."""
        while True:
            if self.closing or self._transport.is_closing():
                raise ConnectionResetError("the tail is closing")
            if self._box.data_room():
                return
            self._room.clear()
            await self._room.wait()

    async def send(self, payload: bytes, lines: int = 0) -> None:
        """Queue one frame in order, waiting while the queue is full."""
        await self.wait_room()
        self._box.push(Outgoing.of(payload, Kind.DATA, lines))
        self.flush()

    async def send_batch(self, batch: Batch) -> Rendered:
        """Frame ``batch`` for this viewer alone (catching up) and queue it in order."""
        rendered = render(batch, self.view, self.run)
        if rendered.frame is not None:
            await self.wait_room()
            self._box.push(Outgoing(rendered.frame, rendered.size, rendered.lines, Kind.DATA))
            self.flush()
        if rendered.skipped:
            self.skip(rendered.skipped, batch)
        return rendered

    def offer_batch(self, batch: Batch) -> bool:
        """Frame ``batch`` for this viewer alone and ``offer`` it; False when it cannot
        take it (its filter's state is then as before the batch, to read it again)."""
        run = self.run
        before = run.saved() if run is not None else None
        rendered = render(batch, self.view, run)
        if rendered.frame is not None and not self.offer(
            rendered.frame, rendered.lines, rendered.size
        ):
            self.run = before
            return False
        if rendered.skipped:
            self.skip(rendered.skipped, batch)
        return True

    def skip(self, lines: int, batch: Batch) -> None:
        """Lines the filter left out up to ``batch``: said at most once a second."""
        self._skipped += lines
        self._skipped_batch = batch
        if self._skipped_timer is not None:
            return  # said when the timer comes round
        now = time.monotonic()
        if now >= self._skipped_next:
            self._say_skipped()
        else:
            loop = asyncio.get_running_loop()
            self._skipped_timer = loop.call_at(
                loop.time() + self._skipped_next - now, self._say_skipped
            )

    def _say_skipped(self) -> None:
        self._skipped_timer = None
        batch = self._skipped_batch
        if not self._skipped or batch is None or not self.writable():
            return
        if not self._box.data_room():
            # The queue is full of lines: say it once they have gone.
            loop = asyncio.get_running_loop()
            self._skipped_timer = loop.call_later(SKIPPED_EVERY, self._say_skipped)
            return
        payload = skipped_payload(self._skipped, batch.cursor)
        self._skipped = 0
        self._skipped_batch = None
        self._skipped_next = time.monotonic() + SKIPPED_EVERY
        self._box.push(Outgoing.of(payload, Kind.DATA))
        self.flush()

    def stop_timers(self) -> None:
        """The tail ends: nothing more is said."""
        if self._skipped_timer is not None:
            self._skipped_timer.cancel()
            self._skipped_timer = None

    # -- everything else ------------------------------------------------------------------

    def hello(self, payload: bytes) -> None:
        """The first frame; nothing queued before it (while the tail started) leaves earlier."""
        self._box.open(Outgoing.of(payload, Kind.HELLO))
        self.flush()

    def control(self, payload: bytes) -> None:
        """A notice or error from the source, in order with the lines around it."""
        if not self._transport.is_closing():
            self._box.control(Outgoing.of(payload, Kind.CONTROL))
            self.flush()

    def reply(self, code: str, message: str) -> bool:
        """Answer a bad client message; False when the client floods and must be closed."""
        accepted = self._box.reply(Outgoing.of(error_payload(code, message), Kind.REPLY))
        self.flush()
        return accepted

    def good_message(self) -> None:
        self._box.good_message()

    def state(self, payload: bytes | None) -> None:
        """A source's state notice (waiting, deleted, error...): held back while paused."""
        self._box.state(payload)
        self.flush()

    def resend_state(self) -> None:
        """After a resume: say the state the source is in now, if it changed meanwhile."""
        self._box.resend_state()
        self.flush()

    def notice(self, event: str, message: str) -> None:
        self.control(notice_payload(event, message))

    def error(self, code: str, message: str) -> None:
        self.control(error_payload(code, message))

    # -- writing ------------------------------------------------------------------------

    @property
    def queued(self) -> int:
        """Frames waiting in the queue."""
        return len(self._box)

    def flush(self) -> None:
        """Write queued frames while the connection's buffer has room."""
        transport = self._transport
        box = self._box
        while not transport.is_closing():
            if transport.get_write_buffer_size() > WRITE_HIGH:
                if len(box) or box.dropped:
                    self._blocked.set()
                break
            item = box.next()
            if item is None:
                break
            transport.write(item.frame)
            self.lines_sent += item.lines
            self.bytes_sent += item.size
        if box.data_room() or transport.is_closing():
            self._room.set()

    async def pump(self) -> None:
        """Carry on writing whenever the connection drains; runs until cancelled."""
        transport = self._transport
        while not transport.is_closing():
            await self._blocked.wait()
            self._blocked.clear()
            await self._drain()
            if transport.get_write_buffer_size() > WRITE_HIGH:
                # Drained below the transport's own mark, not yet below ours.
                await asyncio.sleep(0.01)
            self.flush()
