"""The viewers at a follower's live end: one frame built once, written to each of them.

This is the relay's hot path. A viewer joins only where the follower stands and
leaves (handed its position back) when it pauses or cannot take a frame at once;
it then catches up on its own, so nobody waits for anybody. The pacer spaces
batches when fanning out takes a large share of the loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

from ..metrics import Metrics
from ..streaming.frames import ws_text_frame
from ..streaming.pacing import FanoutPacer
from ..streaming.viewer import Viewer
from .handle import ReadPoint


def position_copy(pos: ReadPoint) -> ReadPoint:
    """A position of its own (a reference more on the handle) at the same place."""
    return ReadPoint(pos.handle.acquire(), pos.offset, pos.tail, pos.truncations)


class LiveSet:
    def __init__(self, loop: asyncio.AbstractEventLoop, metrics: Metrics, log_id: str) -> None:
        self._loop = loop
        self._live: dict[Viewer, asyncio.Future[ReadPoint]] = {}
        self._pacer = FanoutPacer()
        self._sent_lines = metrics.sent_lines.labels(log_id)
        self._sent_bytes = metrics.sent_bytes.labels(log_id)

    def __bool__(self) -> bool:
        return bool(self._live)

    def __iter__(self) -> Iterator[Viewer]:
        return iter(self._live)

    def delay(self) -> float:
        """How long to wait before the next batch, to leave the loop time for the rest."""
        return self._pacer.delay(time.perf_counter())

    def join(self, viewer: Viewer) -> asyncio.Future[ReadPoint]:
        fut: asyncio.Future[ReadPoint] = self._loop.create_future()
        self._live[viewer] = fut
        return fut

    def leave(self, viewer: Viewer, pos: ReadPoint | None) -> None:
        """Take a viewer out, handing it a copy of ``pos`` (where the follower stands)."""
        fut = self._live.pop(viewer, None)
        if fut is not None and not fut.done() and pos is not None:
            fut.set_result(position_copy(pos))

    def drop(self, viewer: Viewer) -> None:
        """The viewer went away: it gets no position back."""
        fut = self._live.pop(viewer, None)
        if fut is not None and not fut.done():
            fut.cancel()

    def close(self) -> None:
        for fut in self._live.values():
            fut.cancel()
        self._live.clear()

    def fan_out(self, payload: bytes, lines: int, before: ReadPoint) -> None:
        """Write one frame to every live viewer; those who cannot take it leave at ``before``."""
        live = self._live
        if not live:
            return
        frame = ws_text_frame(payload)
        size = len(payload)
        started = time.perf_counter()
        behind: list[Viewer] = []
        for viewer in live:
            if not viewer.offer(frame, lines, size):
                behind.append(viewer)
        sent = len(live) - len(behind)
        for viewer in behind:
            fut = live.pop(viewer)
            if not fut.done():
                fut.set_result(position_copy(before))
        if sent:
            if lines:
                self._sent_lines.inc(lines * sent)
            self._sent_bytes.inc(size * sent)
        self._pacer.record(started, time.perf_counter())
