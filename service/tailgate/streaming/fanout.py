"""The live end of a shared source: who stands there, and each frame written once.

Every shared source (a followed file, a pod log stream) reads each batch once. The
viewers that stand exactly where the source stands form its live set; viewers that
asked for the same (a ``View``: a filter or none, levels or not) form a group, and
each batch is framed once per group (``views.render``, the group's ``FilterRun``
moved on once) and offered to each of its viewers. One that cannot take it at once
(its connection holds too much, or it paused) leaves the set, handed the position
just before that batch and the filter state there. From there it catches up from the
source on its own (the file, the ring) and joins again once it stands at the live
end: nobody waits for anybody, and nobody skips or repeats a frame at the hand-off.

This is the relay's hot path and it does no I/O: viewers are anything that can be
``offer``-ed a frame (``Viewer``, which writes it or refuses), positions are
whatever the source counts in (a file position, a ring mark), and the clock is
passed in, so the rules are tested without sockets, files or an event loop.
Batches are spaced by ``FanoutPacer``, the one pacing policy of every source.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from .frames import ws_text_frame
from .line_filter import FilterRun
from .pacing import FanoutPacer
from .views import Batch, View, render_all

__all__ = ["FanoutPacer", "HandOff", "LiveSet", "Sent", "Sink"]


class Sink(Hashable, Protocol):
    """A viewer as the live set sees it (``Viewer`` is one)."""

    def offer(self, frame: bytes, lines: int, payload_size: int) -> bool:
        """Take a pre-built frame now; False when it cannot (it then leaves the set)."""
        ...

    @property
    def view(self) -> View:
        """What its client asked to be sent (the group it is framed with)."""
        ...

    #: Its filter's state while it reads on its own; the group's holds while it is live.
    run: FilterRun | None

    def skip(self, lines: int, batch: Batch) -> None:
        """Count lines its filter left out (up to ``batch``), to report them in time."""
        ...

    def offer_batch(self, batch: Batch) -> bool:
        """``batch`` framed for this viewer alone (its own filter state), then ``offer``-ed."""
        ...


P = TypeVar("P")
V = TypeVar("V", bound=Hashable)
S = TypeVar("S", bound=Sink)

#: Told once when a viewer leaves: where it stands now, or None when it went away.
HandOff = Callable[[P | None], None]


@dataclass(frozen=True, slots=True)
class Sent:
    """What one batch's fan-out wrote, over every viewer that took it."""

    viewers: int = 0
    lines: int = 0
    bytes: int = 0


class _Group(Generic[S]):
    __slots__ = ("members", "run")

    def __init__(self, run: FilterRun | None) -> None:
        self.members: dict[S, None] = {}
        self.run = run


class LiveSet(Generic[V, P]):
    def __init__(
        self,
        pacer: FanoutPacer | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._live: dict[V, HandOff[P]] = {}
        self._groups: dict[View, _Group[V]] = {}  # type: ignore[type-var]
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

    @property
    def views(self) -> int:
        """How many different views the live viewers asked for (frames built per batch)."""
        return len(self._groups)

    def delay(self) -> float:
        """Seconds before the next batch may go out (0: now), to leave the loop time."""
        return self._pacer.delay(self._clock())

    def join(self: LiveSet[S, P], viewer: S, hand_off: HandOff[P]) -> None:
        """The viewer stands where the source stands: it gets every frame from now on.

        The source checks the positions match before it calls this; ``hand_off``
        hears once where the viewer stands when it leaves. The viewer's filter state
        is its group's from now on (or starts the group).
        """
        self._live[viewer] = hand_off
        group = self._groups.get(viewer.view)
        if group is None:
            group = self._groups[viewer.view] = _Group(viewer.run)
        group.members[viewer] = None
        viewer.run = None

    def leave(self: LiveSet[S, P], viewer: S, at: P) -> bool:
        """Take a viewer out (it paused), handing it ``at``; False if it was not live."""
        hand_off = self._live.pop(viewer, None)
        if hand_off is None:
            return False
        run = self._ungroup(viewer)
        viewer.run = run.copy() if run is not None else None
        hand_off(at)
        return True

    def drop(self: LiveSet[S, P], viewer: S) -> bool:
        """The viewer went away: out of the set, with no position to hand it."""
        hand_off = self._live.pop(viewer, None)
        if hand_off is None:
            return False
        self._ungroup(viewer)
        hand_off(None)
        return True

    def close(self) -> None:
        """The source is gone: every viewer leaves without a position."""
        live, self._live = self._live, {}
        self._groups = {}
        for hand_off in live.values():
            hand_off(None)

    def _ungroup(self: LiveSet[S, P], viewer: S) -> FilterRun | None:
        """Take ``viewer`` out of its group; the group's filter state (it stays the group's)."""
        view = viewer.view
        group = self._groups[view]
        del group.members[viewer]
        if not group.members:
            del self._groups[view]
        return group.run

    def fan_out(self: LiveSet[S, P], payload: bytes, lines: int, before: P) -> int:
        """Offer one frame, the same for every view, to every live viewer (a notice).

        Returns how many took it. Those that cannot take it leave at ``before``, the
        position just before this frame, so they read it again themselves and lose
        nothing.
        """
        live = self._live
        if not live:
            return 0
        frame = ws_text_frame(payload)
        size = len(payload)
        started = self._clock()
        behind = [viewer for viewer in live if not viewer.offer(frame, lines, size)]
        for viewer in behind:
            self.leave(viewer, before)
        self._pacer.record(started, self._clock(), len(live))
        return len(live)

    def fan_out_batch(self: LiveSet[S, P], batch: Batch, before: P) -> Sent:
        """Frame ``batch`` once per view and offer it to each live viewer of that view.

        Those that cannot take it leave at ``before`` with their filter's state there,
        so they read the batch again themselves and lose nothing, repeat nothing.
        """
        return self.fan_out_batches([batch], before)

    def fan_out_batches(self: LiveSet[S, P], batches: Sequence[Batch], before: P) -> Sent:
        """Consecutive ``batches`` as ``fan_out_batch``, each viewer taking them in one
        offer (``views.render_all``): all of them, or none, leaving at ``before``."""
        if not self._live:
            return Sent()
        started = self._clock()
        viewers = lines = size = 0
        last = batches[-1]
        for view, group in list(self._groups.items()):
            run = group.run
            # The state before these batches, for whoever has to read them again.
            before_run = run.saved() if run is not None else None
            rendered = render_all(batches, view, run)
            members = group.members
            frame = rendered.frame
            if frame is not None:
                # The hot path: one call per viewer, and nothing else.
                took = rendered.lines
                payload_size = rendered.size
                behind = [v for v in members if not v.offer(frame, took, payload_size)]
                for viewer in behind:
                    del members[viewer]
                    viewer.run = before_run.copy() if before_run is not None else None
                    self._live.pop(viewer)(before)
                viewers += len(members)
                lines += took * len(members)
                size += rendered.size * len(members)
            if rendered.skipped:
                for viewer in members:
                    viewer.skip(rendered.skipped, last)
            if not members:
                del self._groups[view]
        self._pacer.record(started, self._clock(), len(self._live))
        return Sent(viewers, lines, size)
