"""The files of one log, newest first: the current file, then its rotated copies.

History reads the file the log's path names now, then the copies rotation left
beside it, newest (by modification time) first: the names ``files/rotated_names.py``
knows, and the same names with ``.gz`` (logrotate's ``compress``). Nothing else is
ever a candidate: not a file that merely shares the name as a prefix, not another
catalog log's file, and every file is opened under the log's file roots
(``files/roots.py``) and checked to still be the inode that was listed.

Files are opened one at a time as the reading reaches them, and closed by the caller
(``close``), so a request holds at most a couple of descriptors.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from ..errors import FileRefused
from ..files.copies import rotated_copies
from ..files.handle import FileHandle
from ..files.roots import LogRoots
from .errors import BadPosition, HistoryUnavailable
from .places import Place

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Listed:
    """One file of the log as found: where, which inode, and how it is stored."""

    path: str
    dev: int
    ino: int
    mtime_ns: int
    compressed: bool
    current: bool

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


class LogFiles:
    """The log's files as listed once per request; opens them under the roots."""

    def __init__(self, path: str, roots: LogRoots, *, others: frozenset[str] = frozenset()):
        self.path = path
        self._roots = roots
        self.listed = _list(path, others)

    def open(self, listed: Listed) -> FileHandle | None:
        """``listed`` opened and checked; None when it is gone or not the same file.

        The current file refused by the roots, or unreadable, is a 503: the log has a
        history but it cannot be read now. A copy in that state is passed over.
        """
        try:
            handle = FileHandle.open(listed.path, self._roots)
        except FileNotFoundError:
            return None
        except (OSError, FileRefused) as exc:
            if listed.current:
                reason = exc.strerror if isinstance(exc, OSError) else str(exc)
                raise HistoryUnavailable(f"the log's file cannot be read: {reason}") from None
            log.info("passing over an unreadable rotated copy", extra={"path": listed.path})
            return None
        if (handle.dev, handle.ino) != (listed.dev, listed.ino):
            handle.release()
            return None
        return handle

    def index_of(self, place: Place) -> int:
        """Where ``place``'s file stands in ``listed``; BadPosition when it is none of them."""
        for i, listed in enumerate(self.listed):
            if (listed.dev, listed.ino) == (place.dev, place.ino) and (
                listed.compressed == place.compressed
            ):
                return i
        raise BadPosition("the file this position points into is no longer among the log's files")


def _list(path: str, others: frozenset[str]) -> list[Listed]:
    found: list[Listed] = []
    try:
        st = os.stat(path)
    except OSError:
        pass
    else:
        found.append(Listed(path, st.st_dev, st.st_ino, st.st_mtime_ns, False, True))
    copies = [
        Listed(c.path, c.dev, c.ino, c.mtime_ns, c.compressed, False)
        for c in rotated_copies(path, gzipped=True)
        if os.path.normpath(c.path) not in others
    ]
    copies.sort(key=lambda c: c.mtime_ns, reverse=True)
    seen = {(f.dev, f.ino) for f in found}
    for copy in copies:
        if (copy.dev, copy.ino) not in seen:
            seen.add((copy.dev, copy.ino))
            found.append(copy)
    return found
