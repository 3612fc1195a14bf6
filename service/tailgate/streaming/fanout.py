"""The live end of a shared source: who stands there, and one frame written to all of them.

Every shared source (a followed file, a pod log stream) reads each batch once and
builds its frame once. The viewers that stand exactly where the source stands form
its live set; a batch is offered to each of them, and one that cannot take it at
once (its connection holds too much, or it paused) leaves the set, handed the
position just before that batch. From there it catches up from the source on its
own (the file, the ring) and joins again once it stands at the live end: nobody
waits for anybody, and nobody skips or repeats a frame at the hand-off.

This is the relay's hot path and it does no I/O: viewers are anything that can be
``offer``-ed a frame (``Viewer``, which writes it or refuses), positions are
whatever the source counts in (a file position, a ring mark), and the clock is
passed in, so the rules are tested without sockets, files or an event loop.
Batches are spaced by ``FanoutPacer``, the one pacing policy of every source.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, Protocol, TypeVar

from .frames import ws_text_frame
from .pacing import FanoutPacer

__all__ = ["FanoutPacer", "HandOff", "LiveSet", "Sink"]


class Sink(Hashable, Protocol):
    """A viewer as the live set sees it (``Viewer`` is one)."""

    def offer(self, frame: bytes, lines: int, payload_size: int) -> bool:
        """Take a pre-built frame now; False when it cannot (it then leaves the set)."""
        ...

    @property
    def wants_levels(self) -> bool:
        """Whether its client asked for each line's level in the frames."""
        ...


P = TypeVar("P")
V = TypeVar("V", bound=Hashable)
S = TypeVar("S", bound=Sink)

#: Told once when a viewer leaves: where it stands now, or None when it went away.
HandOff = Callable[[P | None], None]


class LiveSet(Generic[V, P]):
    def __init__(
        self,
        pacer: FanoutPacer | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._live: dict[V, HandOff[P]] = {}
        self._pacer = pacer or FanoutPacer()
        self._clock = clock

    def __bool__(self) -> bool:
        return bool(self._live)

    def __len__(self) -> int:
        return len(self._live)

    def __iter__(self) -> Iterator[V]:
        return iter(self._live)

    def __contains__(self, viewer: object) -> bool:
        return viewer in self._live

    def wants_levels(self: LiveSet[S, P]) -> bool:
        """Whether any live viewer asked for levels: the next frame then carries them."""
        return any(viewer.wants_levels for viewer in self._live)

    def delay(self) -> float:
        """Seconds before the next batch may go out (0: now), to leave the loop time."""
        return self._pacer.delay(self._clock())

    def join(self, viewer: V, hand_off: HandOff[P]) -> None:
        """The viewer stands where the source stands: it gets every frame from now on.

        The source checks the positions match before it calls this; ``hand_off``
        hears once where the viewer stands when it leaves.
        """
        self._live[viewer] = hand_off

    def leave(self, viewer: V, at: P) -> bool:
        """Take a viewer out (it paused), handing it ``at``; False if it was not live."""
        hand_off = self._live.pop(viewer, None)
        if hand_off is None:
            return False
        hand_off(at)
        return True

    def drop(self, viewer: V) -> bool:
        """The viewer went away: out of the set, with no position to hand it."""
        hand_off = self._live.pop(viewer, None)
        if hand_off is None:
            return False
        hand_off(None)
        return True

    def close(self) -> None:
        """The source is gone: every viewer leaves without a position."""
        live, self._live = self._live, {}
        for hand_off in live.values():
            hand_off(None)

    def fan_out(self: LiveSet[S, P], payload: bytes, lines: int, before: P) -> int:
        """Offer one frame, built once, to every live viewer; returns how many took it.

        Those that cannot take it leave at ``before``, the position just before this
        frame, so they read it again themselves and lose nothing.
        """
        live = self._live
        if not live:
            return 0
        frame = ws_text_frame(payload)
        size = len(payload)
        started = self._clock()
        # The hot path: one call per viewer, and nothing else.
        behind = [viewer for viewer in live if not viewer.offer(frame, lines, size)]
        for viewer in behind:
            live.pop(viewer)(before)
        self._pacer.record(started, self._clock(), len(live))
        return len(live)
