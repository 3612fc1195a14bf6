"""A follower's live set: the shared core (``streaming.fanout``) with files' hand-off.

The core decides who is live and who leaves; this adds what a file needs around it:
each viewer that leaves gets a position of its own (a reference more on the file's
handle), as the result of the future its tail waits on, and what was sent is
counted in the log's metrics.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from ..metrics import Metrics
from ..streaming import fanout
from ..streaming.gaps import Gap
from ..streaming.pacing import FLEET, FanoutPacer
from ..streaming.viewer import Viewer
from ..streaming.views import TextBatch
from .handle import ReadPoint


def position_copy(pos: ReadPoint) -> ReadPoint:
    """A position of its own (a reference more on the handle) at the same place."""
    return ReadPoint(pos.handle.acquire(), pos.offset, pos.tail, pos.truncations)


class LiveSet:
    def __init__(self, loop: asyncio.AbstractEventLoop, metrics: Metrics, log_id: str) -> None:
        self._loop = loop
        self._core: fanout.LiveSet[Viewer, ReadPoint] = fanout.LiveSet(FanoutPacer(fleet=FLEET))
        self._log_id = log_id
        self._sent_lines = metrics.sent_lines.labels(log_id)
        self._sent_bytes = metrics.sent_bytes.labels(log_id)
        self._gaps = metrics.gaps

    def __bool__(self) -> bool:
        return bool(self._core)

    def __iter__(self) -> Iterator[Viewer]:
        return iter(self._core)

    def delay(self) -> float:
        """How long to wait before the next batch, to leave the loop time for the rest."""
        return self._core.delay()

    def join(self, viewer: Viewer) -> asyncio.Future[ReadPoint]:
        """Add a viewer; the future gives it its own position back when it leaves."""
        fut: asyncio.Future[ReadPoint] = self._loop.create_future()

        def hand_off(at: ReadPoint | None) -> None:
            if fut.done():
                return
            if at is None:
                fut.cancel()
            else:
                fut.set_result(position_copy(at))

        self._core.join(viewer, hand_off)
        return fut

    def leave(self, viewer: Viewer, pos: ReadPoint | None) -> None:
        """Take a viewer out, handing it a copy of ``pos`` (where the follower stands)."""
        if pos is not None:
            self._core.leave(viewer, pos)

    def drop(self, viewer: Viewer) -> None:
        """The viewer went away: it gets no position back."""
        self._core.drop(viewer)

    def close(self) -> None:
        self._core.close()

    def fan_out(self, payload: bytes, lines: int, before: ReadPoint) -> int:
        """Write one frame to every live viewer; those who cannot take it leave at ``before``.

        Returns how many took it."""
        sent = self._core.fan_out(payload, lines, before)
        if sent:
            if lines:
                self._sent_lines.inc(lines * sent)
            self._sent_bytes.inc(len(payload) * sent)
        return sent

    def fan_out_batch(self, batch: TextBatch, before: ReadPoint) -> int:
        """Lines to every live viewer, framed once per view; those who cannot take
        them leave at ``before``. Returns how many took them."""
        sent = self._core.fan_out_batch(batch, before)
        if sent.viewers:
            if sent.lines:
                self._sent_lines.inc(sent.lines)
            self._sent_bytes.inc(sent.bytes)
        return sent.viewers

    def tell(self, gap: Gap, before: ReadPoint) -> None:
        """A gap notice to every live viewer, counted once for each that got it."""
        sent = self.fan_out(gap.payload(), 0, before)
        if sent:
            self._gaps.labels(self._log_id, gap.cause).inc(sent)
