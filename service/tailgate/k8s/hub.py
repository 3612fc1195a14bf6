"""One shared log stream's fan-out: a ring buffer for backlogs, a bounded queue per viewer.

The stream publishes each batch once; the hub keeps the last lines in a ring (new
viewers take their backlog and resume from it) and appends the batch to every
viewer's queue. Queues hold references to shared batches and are bounded in bytes:
a viewer whose queue is full loses its oldest batches, skipping ahead towards the
live end, and is told how many lines it missed (a ``gap`` notice) when it next reads.
Publishing never waits for a viewer, so a slow one costs at most its queue bound and
never slows the others. No I/O here.

Each line keeps the timestamp its source wrote (the kubelet's RFC 3339 prefix, as
text) beside it; frames carry them as ``timestamps``, parallel to ``lines``, when any
line in the frame has one.

Batches are paced: a line after a quiet spell goes out at once, but under load the
lines read meanwhile are merged into one batch at most every ``PACE_PER_VIEWER``
seconds per subscriber (capped by ``PACE_MAX``). Every batch costs each viewer a
wake-up and a write, so with many viewers fewer, larger batches keep CPU flat while
adding only a few milliseconds of latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import SourceError
from ..streaming.frames import lines_payload, notice_payload
from .log_lines import BadCursor, PodCursor, Position

#: Bytes of queued log text one viewer may hold before it starts missing batches.
QUEUE_BYTES = 1024 * 1024
#: The ring keeps at most this many bytes of text, whatever its line count.
RING_BYTES = 8 * 1024 * 1024
#: Backlog frames carry at most about this much text.
FRAME_BYTES = 256 * 1024
#: Spacing between batches per subscriber, and its ceiling.
PACE_PER_VIEWER = 0.0001
PACE_MAX = 0.025


@dataclass(slots=True)
class RingLine:
    seq: int
    position: Position
    source: str | None
    text: str
    stamp: str | None = None


@dataclass(slots=True, eq=False)
class Batch:
    """Lines from one source (or a notice), built into a frame once for every viewer."""

    lines: list[str]
    source: str | None
    cursor: str
    size: int
    #: Parallel to ``lines``: each line's timestamp as its source wrote it, or None.
    stamps: list[str | None] | None = None
    notice: bytes | None = None
    _payload: bytes | None = None

    def payload(self) -> bytes:
        if self.notice is not None:
            return self.notice
        if self._payload is None:
            stamps = self.stamps if self.stamps and any(self.stamps) else None
            self._payload = lines_payload(
                self.lines, self.cursor, source=self.source, timestamps=stamps
            )
        return self._payload


@dataclass(eq=False)
class Subscriber:
    """One viewer's queue. ``missed`` counts lines dropped since it last read."""

    limit: int
    queue: deque[Batch] = field(default_factory=deque)
    queued: int = 0
    missed: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def push(self, batch: Batch, on_drop: Callable[[int], None]) -> None:
        """Queue a batch; past the limit, the oldest batches go (the viewer skips ahead)."""
        self.queue.append(batch)
        self.queued += batch.size
        while self.queued > self.limit and len(self.queue) > 1:
            gone = self.queue.popleft()
            self.queued -= gone.size
            if gone.lines:
                self.missed += len(gone.lines)
                on_drop(len(gone.lines))
        self.wake.set()

    def take(self) -> tuple[list[Batch], int]:
        batches = list(self.queue)
        missed = self.missed
        self.queue.clear()
        self.queued = 0
        self.missed = 0
        self.wake.clear()
        return batches, missed


@dataclass(frozen=True, slots=True)
class Start:
    """Where a new viewer starts: its backlog frames, and a gap message if any."""

    batches: list[Batch]
    gap: str | None = None
    problem: str | None = None


