"""One shared log stream's fan-out: the ring, and the live set of its viewers.

The stream publishes each batch once; the hub adds it to the ring (``ring.py``: new
viewers take their backlog and resume from it), builds its frame once and writes it
to every viewer in its live set (``streaming.fanout``, the core files use too).
Publishing never waits for a viewer, so a slow or paused one costs at most its
outbox bound and never slows the others: it leaves the live set at the mark before
the batch it could not take, catches up from the ring (``subscriber.py``), and joins
again at the ring's end. No I/O here: resuming from the API server is
``resume.py``'s, which places a viewer with what it fetched (``place``).

Each line keeps the timestamp its source wrote (the kubelet's RFC 3339 prefix, as
text) beside it; frames carry them as ``timestamps``, parallel to ``lines``.

Batches are paced by the policy every shared source uses (``streaming.pacing``): a
line after a quiet spell goes out at once, but under load the lines read meanwhile
are merged into one batch, so with many viewers fewer, larger batches keep CPU flat
while adding only a few milliseconds of latency.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ..errors import SourceError
from ..streaming.fanout import LiveSet, Sink
from ..streaming.frames import notice_payload
from ..streaming.pacing import FLEET, FanoutPacer
from .batches import FRAME_BYTES, Batch, frames
from .log_lines import Position
from .pod_cursor import PodCursor, log_tag, source_hash
from .positions import CURSOR_SOURCES
from .ring import Entry, Ring
from .subscriber import Mark, Subscriber

#: Log text one step of a viewer's catch-up reads from the ring at most.
CATCH_UP_BYTES = 1024 * 1024
#: The ring keeps at most this many bytes of text, whatever its line count.
RING_BYTES = 8 * 1024 * 1024

Line = tuple[Position, str, str | None]


@dataclass(frozen=True, slots=True)
class Fetched:
    """A source's lines after a position, read from the API server for a resume."""

    lines: list[Line]
    #: The read reached back to the position asked for (nothing in between is missing).
    reached: bool


#: Reads a source's lines after a position, at most ``limit`` of them.
Backfill = Callable[[Position, int], Awaitable[Fetched]]


@dataclass(frozen=True, slots=True)
class Start:
    """Where a new viewer starts: its backlog frames, and a gap message if any."""

    batches: list[Batch]
    gap: str | None = None
    problem: str | None = None


@dataclass(slots=True)
class _Pending:
    source: str | None
    texts: list[str]
    stamps: list[str | None]
    positions: list[Position]
    size: int
    seq: int = 0
    total: int = 0
    #: The cursor's positions after these lines, by source hash (what ``PodCursor`` takes).
    snapshot: dict[int, Position] = field(default_factory=dict)
    newest: int = 0


