"""One viewer's tail of a file: start (backlog or resume), catch up, then go live.

A viewer reads on its own, through the shared handles, whenever it is not at the
follower's position: for its backlog, after a resume, after falling behind, after a
pause. Once it stands exactly where the follower stands (same file, same offset),
it joins the follower's live set and costs nothing more than a write per batch.
Because the hand-over happens only at equal positions, every byte of the file
reaches the viewer once: no gap and no duplicate, however often it falls behind.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

from ..errors import SourceFailed
from ..metrics import Metrics
from ..streaming import gaps
from ..streaming.viewer import Viewer
from ..streaming.views import TextBatch
from . import notices
from .backlog import backlog_start, line_boundary_at_or_before
from .copies import open_copy, rotated_copies, truncated_copy_size
from .cursor import BadCursor, FileCursor, checksum
from .follower import READ_SIZE, FileFollower, State
from .handle import FileHandle, ReadPoint
from .lines import DEFAULT_MAX_LINE, split_lines
from .path_state import lost_to_truncation

#: While waiting at the end, re-check at least this often.
IDLE_CHECK = 1.0


class FileTail:
    def __init__(
        self,
        follower: FileFollower,
        viewer: Viewer,
        *,
        metrics: Metrics,
        max_line: int = DEFAULT_MAX_LINE,
        max_backlog: int = 10000,
        other_logs: Callable[[], frozenset[str]] = frozenset,
    ) -> None:
        self._follower = follower
        #: Gives the paths of the catalog's other file logs: never a rotated copy of this one.
        self._other_logs = other_logs
        #: (backlog lines, file size) when the tail began while the file was unreadable.
        self._after_error: tuple[int, int | None] | None = None
        self._viewer = viewer
        self._max_line = max_line
        self._max_backlog = max_backlog
        self._sent_lines = metrics.sent_lines.labels(follower.log_id)
        self._sent_bytes = metrics.sent_bytes.labels(follower.log_id)
        self._gaps = metrics.gaps
        self._pos: ReadPoint | None = None

    async def start(self, *, backlog: int, cursor: str | None) -> None:
        """Fix where the tail starts, before the viewer is told it has begun (hello).

        Lines written after this are the viewer's, even if ``run`` starts later.
        ``close`` undoes it.
        """
        self._follower.attach(self._viewer)
        self._pos = await self._start(backlog, cursor)

    def close(self) -> None:
        if self._pos is not None:
            self._pos.release()
            self._pos = None
        self._follower.detach(self._viewer)

    async def run(self) -> None:
        """Stream from where ``start`` put the tail until cancelled; raises SourceFailed
        if the follower goes away."""
        follower, viewer = self._follower, self._viewer
        pos, self._pos = self._pos, None
        try:
            while True:
                if viewer.paused:
                    await viewer.wait_resumed()
                    viewer.resend_state()
                if pos is None:
                    pos = self._first_position()
                    if pos is None:
                        await follower.wait_changed(IDLE_CHECK)
                        continue
                joined = follower.try_join(viewer, pos)
                if joined is not None:
                    pos.release()
                    pos = None
                    pos = await self._live(joined)
                    continue
                if not await self._step(pos):
                    await follower.wait_changed(IDLE_CHECK)
        finally:
            if pos is not None:
                pos.release()

    async def _live(self, fut: asyncio.Future[ReadPoint]) -> ReadPoint:
        follower, viewer = self._follower, self._viewer
        if viewer.paused:
            follower.leave_live(viewer)
        try:
            return await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                fut.result().release()
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            raise SourceFailed("the log's reader stopped") from None

    async def _step(self, pos: ReadPoint) -> bool:
        """Send what follows ``pos``, or move it on; False when there is nothing to do."""
        follower, viewer = self._follower, self._viewer
        # Before anything is read: a viewer that does not read holds no batch meanwhile.
        await viewer.wait_room()
        handle = pos.handle
        own = follower.pos
        is_followed = own is not None and own.handle is handle
        if pos.truncations != handle.truncations:
            # What this viewer had not read yet is in the copy the truncation made.
            copy_size = truncated_copy_size(follower.path, follower.roots, pos.offset, pos.tail)
            lost = lost_to_truncation(pos.offset, copy_size)
            pos.offset, pos.tail, pos.truncations = 0, b"", handle.truncations
            if lost:
                await self._tell(gaps.truncated_before_read(follower.path, lost))
            await viewer.send(notices.truncated(follower.path))
            return True
        size = handle.size()
        if size < pos.offset:
            if not is_followed:
                # Nobody else watches this (rotated) file: note the truncation here.
                handle.truncations += 1
                return True
            return False
        # A finished file ends where the follower finished it, for every reader.
        end = handle.limit(size)
        if pos.offset < end:
            data = handle.read(pos.offset, min(READ_SIZE, end - pos.offset))
            final = handle.finished and pos.offset + len(data) >= end
            chunk = split_lines(data, final=final, max_line=self._max_line)
            if chunk.consumed == 0 and own is not None and is_followed and own.offset > pos.offset:
                # The follower already sent this partial line; send it the same way.
                limit = min(len(data), own.offset - pos.offset)
                chunk = split_lines(data[:limit], final=True, max_line=self._max_line)
            if chunk.consumed:
                pos.advance(data, chunk.consumed)
                rendered = await viewer.send_batch(TextBatch(chunk.lines, pos.cursor()))
                if rendered.frame is not None:
                    self._sent_lines.inc(rendered.lines)
                    self._sent_bytes.inc(rendered.size)
                # A send into a socket with room returns without yielding: give the
                # loop a turn, or a viewer catching up holds off the follower's events
                # for many frames (and a new file must be opened within milliseconds).
                # Not holding the bytes read and their lines meanwhile: viewers that fell
                # behind together would each hold a whole read at once.
                del data, chunk, rendered
                await asyncio.sleep(0)
                return True
            if not handle.finished:
                return False
        if not handle.finished and not follower.follows(handle):
            if own is None:
                return False
            # A rotated file found for a resume, finished: the followed file comes next.
            handle.retire(own.handle, "rotated")
        successor = handle.next
        if successor is None or not handle.finished:
            # The writer may still write here (renamed, not reopened yet): wait.
            return False
        # This file is finished and the follower moved on: follow the same way.
        event = handle.next_event
        pos.handle = successor.acquire()
        pos.offset, pos.tail, pos.truncations = 0, b"", successor.truncations
        if handle.late_lines:
            await viewer.send(notices.late(follower.path, handle.late_lines))
        handle.release()
        await viewer.send(notices.switched(follower.path, event))
        return True

    # -- where a tail starts --------------------------------------------------------

    async def _start(self, backlog: int, cursor: str | None) -> ReadPoint | None:
        start = await self._start_at(backlog, cursor)
        if start is None and self._follower.state is State.ERROR:
            # Unreadable now (permission denied, say): once it can be read, this viewer
            # still gets its backlog and every line written from now on.
            self._after_error = (
                backlog if not cursor else self._max_backlog,
                _size(self._follower.path),
            )
        return start

    def _first_position(self) -> ReadPoint | None:
        """Where to begin in the follower's first file, once there is one."""
        pos = self._follower.first_position()
        if pos is None or self._after_error is None:
            return pos
        lines, size_then = self._after_error
        self._after_error = None
        handle = pos.handle
        size = handle.size()
        end = line_boundary_at_or_before(
            handle.fd, size if size_then is None else min(size_then, size)
        )
        offset = backlog_start(handle.fd, end, lines)
        if offset < pos.offset:
            pos.offset, pos.tail = offset, handle.bytes_before(offset)
        return pos

    async def _tell(self, gap: gaps.Gap) -> None:
        """A gap notice in order with this viewer's lines, counted."""
        await self._viewer.send(gap.payload())
        self._count(gap)

    def _count(self, gap: gaps.Gap) -> None:
        self._gaps.labels(self._follower.log_id, gap.cause).inc()

    async def _start_at(self, backlog: int, cursor: str | None) -> ReadPoint | None:
        follower, viewer = self._follower, self._viewer
        if cursor:
            try:
                decoded = FileCursor.decode(cursor)
            except BadCursor as exc:
                viewer.error("bad_cursor", str(exc))
            else:
                resumed = self._resume(decoded)
                if resumed is not None:
                    return resumed
                gap = gaps.cursor_lost(
                    "the file the cursor points into is gone or was rewritten; lines may be "
                    f"missing. Continuing with {follower.path} from its start"
                )
                viewer.control(gap.payload())
                self._count(gap)
                # The current file from its start, or its last max_backlog lines.
                return await self._backlog(self._max_backlog)
        return await self._backlog(backlog)

    async def _backlog(self, lines: int) -> ReadPoint | None:
        """A position ``lines`` complete lines before the follower's place (or None).

        The scan back reads up to ``MAX_BACKLOG_BYTES``, which on a network filesystem
        can block for long: it runs in a worker thread so other tails go on. The start
        position is fixed before, and the handle it holds keeps the descriptor open.
        """
        start = self._follower.start_position()
        if start is None or lines <= 0:
            return start
        handle = start.handle
        try:
            start.offset = await asyncio.to_thread(backlog_start, handle.fd, start.offset, lines)
        except BaseException:
            start.release()
            raise
        start.tail = handle.bytes_before(start.offset)
        return start

    def _resume(self, cursor: FileCursor) -> ReadPoint | None:
        """Where the cursor points, in this log's files only; None when it is gone.

        A checksum that does not match means the file is not the one the cursor was
        made in (rewritten, or its inode number reused): that is a gap, never a read
        of that file from its start.
        """
        handle = self._find_handle(cursor)
        if handle is None:
            return None
        if cursor.offset > handle.size() or (
            checksum(handle.bytes_before(cursor.offset)) != cursor.check
        ):
            handle.release()
            return None
        return ReadPoint(
            handle, cursor.offset, handle.bytes_before(cursor.offset), handle.truncations
        )

    def _find_handle(self, cursor: FileCursor) -> FileHandle | None:
        """An acquired handle on the cursor's file: the followed one or a rotated copy.

        Only the log's own file and its rotated copies (by rotation names, see
        ``rotated_names``) are candidates, each opened under the log's file roots and
        never another catalog entry's file, so a forged cursor cannot reach any other
        file. A copy is linked to the copies rotated after it (by modification time,
        oldest first) and then to the followed file, so a resume reads every file the
        log went through while the viewer was away.
        """
        follower = self._follower
        for handle in follower.handles():
            if (handle.dev, handle.ino) == (cursor.dev, cursor.ino):
                return handle.acquire()
        excluded = self._other_logs()
        copies = [
            c for c in rotated_copies(follower.path) if os.path.normpath(c.path) not in excluded
        ]
        found = next((c for c in copies if (c.dev, c.ino) == (cursor.dev, cursor.ino)), None)
        if found is None:
            return None
        first = open_copy(found, follower.roots)
        if first is None:
            return None
        chain_end = first
        for copy in copies:  # oldest first
            if copy is found or copy.mtime_ns < found.mtime_ns:
                continue
            later = open_copy(copy, follower.roots)
            if later is None:
                continue
            chain_end.retire(later, "rotated")
            later.release()  # the chain holds it now
            chain_end = later
        current = follower.pos
        if current is not None and chain_end is not current.handle:
            chain_end.retire(current.handle, "rotated")
        return first


def _size(path: str) -> int | None:
    """The size of ``path`` by ``stat``, which needs no read permission (None if unknown)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return None
