"""A viewer of a pod log's hub without a socket: what it was written, live and caught up.

``PodViewer`` is the sink the hub writes live frames to, with a byte budget that
stands for its connection's buffer (once it is spent, frames are refused, as
``Viewer.offer`` refuses them while the connection holds too much). ``step`` and
``catch_up`` do what the viewer's task does: take the next frames from the ring and
"send" them, until the viewer is live again.
"""

from __future__ import annotations

from typing import Any

import orjson

from tailgate.pods.batches import Batch
from tailgate.pods.subscriber import Subscriber
from tailgate.streaming.line_filter import FilterRun
from tailgate.streaming.views import EVERYTHING, render
from tests.support.connections import decoded_frames


class PodViewer:
    def __init__(self, budget: int | None = None) -> None:
        #: Frames received, in order, as the client would read them.
        self.frames: list[dict[str, Any]] = []
        #: Bytes it still takes live before it refuses (None: it always keeps up).
        self.budget = budget
        self._full = budget
        self.missed = 0
        self.view = EVERYTHING
        self.run: FilterRun | None = None
        self.skipped = 0
        #: Offers taken live: each is one write to the connection.
        self.writes = 0

    def skip(self, lines: int, batch: Any) -> None:
        self.skipped += lines

    def offer_batch(self, batch: Batch) -> bool:
        rendered = render(batch, self.view, self.run)
        if rendered.frame is None:
            self.skip(rendered.skipped, batch)
            return True
        if not self.offer(rendered.frame, rendered.lines, rendered.size):
            return False
        self.skip(rendered.skipped, batch)
        return True

    def __hash__(self) -> int:
        return id(self)

    def offer(self, frame: bytes, lines: int, payload_size: int) -> bool:
        if self.budget is not None:
            if self.budget <= 0:
                return False
            self.budget -= payload_size
        self.frames.extend(decoded_frames(frame))
        self.writes += 1
        return True

    def drained(self) -> None:
        """The client read everything: the whole budget is free again."""
        self.budget = self._full

    def send(self, batches: list[Batch]) -> None:
        self.frames += [orjson.loads(b.payload()) for b in batches]

    def step(self, subscriber: Subscriber) -> None:
        """One turn of the tail's task while it is behind."""
        batches, missed = subscriber.take()
        if missed:
            self.missed += missed
            self.frames.append({"type": "notice", "event": "gap", "lines": missed})
        self.send(batches)

    def catch_up(self, subscriber: Subscriber) -> None:
        """Drain the connection and take from the ring until live again."""
        while not subscriber.live:
            self.drained()
            self.step(subscriber)
        self.drained()

    @property
    def lines(self) -> list[str]:
        return [line for f in self.frames if f["type"] == "lines" for line in f["lines"]]

    @property
    def line_frames(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == "lines"]
