"""The rotated copies of a log in its folder, for what the open files alone cannot tell.

Two moments need them. A file can be renamed away again before the follower got
to open it (two rotations in one look): it is among the copies, and is found by
being one the follower never held. And a copytruncate can outrun the follower:
the bytes it had not read yet are in the copy, which is found by the bytes just
before the follower's offset; its size says how much was lost.

Only names that rotation tools give count (``rotated_names``), and every copy is
opened under the log's file roots.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from ..errors import FileRefused
from .cursor import checksum
from .handle import FileHandle
from .roots import LogRoots
from .rotated_names import is_rotated_copy

log = logging.getLogger(__name__)

#: A folder is scanned this far at most: the copies a rotation just made are few.
MAX_ENTRIES = 500
#: A copytruncate's copy is looked for among this many newest copies.
MAX_CANDIDATES = 4


#: What logrotate's ``compress`` adds to a rotated copy's name.
GZ = ".gz"


@dataclass(frozen=True, slots=True)
class Copy:
    path: str
    dev: int
    ino: int
    mtime_ns: int
    size: int
    #: A gzipped copy (``NAME.1.gz``); only listed when asked for.
    compressed: bool = False


def rotated_copies(path: str, *, gzipped: bool = False) -> list[Copy]:
    """The rotated copies of ``path`` in its folder, oldest first (by modification).

    ``gzipped``: the same names with ``.gz`` too (history reads them; a tail cannot).
    """
    directory, name = os.path.split(path)
    found: list[Copy] = []
    try:
        with os.scandir(directory or ".") as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_ENTRIES:
                    break
                compressed = gzipped and entry.name.endswith(GZ)
                stem = entry.name[: -len(GZ)] if compressed else entry.name
                if not is_rotated_copy(stem, name):
                    continue
                try:
                    st = entry.stat()
                except OSError:
                    continue
                found.append(
                    Copy(entry.path, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size, compressed)
                )
    except OSError as exc:
        log.warning("cannot list the rotated copies of %s: %s", path, exc.strerror)
    found.sort(key=lambda c: c.mtime_ns)
    return found


def open_copy(copy: Copy, roots: LogRoots) -> FileHandle | None:
    """The copy opened under the roots, if it is still the file that was listed."""
    try:
        handle = FileHandle.open(copy.path, roots)
    except (OSError, FileRefused):
        return None
    if (handle.dev, handle.ino) != (copy.dev, copy.ino):
        handle.release()
        return None
    return handle


def truncated_copy_size(path: str, roots: LogRoots, offset: int, tail: bytes) -> int | None:
    """The size of the copy a copytruncate made of the file read up to ``offset``.

    The copy holds the same bytes before ``offset`` as were read there (``tail``);
    None when no such copy is found.
    """
    if offset <= 0:
        return None
    for copy in reversed(rotated_copies(path)[-MAX_CANDIDATES:]):
        if copy.size < offset:
            continue
        handle = open_copy(copy, roots)
        if handle is None:
            continue
        try:
            if checksum(handle.bytes_before(offset)) == checksum(tail):
                return handle.size()
        except OSError:
            continue
        finally:
            handle.release()
    return None
