"""The last lines of a pod log, and what they let a viewer resume from: pure, no I/O.

Every line (and every notice: ``joined``, ``restarted`` ...) gets a sequence number
in the ring, so a viewer of this stream resumes exactly by number, notices
included. Each line also keeps its source's position (timestamp and count, as
``log_lines`` defines it), and the ring knows, per source, from which position on
it holds *every* line (``base``): a cursor from another stream of the log resumes
here exactly when its position for each source is at or after that source's base.
A source whose prime read did not reach its log's start has a base just after the
first timestamp it kept (``cut_base``), so same-timestamp lines it never saw are
never miscounted.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from .log_lines import Position
from .positions import SourcePositions

#: A count beyond any real one: "every line stamped with this timestamp".
WHOLE_SECOND = 1 << 62


def cut_base(first_ts: int) -> Position:
    """The base of a source whose lines stamped ``first_ts`` may be only partly known."""
    return Position(first_ts, WHOLE_SECOND)


@dataclass(slots=True)
class Entry:
    seq: int
    #: Lines in the ring's stream up to and including this entry (for gap counts).
    lines: int
    source: str | None
    #: The source's position just after this line; None for a notice.
    position: Position | None
    text: str
    stamp: str | None = None
    notice: bytes | None = None


class Ring:
    def __init__(self, capacity: int, limit_bytes: int) -> None:
        self._capacity = max(1, capacity)
        self._limit_bytes = limit_bytes
        self.entries: deque[Entry] = deque()
        self._bytes = 0
        self.seq = 0
        self.lines = 0
        #: Every source's position after its newest line.
        self.positions = SourcePositions()
        #: Per source: the ring holds every line after this position.
        self.base: dict[str | None, Position] = {}
        #: The newest timestamp of any line.
        self.newest = 0
        self._retired: dict[str | None, Position] = {}
        #: Lines held per source, so departed sources are forgotten with their lines.
        self._held: dict[str | None, int] = {}

    def start_source(self, source: str | None, base: Position) -> None:
        """A source begins (its prime read): the ring holds its lines after ``base``."""
        if source in self.positions:
            return
        if source in self._retired:
            # Back again (a pod that left and rejoined): the ring still knows it.
            self.positions[source] = self._retired.pop(source)
            return
        self.positions[source] = base
        self.base[source] = base

    def add_lines(
        self, source: str | None, lines: Iterable[tuple[Position, str, str | None]]
    ) -> list[Entry]:
        added = []
        if source not in self.positions:
            self.start_source(source, Position())
        position = self.positions[source]
        for position, text, stamp in lines:
            self.seq += 1
            self.lines += 1
            entry = Entry(self.seq, self.lines, source, position, text, stamp)
            self.entries.append(entry)
            self._bytes += len(text)
            added.append(entry)
            if position.ts > self.newest:
                self.newest = position.ts
        self.positions[source] = position
        self._held[source] = self._held.get(source, 0) + len(added)
        self._trim()
        return added

    def add_notice(self, payload: bytes) -> Entry:
        self.seq += 1
        entry = Entry(self.seq, self.lines, None, None, "", notice=payload)
        self.entries.append(entry)
        self._trim()
        return entry

    def _trim(self) -> None:
        entries = self.entries
        while len(entries) > self._capacity or (
            self._bytes > self._limit_bytes and len(entries) > 1
        ):
            gone = entries.popleft()
            self._bytes -= len(gone.text)
            position = gone.position
            if position is None:
                continue
            source = gone.source
            base = self.base.get(source)
            if base is None or (position.ts, position.count) > (base.ts, base.count):
                self.base[source] = position
            held = self._held[source] - 1
            self._held[source] = held
            if not held and source not in self.positions:
                del self._held[source], self.base[source]
                self._retired.pop(source, None)

    def forget_source(self, source: str | None) -> None:
        """The source stopped (its pod left): cursors stop carrying it."""
        if source in self.positions:
            self._retired[source] = self.positions.pop(source)

    # -- reading ------------------------------------------------------------------------

    def after_seq(self, seq: int) -> list[Entry] | None:
        """Entries after ``seq``; None when the ring no longer holds the one after it."""
        if seq > self.seq:
            return None
        entries = self.entries
        first = entries[0].seq if entries else self.seq + 1
        if seq < first - 1:
            return None
        return [e for e in entries if e.seq > seq]

    def lines_before_head(self) -> int:
        """Lines of the stream before the oldest entry still held."""
        if not self.entries:
            return self.lines
        head = self.entries[0]
        return head.lines - (0 if head.position is None else 1)

    def covers(self, source: str | None, position: Position) -> bool:
        """Does the ring hold every line of ``source`` after ``position``?"""
        base = self.base.get(source)
        return base is not None and _key(position) >= _key(base)

    def last(self, count: int) -> list[Entry]:
        """The last ``count`` lines (notices left out), for a new viewer's backlog."""
        if count <= 0:
            return []
        picked: list[Entry] = []
        for entry in reversed(self.entries):
            if entry.position is not None:
                picked.append(entry)
                if len(picked) == count:
                    break
        picked.reverse()
        return picked

    def positions_before(self, entry_seq: int) -> dict[str | None, Position]:
        """Every source's position just before entry ``entry_seq`` (for backlog cursors)."""
        current = dict(self.base)
        for entry in self.entries:
            if entry.seq >= entry_seq:
                break
            if entry.position is not None:
                current[entry.source] = entry.position
        for source in list(current):
            if source not in self.positions:
                del current[source]
        return current


def _key(position: Position) -> tuple[int, int]:
    return (position.ts, position.count)


def after(position: Position, mark: Position) -> bool:
    return _key(position) > _key(mark)