class LineHub:
    def __init__(
        self,
        *,
        capacity: int,
        queue_bytes: int = QUEUE_BYTES,
        ring_bytes: int = RING_BYTES,
        on_drop: Callable[[int], None] = lambda _n: None,
    ) -> None:
        self.epoch = secrets.token_hex(4)
        self._capacity = max(1, capacity)
        self._ring: deque[RingLine] = deque()
        self._ring_bytes = 0
        self._ring_limit = ring_bytes
        self._queue_bytes = queue_bytes
        self._on_drop = on_drop
        self._subscribers: set[Subscriber] = set()
        self.seq = 0
        self.position = Position()
        #: The ring holds the log from its very first line (nothing was cut off).
        self.from_start = True
        self.ready = asyncio.Event()
        self.failure: SourceError | None = None
        self.ended = False
        #: The current condition (waiting, error) every new viewer hears at once.
        self.state: bytes | None = None
        self._state_listeners: set[Callable[[bytes], None]] = set()
        self._pending: list[tuple[str | None, list[str], list[str | None], int]] = []
        self._flush_handle: asyncio.Handle | asyncio.TimerHandle | None = None
        self._last_flush = 0.0

    # -- the stream's side ----------------------------------------------------------

    def publish(
        self,
        source: str | None,
        lines: list[tuple[int, str]],
        stamps: list[str | None] | None = None,
    ) -> None:
        """Add lines (timestamp, text) read from ``source`` and hand them to every queue.

        ``stamps``, parallel to ``lines``, are the timestamps as the source wrote them
        (None where a line had none), for viewers to show."""
        if not lines:
            return
        if stamps is None:
            stamps = [None] * len(lines)
        texts = []
        size = 0
        ring = self._ring
        for (ts, text), stamp in zip(lines, stamps, strict=True):
            self.seq += 1
            self.position = self.position.after(ts)
            ring.append(RingLine(self.seq, self.position, source, text, stamp))
            self._ring_bytes += len(text)
            texts.append(text)
            size += len(text) + 3
        while len(self._ring) > self._capacity or (
            self._ring_bytes > self._ring_limit and len(self._ring) > 1
        ):
            gone = self._ring.popleft()
            self._ring_bytes -= len(gone.text)
            self.from_start = False
        pending = self._pending
        if pending and pending[-1][0] == source and pending[-1][3] < FRAME_BYTES:
            _, held, held_stamps, held_size = pending[-1]
            held.extend(texts)
            held_stamps.extend(stamps)
            pending[-1] = (source, held, held_stamps, held_size + size)
        else:
            pending.append((source, texts, list(stamps), size))
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if self._flush_handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # Used without a loop (pure tests): no pacing, batches go out at once.
            self.flush()
            return
        spacing = min(PACE_MAX, PACE_PER_VIEWER * len(self._subscribers))
        due = self._last_flush + spacing
        if due <= loop.time():
            self._flush_handle = loop.call_soon(self.flush)
        else:
            self._flush_handle = loop.call_at(due, self.flush)

    def flush(self) -> None:
        """Hand the lines published since the last batch to every queue."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        with contextlib.suppress(RuntimeError):
            self._last_flush = asyncio.get_running_loop().time()
        cursor = self.cursor()
        for source, texts, stamps, size in pending:
            batch = Batch(texts, source, cursor, size, stamps)
            for subscriber in self._subscribers:
                subscriber.push(batch, self._on_drop)

    def notice(self, event: str, message: str) -> None:
        """A notice in order with the lines around it, for current viewers."""
        self.send(notice_payload(event, message))

    def send(self, payload: bytes) -> None:
        """A notice or error frame in order with the lines around it, for current viewers."""
        self.flush()
        batch = Batch([], None, "", 0, notice=payload)
        for subscriber in self._subscribers:
            subscriber.push(batch, self._on_drop)

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

    def _wake_all(self) -> None:
        self.ready.set()
        for subscriber in self._subscribers:
            subscriber.wake.set()

    def cut_off(self) -> None:
        """The ring does not hold the log's start (priming read only its last lines)."""
        self.from_start = False

    # -- the viewers' side ------------------------------------------------------------

    def listen(self, listener: Callable[[bytes], None]) -> None:
        self._state_listeners.add(listener)
        if self.state is not None:
            listener(self.state)

    def unlisten(self, listener: Callable[[bytes], None]) -> None:
        self._state_listeners.discard(listener)

    def subscribe(self, backlog: int, cursor: str | None) -> tuple[Subscriber, Start]:
        """A queue for a new viewer and what it gets first, taken at the same instant."""
        # Lines still waiting for their batch are in the ring already: hand them out
        # first, so the new viewer gets them once, from its backlog.
        self.flush()
        subscriber = Subscriber(self._queue_bytes)
        self._subscribers.add(subscriber)
        if cursor:
            try:
                decoded = PodCursor.decode(cursor)
            except BadCursor as exc:
                return subscriber, Start(self._frames(self._last(backlog)), problem=str(exc))
            return subscriber, self._resume(decoded)
        return subscriber, Start(self._frames(self._last(backlog)))

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def cursor(self) -> str:
        return PodCursor(self.epoch, self.seq, self.position).encode()

    def _last(self, count: int) -> list[RingLine]:
        if count <= 0:
            return []
        ring = self._ring
        return list(ring)[-count:] if count < len(ring) else list(ring)

    def _resume(self, cursor: PodCursor) -> Start:
        ring = list(self._ring)
        if cursor.epoch == self.epoch and cursor.seq <= self.seq:
            first = ring[0].seq if ring else self.seq + 1
            if cursor.seq >= first - 1:
                return Start(self._frames([line for line in ring if line.seq > cursor.seq]))
        at = cursor.position
        if not ring:
            return Start([])
        head = ring[0].position
        covered = self.from_start or head.ts < at.ts or (head.ts == at.ts and head.count <= 1)
        rest = [line for line in ring if _after(line.position, at)]
        if covered:
            return Start(self._frames(rest))
        return Start(
            self._frames(rest),
            gap="the log moved on further than this server keeps; lines may be missing",
        )

    def _frames(self, lines: list[RingLine]) -> list[Batch]:
        frames: list[Batch] = []
        run: list[RingLine] = []
        size = 0
        for line in lines:
            if run and (line.source != run[0].source or size > FRAME_BYTES):
                frames.append(self._frame(run, size))
                run, size = [], 0
            run.append(line)
            size += len(line.text) + 3
        if run:
            frames.append(self._frame(run, size))
        return frames

    def _frame(self, run: list[RingLine], size: int) -> Batch:
        last = run[-1]
        cursor = PodCursor(self.epoch, last.seq, last.position).encode()
        texts = [line.text for line in run]
        return Batch(texts, run[0].source, cursor, size, [line.stamp for line in run])


def _after(position: Position, cursor: Position) -> bool:
    return (position.ts, position.count) > (cursor.ts, cursor.count)
