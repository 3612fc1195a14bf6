"""An open file, shared by every reader of that inode, and where to go after it.

Reads use ``pread``, which leaves the descriptor's own offset alone, so one
descriptor serves the shared follower and every viewer catching up on the same
inode. Handles are reference-counted: the descriptor closes the moment the last
reader lets go. When the follower moves on to a new file (rotation), the old handle
keeps a reference to its successor so a viewer still reading the old file can
follow the same chain the follower took, without losing a file in between.

A handle is linked to its successor the moment the successor appears, but it is
*finished* only later, once the writer has moved on: until then its writer may
still append to it (a rename rotation before the writer reopens). Readers move
past a handle only when it is finished, and never read past its ``end``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .cursor import CHECK_BYTES, FileCursor, checksum
from .roots import LogRoots


class FileHandle:
    __slots__ = (
        "dev",
        "end",
        "fd",
        "finished",
        "ino",
        "late_lines",
        "next",
        "next_event",
        "path",
        "refs",
        "truncations",
    )

    def __init__(self, fd: int, path: str) -> None:
        st = os.fstat(fd)
        self.fd = fd
        self.path = path
        self.dev = st.st_dev
        self.ino = st.st_ino
        self.refs = 1
        self.truncations = 0
        self.next: FileHandle | None = None
        self.next_event = "rotated"
        #: Nothing more is expected in this file: readers move on to ``next`` at its end.
        self.finished = False
        #: Where a finished file ends for every reader (None: wherever it ends).
        self.end: int | None = None
        #: Lines written after the file was finished at ``end``: counted, not sent.
        self.late_lines = 0

    @classmethod
    def open(cls, path: str, roots: LogRoots) -> FileHandle:
        """Open ``path`` if it is a regular file under ``roots`` (else ``FileRefused``)."""
        fd = roots.open(path)
        try:
            return cls(fd, path)
        except BaseException:
            os.close(fd)
            raise

    @property
    def retired(self) -> bool:
        """Finished, with a file to go on to."""
        return self.finished and self.next is not None

    def acquire(self) -> FileHandle:
        self.refs += 1
        return self

    def release(self) -> None:
        self.refs -= 1
        if self.refs == 0:
            os.close(self.fd)
            self.fd = -1
            successor, self.next = self.next, None
            if successor is not None:
                successor.release()

    def retire(self, successor: FileHandle, event: str) -> None:
        """A file read to its end (a rotated copy): readers go on to ``successor``."""
        self.link(successor, event)
        self.finished = True

    def link(self, successor: FileHandle, event: str) -> None:
        """``successor`` took this file's name; this one may still grow until finished."""
        if self.next is not None:
            self.next.release()
        self.next = successor.acquire()
        self.next_event = event

    def finish(self, end: int) -> None:
        """The writer moved on: readers read up to ``end`` and then go to ``next``."""
        self.finished = True
        self.end = end

    def limit(self, size: int) -> int:
        """How far readers may read, given the file's current size."""
        return size if self.end is None else min(size, self.end)

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def mtime_ns(self) -> int:
        return os.fstat(self.fd).st_mtime_ns

    def linked(self) -> bool:
        return os.fstat(self.fd).st_nlink > 0

    def read(self, offset: int, size: int) -> bytes:
        return os.pread(self.fd, size, offset)

    def bytes_before(self, offset: int) -> bytes:
        start = max(0, offset - CHECK_BYTES)
        return os.pread(self.fd, offset - start, start)

    def same_file(self, st: os.stat_result) -> bool:
        return st.st_dev == self.dev and st.st_ino == self.ino


@dataclass(slots=True)
class ReadPoint:
    """Where one reader stands: a handle it holds a reference on, and an offset in it.

    Not a ``Position`` (a pod log's timestamp and count, a value): a read point owns
    a reference on its handle and must be released.
    """

    handle: FileHandle
    offset: int
    tail: bytes = b""
    truncations: int = 0
    released: bool = field(default=False)

    def check(self) -> int:
        return checksum(self.tail)

    def advance(self, data: bytes, consumed: int) -> None:
        """Move past the first ``consumed`` bytes of ``data``, read at this position."""
        self.offset += consumed
        if consumed >= CHECK_BYTES:
            self.tail = data[consumed - CHECK_BYTES : consumed]
        else:
            self.tail = (self.tail + data[:consumed])[-CHECK_BYTES:]

    def cursor(self) -> str:
        return FileCursor(self.handle.dev, self.handle.ino, self.offset, self.check()).encode()

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.handle.release()
