"""Frames of a pod log as the hub hands them out: lines of one source, or one notice.

A batch is built into a frame once for every viewer that gets it. It carries its
cursor as a ``PodCursor`` (encoded only when the frame is built), the sequence
number and line count of its last entry (where a viewer that falls behind picks up
from the ring), and each line's position (so a viewer resumed from the API server
can skip lines it already has). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..streaming.frames import lines_payload
from ..streaming.levels import levels_of
from .log_lines import Position
from .pod_cursor import PodCursor, source_hash
from .ring import Entry

#: Frames carry at most about this much log text.
FRAME_BYTES = 256 * 1024


@dataclass(slots=True, eq=False)
class Batch:
    lines: list[str]
    source: str | None
    mark: PodCursor
    size: int
    #: Parallel to ``lines``: each line's timestamp as its source wrote it, or None.
    stamps: list[str | None] | None = None
    #: Parallel to ``lines``: the source's position after each line.
    positions: list[Position] | None = None
    notice: bytes | None = None
    #: The ring's sequence number and line count at this batch's last entry.
    seq: int = 0
    total: int = 0
    _payload: bytes | None = None
    _leveled: bytes | None = None
    _levels: list[str | None] | None = None
    _levels_known: bool = False

    @property
    def cursor(self) -> str:
        return self.mark.encode()

    def levels(self) -> list[str | None] | None:
        """Each line's level, worked out once (streaming/levels.py)."""
        if not self._levels_known:
            self._levels = levels_of(self.lines)
            self._levels_known = True
        return self._levels

    def payload(self, *, with_levels: bool = False) -> bytes:
        """The frame, built once per form (with each line's level, or without)."""
        if self.notice is not None:
            return self.notice
        if with_levels:
            if self._leveled is None:
                self._leveled = self._build(with_levels=True)
            return self._leveled
        if self._payload is None:
            self._payload = self._build(with_levels=False)
        return self._payload

    def _build(self, *, with_levels: bool) -> bytes:
        stamps = self.stamps if self.stamps and any(self.stamps) else None
        levels = self.levels() if with_levels else None
        return lines_payload(
            self.lines, self.cursor, source=self.source, timestamps=stamps, levels=levels
        )

    def without_lines_up_to(self, floor: Position) -> Batch | None:
        """This batch less its lines at or before ``floor`` (None when nothing is left)."""
        assert self.positions is not None
        over = (floor.ts, floor.count)
        keep = [i for i, p in enumerate(self.positions) if (p.ts, p.count) > over]
        if len(keep) == len(self.lines):
            return self
        if not keep:
            return None
        return replace(
            self,
            lines=[self.lines[i] for i in keep],
            stamps=[self.stamps[i] for i in keep] if self.stamps else None,
            positions=[self.positions[i] for i in keep],
            _payload=None,
            _leveled=None,
            _levels=None,
            _levels_known=False,
        )

    def with_mark(self, mark: PodCursor) -> Batch:
        return replace(self, mark=mark, _payload=None, _leveled=None)


def mark(epoch: int, seq: int, log: int, positions: dict[str | None, Position]) -> PodCursor:
    """A cursor at every source's position (the ring's frames); ``seq`` 0 resumes by
    positions only. Live batches carry the sources furthest behind instead
    (``SourcePositions.furthest_behind``, straight into ``PodCursor``)."""
    newest = max((p.ts for p in positions.values()), default=0)
    keyed = {source_hash(s): p for s, p in positions.items()}
    return PodCursor(epoch, seq, log, keyed, newest)


def frames(
    entries: Iterable[Entry],
    start: dict[str | None, Position],
    *,
    epoch: int,
    log: int,
    by_seq: bool = True,
    notices: bool = True,
) -> list[Batch]:
    """Batches for consecutive ring entries, each with the cursor just after it.

    ``start`` is every source's position before the first entry; ``by_seq`` False
    makes cursors that resume by positions only (entries were picked, not a run)."""
    current = dict(start)
    out: list[Batch] = []
    run: list[Entry] = []
    size = 0

    def close_run() -> None:
        nonlocal run, size
        if run:
            out.append(_frame(run, size, current, epoch, log, by_seq))
            run, size = [], 0

    for entry in entries:
        if entry.position is None:
            if notices and entry.notice is not None:
                close_run()
                out.append(
                    Batch([], None, _mark(entry, current, epoch, log, by_seq), 0,
                          notice=entry.notice, seq=entry.seq, total=entry.lines)
                )  # fmt: skip
            continue
        if run and (entry.source != run[0].source or size > FRAME_BYTES):
            close_run()
        run.append(entry)
        size += len(entry.text) + 3
        current[entry.source] = entry.position
    close_run()
    return out


def _mark(
    entry: Entry,
    current: dict[str | None, Position],
    epoch: int,
    log: int,
    by_seq: bool,
) -> PodCursor:
    return mark(epoch, entry.seq if by_seq else 0, log, current)


def _frame(
    run: list[Entry],
    size: int,
    current: dict[str | None, Position],
    epoch: int,
    log: int,
    by_seq: bool,
) -> Batch:
    last = run[-1]
    return Batch(
        [e.text for e in run],
        run[0].source,
        _mark(last, current, epoch, log, by_seq),
        size,
        [e.stamp for e in run],
        [e.position for e in run if e.position is not None],
        seq=last.seq,
        total=last.lines,
    )
