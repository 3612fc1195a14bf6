"""One viewer's place in a shared pod log stream: a bounded queue, or a mark in the ring.

Publishing never waits for a viewer: the hub's live set (``streaming.fanout``)
appends each batch to the queue of every viewer at the live end, bounded in bytes.
A viewer whose queue is full (it is slow, or paused) leaves the live set with a
mark (the last entry it has) and later catches up from the ring at its own pace,
losing nothing while the ring still holds the entries after its mark; if the ring
moved on past it, it is told how many lines it missed (a ``gap`` notice). Once it
reaches the ring's end it joins the live set again (``rejoin``).

A viewer resumed from the API server (another replica's cursor) may be ahead of this
stream for some sources for a moment: ``floors`` drop the lines it already has, and
raise the positions in its cursors to what it has, until the stream passes them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .batches import Batch
from .log_lines import Position
from .pod_cursor import PodCursor, source_hash

#: (sequence number, line count) of the last entry a viewer has.
Mark = tuple[int, int]


@dataclass(eq=False)
class Subscriber:
    limit: int
    #: Entries after ``mark`` from the ring: (batches, lines missed) and whether that
    #: reached the live end (the hub gives this; the viewer rejoins the live queue).
    catch_up: Callable[[Mark, int], tuple[list[Batch], int, Mark | None]]
    #: The stream's current position of a source (hash), to know when floors are passed.
    position_of: Callable[[int], Position | None]
    #: Puts this viewer back in the hub's live set, once it has caught up.
    rejoin: Callable[[Subscriber], None]
    queue: deque[Batch] = field(default_factory=deque)
    queued: int = 0
    #: Set while the viewer reads from the ring instead of its queue.
    behind: Mark | None = None
    floors: dict[int, Position] = field(default_factory=dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def pending(self) -> bool:
        return bool(self.queue) or self.behind is not None

    def push(self, batch: Batch) -> bool:
        """Queue a batch; False when the queue is full (the viewer leaves the live set)."""
        if self.floors:
            kept = self._above_floors(batch)
            if kept is None:
                return True
            batch = kept
        if self.queue and self.queued + batch.size > self.limit:
            return False
        self.queue.append(batch)
        self.queued += batch.size
        self.wake.set()
        return True

    def fell_behind(self, mark: Mark | None) -> None:
        """Out of the live set at ``mark`` (None: the stream is gone): read the ring next."""
        if mark is not None:
            self.behind = mark
            self.wake.set()

    def take(self) -> tuple[list[Batch], int]:
        """What to send next, and how many lines were missed before it."""
        self.wake.clear()
        if self.queue:
            batches = list(self.queue)
            self.queue.clear()
            self.queued = 0
            return batches, 0
        if self.behind is None:
            return [], 0
        batches, missed, self.behind = self.catch_up(self.behind, self.limit)
        if self.behind is not None:
            self.wake.set()  # more to read from the ring
        else:
            # At the ring's end, which the hub has handed out whole: live from here on.
            self.rejoin(self)
        return batches, missed

    def _above_floors(self, batch: Batch) -> Batch | None:
        floors = self.floors
        if batch.positions is not None:
            key = source_hash(batch.source)
            floor = floors.get(key)
            if floor is not None:
                kept = batch.without_lines_up_to(floor)
                now = self.position_of(key)
                if now is not None and (now.ts, now.count) >= (floor.ts, floor.count):
                    del floors[key]
                if kept is None:
                    return None
                batch = kept
        # Cursors say what the viewer has of the sources this stream follows; a floor
        # of a source it does not follow (a pod that left) only drops lines, if any come.
        followed = {k: f for k, f in floors.items() if self.position_of(k) is not None}
        if not followed:
            return batch
        return batch.with_mark(_raised(batch.mark, followed))


def _raised(mark: PodCursor, floors: dict[int, Position]) -> PodCursor:
    positions = dict(mark.positions)
    for key, floor in floors.items():
        have = positions.get(key)
        if have is None or (have.ts, have.count) < (floor.ts, floor.count):
            positions[key] = floor
    newest = max((p.ts for p in positions.values()), default=0)
    return PodCursor(mark.epoch, mark.seq, mark.log, positions, newest)
