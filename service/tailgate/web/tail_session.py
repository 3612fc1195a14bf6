"""One tail's life as an ``async with`` block: everything it starts ends with it.

Entering writes the audit record of the start, counts the tail, registers it with the
open tails, starts the viewer's writer and the source's tail task, and arms the timer
that ends the tail with the session or token it was opened with (4401). Leaving, for
whatever reason, undoes each in reverse: the timer, the tail task (which releases the
source at once), the writer, the registration and the counts; then the WebSocket's
close handshake, bounded in time, and the audit record of the end. Each concern is a
start and a stop of its own below, nested in ``running``.

``close_soon`` stops a tail from outside (the catalog, signing out, the re-checks,
shutdown): it cancels the tail task and interrupts the handler inside the block, which
then leaves it and closes with the code given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from ..errors import CloseCode, SourceError
from ..metrics import Metrics
from ..sources import TailSource
from ..streaming.viewer import Viewer
from . import audit
from .principal import LOCAL, Principal

log = logging.getLogger("tailgate.tails")

#: How long closing a WebSocket may wait for the client's answer.
CLOSE_WAIT = 2.0
#: The same for a client closed for flooding bad messages.
FLOOD_CLOSE_WAIT = 0.1


class OpenTails(Protocol):
    """Where open tails are registered (``sessions.SessionRegistry``)."""

    def add(self, session: TailSession) -> None: ...

    def remove(self, session: TailSession) -> None: ...


@dataclass(eq=False)
class TailSession:
    log_id: str
    kind: str
    client: str
    ws: web.WebSocketResponse
    viewer: Viewer
    principal: Principal = LOCAL
    started: float = field(default_factory=time.monotonic)
    started_at: float = field(default_factory=time.time)
    """Wall-clock start, for the audit record."""
    expiry: asyncio.TimerHandle | None = None
    """Closes the tail with 4401 when the session or token it was opened with ends."""
    task: asyncio.Task[None] | None = None
    handler: asyncio.Task[Any] | None = None
    close_code: int | None = None
    close_reason: str = ""
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def close_soon(self, code: int, reason: str) -> None:
        """Stop the tail now (releasing its source); its handler closes with ``code``.

        The handler is interrupted rather than the WebSocket closed from here, so the
        close handshake runs in the handler, which waits for the client's answer.
        """
        if self.close_code is not None:
            return
        self.close_code = code
        self.close_reason = reason
        self.viewer.closing = True
        if self.task is not None and not self.task.done():
            self.task.cancel()
        handler = self.handler
        if handler is not None and not handler.done() and handler is not asyncio.current_task():
            handler.cancel()

    @contextlib.asynccontextmanager
    async def running(
        self,
        tails: OpenTails,
        metrics: Metrics,
        source: TailSource,
        *,
        hello: bytes,
        backlog: int,
        cursor: str | None,
        since: int | None = None,
        problems: Sequence[tuple[str, str]] = (),
    ) -> AsyncIterator[None]:
        """The tail runs while the block does; the block reads the client's messages.

        ``problems`` with the query become error frames after the hello. Each concern
        is a start and a stop below, nested here by hand rather than as a context
        each: a tail lives long and thousands may be open, and a context per concern
        (or an exit stack of callbacks) holds several kilobytes per tail.
        """
        self._audit_start()
        try:
            try:
                self._count_start(metrics)
                tails.add(self)
                try:
                    pump = self._start_writing()
                    task: asyncio.Task[None] | None = None
                    try:
                        for code, message in problems:
                            self.viewer.error(code, message)
                        task = self._start_streaming(
                            source, hello, backlog=backlog, cursor=cursor, since=since
                        )
                        self._arm_expiry()
                        self.handler = asyncio.current_task()
                        try:
                            yield
                        except ConnectionError:
                            pass  # the client went away: a normal end
                        except asyncio.CancelledError:
                            if not self._stopped_by_close_soon():
                                raise
                        finally:
                            self.viewer.closing = True
                            self.viewer.stop_timers()
                    finally:
                        self._disarm_expiry()
                        if task is not None:
                            await self._stop_streaming(task)
                        await self._stop_writing(pump)
                finally:
                    tails.remove(self)
                    self._count_end(metrics)
            finally:
                await self._close_websocket()
        finally:
            self._audit_end()

    def _audit_start(self) -> None:
        line_filter = self.viewer.view.filter
        audit.tail_started(
            self.principal,
            log_id=self.log_id,
            kind=self.kind,
            client=self.client,
            started_at=self.started_at,
            line_filter=line_filter.describe() if line_filter is not None else None,
        )

    def _audit_end(self) -> None:
        self.ended.set()
        audit.tail_ended(
            self.principal,
            log_id=self.log_id,
            kind=self.kind,
            client=self.client,
            started_at=self.started_at,
            duration=time.monotonic() - self.started,
            lines=self.viewer.lines_sent,
            sent_bytes=self.viewer.bytes_sent,
            close_code=self.close_code or self.ws.close_code,
            reason=self.close_reason or "client closed",
        )

    async def _close_websocket(self) -> None:
        if self.ws.closed:
            return
        close_code = self.close_code or CloseCode.STOPPED
        reason = self.close_reason.encode()[:120]
        # Bounded: a client that neither reads nor answers must not hold us, and a
        # flooder's junk is not worth reading while we wait for its answer.
        wait = FLOOD_CLOSE_WAIT if close_code == CloseCode.POLICY_VIOLATION else CLOSE_WAIT
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(code=close_code, message=reason), wait)

    def _count_start(self, metrics: Metrics) -> None:
        metrics.active_tails.labels(self.log_id, self.kind).inc()
        metrics.tails_started.labels(self.log_id, self.kind).inc()

    def _count_end(self, metrics: Metrics) -> None:
        metrics.active_tails.labels(self.log_id, self.kind).dec()
        metrics.tail_duration.labels(self.kind).observe(time.monotonic() - self.started)
        # The server's own codes only: a client may close with any number it likes.
        code = str(int(self.close_code)) if self.close_code is not None else "client"
        metrics.tails_closed.labels(code).inc()

    def _start_writing(self) -> asyncio.Task[None]:
        """Every frame goes through the viewer's queue; this task writes it out."""
        return asyncio.create_task(self.viewer.pump(), name=f"writer {self.log_id}")

    async def _stop_writing(self, pump: asyncio.Task[None]) -> None:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump
        # What the connection can still take (the error that explains the end).
        self.viewer.flush()

    def _start_streaming(
        self,
        source: TailSource,
        hello: bytes,
        *,
        backlog: int,
        cursor: str | None,
        since: int | None,
    ) -> asyncio.Task[None]:
        """The source's tail, in a task of its own, cancelled and awaited at the end."""
        task = asyncio.create_task(
            _stream(self.viewer, source, hello, backlog=backlog, cursor=cursor, since=since),
            name=f"tail {self.log_id}",
        )
        self.task = task
        task.add_done_callback(self._tail_ended)
        return task

    @staticmethod
    async def _stop_streaming(task: asyncio.Task[None]) -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    def _arm_expiry(self) -> None:
        """Close the tail with 4401 when the session or token that opened it ends."""
        expires_at = self.principal.expires_at
        if expires_at is not None:
            loop = asyncio.get_running_loop()
            self.expiry = loop.call_at(
                loop.time() + max(0.0, expires_at - time.time()),
                self.close_soon,
                CloseCode.UNAUTHENTICATED,
                "your session has expired; sign in again",
            )

    def _disarm_expiry(self) -> None:
        if self.expiry is not None:
            self.expiry.cancel()

    def _stopped_by_close_soon(self) -> bool:
        """Whether the handler was cancelled by ``close_soon`` (then the end is normal).

        Anything else that cancels it (the client vanished, the server gave up
        waiting) goes on up.
        """
        handler = self.handler
        if self.close_code is None or handler is None or handler.cancelling() > 1:
            return False
        handler.uncancel()
        return True

    def _tail_ended(self, task: asyncio.Task[None]) -> None:
        """The tail stopped by itself: tell the client why and close."""
        if task.cancelled() or self.close_code is not None:
            return
        exc = task.exception()
        if isinstance(exc, ConnectionError):
            # The client went away mid-send; the handler is already ending the tail.
            self.close_soon(CloseCode.GOING_AWAY, "connection lost")
        elif isinstance(exc, SourceError):
            self.viewer.error(exc.code, str(exc))
            self.close_soon(CloseCode.SOURCE_FAILURE, str(exc))
        elif exc is not None:
            log.error("tail failed", exc_info=exc, extra={"log_id": self.log_id})
            self.viewer.error("internal", "the tail failed on the server; see its logs")
            self.close_soon(CloseCode.SOURCE_FAILURE, "internal error")
        else:
            self.close_soon(CloseCode.STOPPED, "the log ended")


async def _stream(
    viewer: Viewer,
    source: TailSource,
    hello: bytes,
    *,
    backlog: int,
    cursor: str | None,
    since: int | None,
) -> None:
    """Fix the tail's start, then say hello, then stream: no line falls in between."""
    try:
        async with source.open(viewer, backlog=backlog, cursor=cursor, since=since) as tail:
            viewer.hello(hello)
            await tail.run()
    finally:
        if not viewer.opened:
            # The source failed to open: the hello still goes first, then the error.
            viewer.hello(hello)
