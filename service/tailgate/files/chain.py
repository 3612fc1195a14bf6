"""The files one log's path has named, held open in order, so none is lost to rotation.

A busy log rotates several times a second (the kubelet at 10 MiB). Waiting for a
new file to have data before opening it loses every file renamed away again in
the meantime, so each new file is opened the moment its name appears and linked
after the previous one: ``handle.next``. Readers finish each file before the
next, whatever names the files have by then.

A linked file is *finished* once its writer has moved on, which shows as the
first byte in a later file (``path_state.writer_moved_on``); its end is fixed
then, and every reader stops there. Bytes written into a finished file later
(a writer with several threads, reopening) are counted and told to viewers,
never silently dropped.

When the name was given to more files than were opened (two rotations between
two looks), the missing ones are found among the rotated copies and put back in
their place in the chain; if readers are already past that place, what they hold
is reported as a gap.
"""

from __future__ import annotations

import time
from collections import deque

from .copies import Copy, open_copy, rotated_copies
from .handle import FileHandle
from .path_state import late_bytes, missed_files, writer_moved_on
from .roots import LogRoots

#: A finished file is watched this long for late writes.
LATE_WATCH = 10.0
#: At most this many finished files are watched for late writes.
LATE_FILES = 8
#: A late write is counted from at most this many bytes.
LATE_READ = 1024 * 1024