class LineHub:
    def __init__(
        self,
        *,
        capacity: int,
        catch_up_bytes: int = CATCH_UP_BYTES,
        ring_bytes: int = RING_BYTES,
        on_drop: Callable[[int], None] = lambda _n: None,
        on_sent: Callable[[int, int], None] = lambda _lines, _bytes: None,
        log_id: str = "",
    ) -> None:
        self.epoch = secrets.randbits(32) | 1
        self.log = log_tag(log_id)
        self.capacity = max(1, capacity)
        self.ring = Ring(self.capacity, ring_bytes)
        self._catch_up_bytes = catch_up_bytes
        self._on_drop = on_drop
        self._on_sent = on_sent
        self._subscribers: set[Subscriber] = set()
        #: The viewers at the live end: each batch's frame is written to them at once.
        self._live: LiveSet[Sink, Mark] = LiveSet(FanoutPacer(fleet=FLEET))
        #: Live viewers resumed ahead of this stream: each gets the batch less the
        #: lines it has (``Subscriber.floors``), until the stream passes them.
        self._floored: set[Subscriber] = set()
        #: The ring's sequence number and line count at the last entry handed out.
        self._handed: Mark = (0, 0)
        #: Sources that can be read again from the API server, for resumes.
        self.backfills: dict[str | None, Backfill] = {}
        #: Reads again in flight or just done, shared by resumes (see ``resume.py``).
        self.fetching: dict[tuple[str | None, Position], asyncio.Future[Fetched]] = {}
        #: Bounds the reads again of all resumes of this stream together.
        self.reads_again: asyncio.Semaphore | None = None
        self.ready = asyncio.Event()
        self.failure: SourceError | None = None
        self.ended = False
        #: The current condition (waiting, error) every new viewer hears at once.
        self.state: bytes | None = None
        self._state_listeners: set[Callable[[bytes], None]] = set()
        self._pending: list[_Pending] = []
        self._flush_handle: asyncio.Handle | asyncio.TimerHandle | None = None

    # -- the stream's side ----------------------------------------------------------

    def start_source(
        self, source: str | None, base: Position, backfill: Backfill | None = None
    ) -> None:
        """A source's lines follow; the ring will hold them after ``base``."""
        self.ring.start_source(source, base)
        if backfill is not None:
            self.backfills[source] = backfill

    def stop_source(self, source: str | None) -> None:
        self.backfills.pop(source, None)
        self.ring.forget_source(source)

    def publish(
        self,
        source: str | None,
        lines: list[tuple[Position, str]],
        stamps: list[str | None] | None = None,
    ) -> None:
        """Add lines (source position after each, text) read from ``source``.

        ``stamps``, parallel to ``lines``, are the timestamps as the source wrote them
        (None where a line had none), for viewers to show."""
        if not lines:
            return
        if stamps is None:
            stamps = [None] * len(lines)
        entries = self.ring.add_lines(
            source, [(p, t, s) for (p, t), s in zip(lines, stamps, strict=True)]
        )
        texts = [e.text for e in entries]
        positions = [p for p, _ in lines]
        size = sum(len(t) + 3 for t in texts)
        last = entries[-1]
        pending = self._pending
        if pending and pending[-1].source == source and pending[-1].size < FRAME_BYTES:
            held = pending[-1]
            held.texts.extend(texts)
            held.stamps.extend(stamps)
            held.positions.extend(positions)
            held.size += size
        else:
            held = _Pending(source, texts, list(stamps), positions, size)
            pending.append(held)
        held.seq, held.total = last.seq, last.lines
        held.snapshot, held.newest = self._cursor_positions()
        self._schedule_flush()

    def _cursor_positions(self) -> tuple[dict[int, Position], int]:
        """What a cursor made now carries: the sources furthest behind, the newest time."""
        positions = self.ring.positions
        return positions.furthest_behind(CURSOR_SOURCES), positions.newest()

    def _schedule_flush(self) -> None:
        if self._flush_handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # Used without a loop (pure tests): no pacing, batches go out at once.
            self.flush()
            return
        delay = self._live.delay()
        if delay > 0:
            self._flush_handle = loop.call_later(delay, self.flush)
        else:
            self._flush_handle = loop.call_soon(self.flush)

    def flush(self) -> None:
        """Hand the lines published since the last batch to every live viewer."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        batches = [
            Batch(
                held.texts,
                held.source,
                PodCursor(self.epoch, held.seq, self.log, held.snapshot, held.newest),
                held.size,
                held.stamps,
                held.positions,
                seq=held.seq,
                total=held.total,
            )
            for held in pending
        ]
        # Together at most a frame's worth, as one batch was: what a viewer's connection
        # may hold beyond its bound stays what it was.
        start = size = 0
        for end, batch in enumerate(batches):
            if end > start and size + batch.size > FRAME_BYTES:
                self._hand_out(batches[start:end])
                start, size = end, 0
            size += batch.size
        self._hand_out(batches[start:])

    def notice(self, event: str, message: str) -> None:
        """A notice in order with the lines around it, for current viewers."""
        self.send(notice_payload(event, message))

    def send(self, payload: bytes) -> None:
        """A notice or error frame in order with the lines around it (kept in the ring,
        so a viewer catching up or resuming on this stream hears it too)."""
        self.flush()
        entry = self.ring.add_notice(payload)
        cursor = PodCursor(self.epoch, entry.seq, self.log, *self._cursor_positions())
        batch = Batch([], None, cursor, 0, notice=payload, seq=entry.seq, total=entry.lines)
        before, self._handed = self._handed, (batch.seq, batch.total)
        sent = self._live.fan_out(payload, 0, before)
        if sent:
            self._on_sent(0, len(payload) * sent)
        if self._floored:
            self._offer_floored([batch], [before])

    def _hand_out(self, batches: list[Batch]) -> None:
        """Consecutive batches to every live viewer, in one write each (``fan_out_batches``);
        one that cannot take them leaves at the entry before the first."""
        befores: list[Mark] = []
        for batch in batches:
            befores.append(self._handed)
            self._handed = (batch.seq, batch.total)
        tally = self._live.fan_out_batches(batches, befores[0])
        if tally.viewers:
            self._on_sent(tally.lines, tally.bytes)
        if self._floored:
            self._offer_floored(batches, befores)

    def _offer_floored(self, batches: list[Batch], befores: list[Mark]) -> None:
        """Each batch to each viewer resumed ahead of the stream, less what it has; one
        past every floor joins the live set after the last (the next fan-out is its)."""
        for subscriber in list(self._floored):
            for batch, before in zip(batches, befores, strict=True):
                if not subscriber.offer(batch):
                    self._floored.discard(subscriber)
                    subscriber.fell_behind(before)
                    break
            else:
                if not subscriber.floors:
                    self._floored.discard(subscriber)
                    self._live.join(subscriber.viewer, subscriber.fell_behind)

    def set_state(self, frame: bytes | None) -> None:
        """The stream's condition changed; ``frame`` (if any) goes to every viewer now."""
        self.state = frame
        if frame is not None:
            for listener in list(self._state_listeners):
                listener(frame)

    def mark_ready(self) -> None:
        self.ready.set()

    def fail(self, failure: SourceError) -> None:
        self.flush()
        self.failure = failure
        self._wake_all()

    def end(self) -> None:
        """The log is complete (a previous container's log): viewers finish and stop."""
        self.flush()
        self.ended = True
        self._wake_all()

    def close(self) -> None:
        """The stream is gone: reads again still running for resumes stop."""
        for read in self.fetching.values():
            read.cancel()
        self.fetching.clear()

    def _wake_all(self) -> None:
        self.ready.set()
        for subscriber in self._subscribers:
            subscriber.wake.set()

    # -- the viewers' side ------------------------------------------------------------

    def listen(self, listener: Callable[[bytes], None]) -> None:
        self._state_listeners.add(listener)
        if self.state is not None:
            listener(self.state)

    def unlisten(self, listener: Callable[[bytes], None]) -> None:
        self._state_listeners.discard(listener)

    def place(self, viewer: Sink) -> Subscriber:
        """A new viewer's place, at the ring's end: its task sends its start first,
        then takes what came meanwhile from the ring, and goes live after that."""
        # Lines still waiting for their batch are in the ring already: hand them out
        # first, so the new viewer gets them once, from its start.
        self.flush()
        subscriber = Subscriber(
            viewer, self._catch_up_bytes, self._catch_up, self._position_of, self._rejoin
        )
        subscriber.fell_behind(self._handed)
        self._subscribers.add(subscriber)
        return subscriber

    def subscribe(self, viewer: Sink, backlog: int) -> tuple[Subscriber, Start]:
        """A place for a new viewer and its backlog, taken at the same instant."""
        subscriber = self.place(viewer)
        return subscriber, Start(self._run_frames(self.ring.last(backlog), notices=False))

    def subscribe_seq(self, viewer: Sink, seq: int) -> tuple[Subscriber, Start] | None:
        """Resume this stream right after entry ``seq``; None if the ring lost it."""
        self.flush()
        entries = self.ring.after_seq(seq)
        if entries is None:
            return None
        subscriber = self.place(viewer)
        return subscriber, Start(self._run_frames(entries, notices=True))

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)
        self._floored.discard(subscriber)
        self._live.drop(subscriber.viewer)

    def _rejoin(self, subscriber: Subscriber) -> None:
        """At the end of what was handed out (the ring's end, once flushed): live again."""
        if subscriber not in self._subscribers:
            return
        if subscriber.floors:
            self._floored.add(subscriber)
        else:
            self._live.join(subscriber.viewer, subscriber.fell_behind)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def sources(self) -> dict[int, str | None]:
        """The sources a cursor may name here, by hash: the ones this stream reads."""
        known = set(self.ring.positions) | set(self.backfills)
        return {source_hash(s): s for s in known}

    def _run_frames(self, entries: list[Entry], *, notices: bool) -> list[Batch]:
        if not entries:
            return []
        start = self.ring.positions_before(entries[0].seq)
        return frames(entries, start, epoch=self.epoch, log=self.log, notices=notices)

    def _catch_up(self, behind: Mark, limit: int) -> tuple[list[Batch], int, Mark] | None:
        """The ring's entries after ``behind``, up to ``limit`` of text; None if none."""
        self.flush()
        seq, total = behind
        if behind == self._handed:
            return None
        entries = self.ring.after_seq(seq)
        missed = 0
        if entries is None:
            entries = list(self.ring.entries)
            missed = max(0, self.ring.lines_before_head() - total)
            if missed:
                self._on_drop(missed)
        if not entries:
            return [], missed, self._handed
        count = size = 0
        while count < len(entries) and size <= limit:
            size += len(entries[count].text) + 3
            count += 1
        picked = entries[:count]
        last = picked[-1]
        return self._run_frames(picked, notices=True), missed, (last.seq, last.lines)

    def _position_of(self, key: int) -> Position | None:
        return self.ring.positions.by_hash(key)
