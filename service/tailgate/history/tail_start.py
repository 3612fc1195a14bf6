"""Where a tail asked to start at a time (``since``) starts in a file log: a cursor.

The page's "jump to time" and ``tailgate tail --since`` open a tail at a time. In a
file log that is a place in one of its files: in the oldest plain file (the current
one, or a rotated copy) whose lines reach back to the time, the first line stamped
at or after it, found by the binary search of ``by_time``. The place is handed over
as the cursor a tail resumes from, so the tail reads on from there through every
later file to the live end, with the checks every cursor gets (docs/protocol.md).
Gzipped copies are passed over: a tail cannot start inside compressed bytes, so a
time older than every plain file starts at the oldest plain file.
"""

from __future__ import annotations

import os

from ..files.cursor import CHECK_BYTES
from .by_time import first_at_or_after
from .log_files import LogFiles
from .places import Place


def cursor_since(files: LogFiles, since: int) -> str | None:
    """The cursor of the first line at or after ``since`` (None: the log has no file).

    ``NoTimestamps`` when the current file's lines carry none this server recognises.
    Blocking (it reads): run it in a worker thread.
    """
    start: Place | None = None
    for listed in files.listed:
        if listed.compressed:
            continue
        handle = files.open(listed)
        if handle is None:
            continue
        try:
            size = handle.size()
            # An empty file (just rotated) holds no time: the older ones may.
            offset = (
                first_at_or_after(handle.fd, size, since, required=listed.current) if size else 0
            )
            kept = min(CHECK_BYTES, offset)
            before = os.pread(handle.fd, kept, offset - kept)
            start = Place.at(handle.dev, handle.ino, offset, before, compressed=False)
        except OSError:
            continue
        finally:
            handle.release()
        if offset > 0:
            # The time lies in this file (or just after it): older files are before it.
            break
    return start.encode() if start is not None else None