class HandleChain:
    """The newest handle for the path, and what is needed to keep the chain whole."""

    def __init__(self, path: str, roots: LogRoots) -> None:
        self.path = path
        self._roots = roots
        #: The file the path named at the last look (the chain holds a reference).
        self.newest: FileHandle | None = None
        #: New files under the name, by directory event, and new files opened since.
        self.name_events = 0
        self.opened = 0
        #: Events were lost (inotify queue overflow): look for missed files.
        self.overflowed = False
        #: New names are counted (the folder is watched): see ``count_names``.
        self.names_counted = True
        #: Files found among the copies that were gone before they could be opened.
        self._vanished = 0
        #: Files followed by one linked while names went uncounted, by id: the copies
        #: are searched when each is finished, however many are finished at once.
        self._search_after: dict[int, FileHandle] = {}
        #: A file renamed away before it was opened was written after this (mtime).
        self._floor_ns = 0
        self._late: deque[tuple[FileHandle, int, float]] = deque()

    def close(self) -> None:
        self._search_after.clear()
        if self.newest is not None:
            self.newest.release()
            self.newest = None
        while self._late:
            self._late.popleft()[0].release()

    def hold(self, handle: FileHandle, *, appeared: bool) -> None:
        """The first file: the chain starts here (takes over the caller's reference).

        ``appeared``: it was created while the follower waited (a directory event
        for it is due), rather than there from the start.
        """
        self.newest = handle
        self.name_events, self.opened = 0, int(appeared)
        try:
            # Copies already there when following starts were written before it.
            self._floor_ns = handle.mtime_ns()
        except OSError:
            self._floor_ns = 0

    def count_names(self, counted: bool) -> None:
        """Whether the folder's watch counts new names from now on (``name_events``).

        Without it (polling), nothing tells how many files the name was given
        between two looks, so every file linked then is treated like an overflow:
        the rotated copies are looked through for files never opened. Counting
        starts afresh when the watch does: names given before it were never counted.
        """
        if counted and not self.names_counted:
            self.name_events = self.opened = 0
        self.names_counted = counted

    def link(self, handle: FileHandle, event: str) -> None:
        """``handle`` took the name: it follows the newest (takes over the reference)."""
        old = self.newest
        self.newest = handle
        self.opened += 1
        if old is not None and not self.names_counted:
            # Other files may have had the name since the last look: only the
            # copies can tell (``_put_back_missed``).
            self._search_after[id(old)] = old
        if old is not None:
            try:
                self._floor_ns = old.mtime_ns()
            except OSError:
                self._floor_ns = 0
            old.link(handle, event)
            old.release()

    @staticmethod
    def members(start: FileHandle) -> list[FileHandle]:
        """``start`` and every file linked after it, oldest first."""
        out = [start]
        while (after := out[-1].next) is not None:
            out.append(after)
        return out

    def finish_ready(self, start: FileHandle) -> bool:
        """Finish every file from ``start`` on whose writer has moved on; True if any."""
        changed = False
        while self._finish_round(start):
            changed = True
        return changed

    def _finish_round(self, start: FileHandle) -> bool:
        if start.next is None or (start.finished and start.next.next is None):
            return False
        files = self.members(start)
        sizes = [f.size() for f in files]
        for i, handle in enumerate(files[:-1]):
            if not handle.finished and writer_moved_on(sizes[i + 1 :]):
                # A write seen in a later file proves that every write to this one is
                # done, so its end is taken after that (a second fstat).
                handle.finish(handle.size())
                self._watch_late(handle)
                # Before anyone reads past it: files renamed away before they were
                # opened go back between it and its successor.
                self._put_back_missed(handle)
                return True
        return False

    # -- late writes ----------------------------------------------------------------

    def _watch_late(self, handle: FileHandle) -> None:
        assert handle.end is not None
        self._late.append((handle.acquire(), handle.end, time.monotonic() + LATE_WATCH))
        while len(self._late) > LATE_FILES:
            self._late.popleft()[0].release()

    @property
    def watching_late(self) -> bool:
        """Whether finished files are still watched for late writes."""
        return bool(self._late)

    def late_lines(self) -> int:
        """Lines written to finished files since the last call (and stop watching old ones)."""
        now = time.monotonic()
        total = 0
        kept: deque[tuple[FileHandle, int, float]] = deque()
        while self._late:
            handle, counted, until = self._late.popleft()
            try:
                size = handle.size()
            except OSError:
                size = counted
            extra = late_bytes(counted, size)
            if extra:
                data = handle.read(counted, min(extra, LATE_READ))
                lines = data.count(b"\n")
                if lines:
                    # Only whole lines are counted; a partial one is counted with its end.
                    handle.late_lines += lines
                    total += lines
                    counted += data.rfind(b"\n") + 1
            if until > now:
                kept.append((handle, counted, until))
            else:
                handle.release()
        self._late = kept
        return total

    # -- files renamed away before they were opened -------------------------------

    def names_met(self) -> None:
        """Every name given so far is accounted for: it was looked at, and refused."""
        self.opened = max(self.opened, self.name_events)

    def look_for_missed(self, start: FileHandle | None) -> tuple[int, int]:
        """Files the name held that were never read, once readers are in the newest file.

        Files missed between two that are held are put back when the earlier one is
        finished (``_put_back_missed``). What is left shows in the counts: the name
        was given to more files (directory events) than were opened. Returns how
        many files, and the bytes of those still found among the rotated copies.
        """
        missed = self.name_events - self.opened
        if start is None or start is not self.newest:
            return 0, 0
        vanished, self._vanished = self._vanished, 0
        if not self.overflowed and not missed_files(self.name_events, self.opened):
            return vanished, 0
        self.name_events = self.opened = 0
        self.overflowed = False
        lost = self._unseen_copies(start, self._floor_ns, None)
        return max(missed, len(lost)) + vanished, sum(c.size for c in lost)

    def _put_back_missed(self, handle: FileHandle) -> None:
        successor = handle.next
        if successor is None:
            return
        uncounted = self._search_after.pop(id(handle), None) is handle
        if (
            not uncounted
            and not self.overflowed
            and not missed_files(self.name_events, self.opened)
        ):
            # Every new name met its file: nothing to look for (and nothing to
            # mistake for a missed file among the copies).
            return
        # Events were lost (queue overflow): the copies are all there is to go by.
        self.overflowed = False
        try:
            floor, ceiling = handle.mtime_ns(), successor.mtime_ns()
        except OSError:
            return
        before = handle
        for copy in self._unseen_copies(handle, floor, ceiling):
            missed = open_copy(copy, self._roots)
            if missed is None:
                # Removed (or replaced) since it was listed: its lines are lost.
                self._vanished += 1
                continue
            self.opened += 1
            missed.link(successor, before.next_event)
            before.link(missed, before.next_event)
            missed.release()
            before = missed

    def _unseen_copies(
        self, start: FileHandle, floor_ns: int, ceiling_ns: int | None
    ) -> list[Copy]:
        """Rotated copies not held, modified between the bounds, oldest first.

        A file renamed away before it was opened was written after the file before
        it (its last write at ``floor_ns`` or later) and before the file after it.
        Held means open from ``start`` on: an inode number is unique only while
        its file is open (a removed file's number is soon given to a new file).
        """
        held = {(h.dev, h.ino) for h in self.members(start)}
        held.update((h.dev, h.ino) for h, _, _ in self._late)
        return [
            c
            for c in rotated_copies(self.path)
            if (c.dev, c.ino) not in held
            and c.mtime_ns >= floor_ns
            and (ceiling_ns is None or c.mtime_ns <= ceiling_ns)
        ]
