"""One viewer's place in a shared pod log stream: at the live end, or a mark in the ring.

At the live end, a viewer is in the hub's live set (``streaming.fanout``, the core
files use too): each batch's frame is built once and written to its connection at
once, through the viewer's own bounded, ordered outbox. A viewer that cannot take a
frame (its connection holds too much, or it paused) leaves the live set with a mark
(the last entry it has) and its task catches up from the ring at its own pace,
losing nothing while the ring still holds the entries after its mark; if the ring
moved on past it, it is told how many lines it missed (a ``gap`` notice). Once the
ring has nothing after its mark it joins the live set again, at that same entry.

A viewer resumed from the API server (another replica's cursor) may be ahead of this
stream for some sources for a moment: ``floors`` drop the lines it already has, and
raise the positions in its cursors to what it has, until the stream passes them.
Such a viewer gets each batch filtered for it alone (``offer``) until then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from ..streaming.fanout import Sink
from ..streaming.frames import ws_text_frame
from .batches import Batch
from .log_lines import Position
from .pod_cursor import PodCursor, source_hash
from .positions import CURSOR_SOURCES

#: (sequence number, line count) of the last entry a viewer has.
Mark = tuple[int, int]


@dataclass(eq=False)
class Subscriber:
    viewer: Sink
    #: Text read from the ring at most per catch-up step.
    limit: int
    #: Entries after ``mark`` from the ring: (batches, lines missed, the mark after
    #: them), or None when the ring has nothing after ``mark`` (the hub gives this).
    catch_up: Callable[[Mark, int], tuple[list[Batch], int, Mark] | None]
    #: The stream's current position of a source (hash), to know when floors are passed.
    position_of: Callable[[int], Position | None]
    #: Puts this viewer in the hub's live set, at the end of the ring.
    rejoin: Callable[[Subscriber], None]
    #: Where the viewer stands while it is not live (it reads from the ring).
    behind: Mark | None = None
    floors: dict[int, Position] = field(default_factory=dict)
    #: Set when the viewer's task has something to do: catch up, or finish.
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def live(self) -> bool:
        return self.behind is None

    def fell_behind(self, mark: Mark | None) -> None:
        """Out of the live set at ``mark`` (None: the stream is gone): read the ring next."""
        if mark is not None:
            self.behind = mark
            self.wake.set()

    def offer(self, batch: Batch) -> bool:
        """Write ``batch`` less the lines under the floors; False when the viewer cannot."""
        kept, passed = self._above_floors(batch)
        if kept is not None:
            if kept.notice is not None:
                payload = kept.notice
                if not self.viewer.offer(ws_text_frame(payload), 0, len(payload)):
                    return False
            elif not self.viewer.offer_batch(kept):
                return False
        self._passed(passed)
        return True

    def take(self) -> tuple[list[Batch], int]:
        """What to send next from the ring, and how many lines were missed before it.

        When the ring has nothing after the viewer's mark, it is live again from here
        (nothing is pending then, so it gets the next batch and nothing twice)."""
        self.wake.clear()
        if self.behind is None:
            return [], 0
        step = self.catch_up(self.behind, self.limit)
        if step is None:
            self.behind = None
            self.rejoin(self)
            return [], 0
        batches, missed, self.behind = step
        self.wake.set()  # the mark moved: look again for more, or to go live
        if not self.floors:
            return batches, missed
        out = []
        for batch in batches:
            kept, passed = self._above_floors(batch)
            self._passed(passed)
            if kept is not None:
                out.append(kept)
        return out, missed

    def _above_floors(self, batch: Batch) -> tuple[Batch | None, int | None]:
        """``batch`` less what the viewer has, and the floor it reaches past, if any."""
        floors = self.floors
        if not floors:
            return batch, None
        passed = None
        if batch.positions is not None:
            key = source_hash(batch.source)
            floor = floors.get(key)
            if floor is not None:
                last = batch.positions[-1]
                if (last.ts, last.count) >= (floor.ts, floor.count):
                    passed = key
                kept = batch.without_lines_up_to(floor)
                if kept is None:
                    return None, passed
                batch = kept
        # Cursors say what the viewer has of the sources this stream follows; a floor
        # of a source it does not follow (a pod that left) only drops lines, if any come.
        followed = {
            k: f for k, f in floors.items() if k != passed and self.position_of(k) is not None
        }
        if not followed:
            return batch, passed
        return batch.with_mark(_raised(batch.mark, followed)), passed

    def _passed(self, key: int | None) -> None:
        """The viewer now has lines of that source past its floor: the floor is done."""
        if key is not None:
            self.floors.pop(key, None)


def _raised(mark: PodCursor, floors: dict[int, Position]) -> PodCursor:
    positions = dict(mark.positions)
    # A mark of only the sources furthest behind leaves the others out: they are past
    # all of those, so the cursor would not keep them, floor or not (positions.py).
    partial = len(positions) >= CURSOR_SOURCES
    for key, floor in floors.items():
        have = positions.get(key)
        if have is None and partial:
            continue
        if have is None or (have.ts, have.count) < (floor.ts, floor.count):
            positions[key] = floor
    # ``mark.positions`` may be only the sources furthest behind: keep its newest.
    newest = max((p.ts for p in floors.values()), default=0)
    return PodCursor(mark.epoch, mark.seq, mark.log, positions, max(mark.newest, newest))
