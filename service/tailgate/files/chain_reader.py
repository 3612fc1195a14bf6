"""Reading a followed log at its live end: each file of its chain in turn, once for all.

The follower decides when to read (events, pacing); this reads: from its position
to the end of the current file in bounded chunks, split into lines, each batch
fanned out to the live set; on to the next file of the chain once the current one
is finished (``rotated`` or ``created``); a truncation (copytruncate) noticed before
every read, with a ``gap`` first when it took bytes not read yet; a last line
without its newline held back until the writer finishes it or goes quiet
(``partial_line``). Every batch leaves with the position before it, so a viewer
that cannot take it reads it again itself.
"""

from __future__ import annotations

from collections.abc import Callable

from ..streaming import gaps
from ..streaming.views import TextBatch
from . import notices
from .chain import HandleChain
from .copies import truncated_copy_size
from .handle import ReadPoint
from .lines import split_lines
from .live_set import LiveSet
from .partial_line import PartialLine
from .path_state import lost_to_truncation, truncated
from .roots import LogRoots

#: Bytes read per frame: large enough to amortise per-frame costs, small enough to bound a frame.
READ_SIZE = 256 * 1024
#: Bytes one pump may read before letting other work run.
PUMP_BUDGET = 4 * 1024 * 1024


class ChainReader:
    def __init__(
        self,
        path: str,
        roots: LogRoots,
        chain: HandleChain,
        live: LiveSet,
        *,
        max_line: int,
        between_chunks: Callable[[], None],
        moved: Callable[[], None],
        on_quiet: Callable[[int, int], None],
    ) -> None:
        self.path = path
        self._roots = roots
        self._chain = chain
        self._live = live
        self._max_line = max_line
        #: Called between two chunks of one read: a new file must not wait for its end.
        self._between_chunks = between_chunks
        #: Called when the position moved to another file (its watch follows it).
        self._moved = moved
        self.partial = PartialLine(on_quiet)
        self.pos: ReadPoint | None = None

    def stand_at(self, pos: ReadPoint) -> None:
        """Stand at ``pos`` (taken over: its reference is the reader's now)."""
        old, self.pos = self.pos, pos
        self.partial.done()
        if old is not None:
            moved = old.handle is not pos.handle
            old.release()
            if moved:
                self._moved()

    def close(self) -> None:
        self.partial.done()
        if self.pos is not None:
            self.pos.release()
            self.pos = None

    def read_chain(self, *, final: bool) -> bool:
        """Read the current file, and every finished one on to the next; True if more waits."""
        while (pos := self.pos) is not None:
            handle = pos.handle
            if self._read_available(pos, final=final or handle.finished):
                return True
            if not (handle.retired and pos.offset >= handle.limit(handle.size())):
                return False
            self._move_on(pos)
        return False

    def _read_available(self, pos: ReadPoint, *, final: bool, budget: int = PUMP_BUDGET) -> bool:
        """Read and fan out what is new; True when more is waiting beyond the budget."""
        handle = pos.handle
        size = handle.limit(self.check_truncation(pos))
        chunks = 0
        while pos.offset < size:
            if budget <= 0:
                return True
            if chunks:
                self._between_chunks()
            chunks += 1
            data = handle.read(pos.offset, min(READ_SIZE, size - pos.offset))
            if not data:
                break
            at_end = pos.offset + len(data) >= size
            chunk = split_lines(data, final=final and at_end, max_line=self._max_line)
            if chunk.consumed == 0:
                self.partial.waiting(pos.offset, size)
                break
            start_offset, start_tail = pos.offset, pos.tail
            pos.advance(data, chunk.consumed)
            self.partial.done()
            self._live.fan_out_batch(
                TextBatch(chunk.lines, pos.cursor()),
                ReadPoint(handle, start_offset, start_tail, pos.truncations),
            )
            budget -= chunk.consumed
            if chunk.consumed < len(data) and at_end:
                self.partial.waiting(pos.offset, size)
                break
        return False

    def _move_on(self, pos: ReadPoint) -> None:
        """The current file is read to its end: go on to the next one in the chain."""
        old = pos.handle
        successor = old.next
        assert successor is not None
        self.pos = ReadPoint(successor.acquire(), 0, b"", successor.truncations)
        self.partial.done()
        event = old.next_event
        # Viewers that cannot take the notice finish the old file on their own.
        self._live.fan_out(notices.switched(self.path, event), 0, pos)
        pos.release()
        self._moved()

    def skip_finished(self) -> None:
        """With nobody live, stand at the first file not finished yet."""
        pos = self.pos
        moved = False
        while pos is not None and pos.handle.retired:
            successor = pos.handle.next
            assert successor is not None
            self.pos = ReadPoint(successor.acquire(), 0, b"", successor.truncations)
            pos.release()
            pos = self.pos
            moved = True
        if moved:
            self.partial.done()
            self._moved()

    def check_truncation(self, pos: ReadPoint) -> int:
        """The file's size, after noticing a truncation or rewrite before our offset."""
        handle = pos.handle
        size = handle.size()
        matches = pos.offset == 0 or handle.bytes_before(pos.offset) == pos.tail
        if truncated(size, pos.offset, tail_matches=matches):
            self._truncated(pos)
            size = handle.size()
        return size

    def _truncated(self, pos: ReadPoint) -> None:
        handle = pos.handle
        before = ReadPoint(handle, pos.offset, pos.tail, pos.truncations)
        if self._live:
            # The copy a copytruncate made holds what was not read yet: say how much.
            copy_size = truncated_copy_size(self.path, self._roots, pos.offset, pos.tail)
            lost = lost_to_truncation(pos.offset, copy_size)
            if lost:
                self._live.tell(gaps.truncated_before_read(self.path, lost), before)
        handle.truncations += 1
        pos.offset, pos.tail, pos.truncations = 0, b"", handle.truncations
        self.partial.done()
        self._live.fan_out(notices.truncated(self.path), 0, before)

    def report_late(self) -> None:
        """Tell live viewers about lines written to files already finished."""
        lines = self._chain.late_lines()
        if lines and self.pos is not None:
            self._live.fan_out(notices.late(self.path, lines), 0, self.pos)

    def missed(self) -> None:
        """Tell live viewers about files that came and went before they were opened."""
        pos = self.pos
        files, lost = self._chain.look_for_missed(pos.handle if pos is not None else None)
        if files and pos is not None:
            self._live.tell(gaps.rotated_away(self.path, files, lost), pos)
