"""Where a backlog of N lines starts, found by reading backwards from the end.

The cost grows with N and the length of those lines, not with the file: a 1 GB file
starts as fast as a small one.
"""

from __future__ import annotations

import os

BLOCK = 65536
#: However many lines are asked for, a backlog never reaches back further than this.
MAX_BACKLOG_BYTES = 16 * 1024 * 1024


def backlog_start(fd: int, end: int, lines: int, *, max_bytes: int = MAX_BACKLOG_BYTES) -> int:
    """The offset where the last ``lines`` complete lines before ``end`` begin.

    ``end`` is a line boundary (just after a newline, or 0). Returns ``end`` for
    ``lines == 0`` and 0 when the file holds fewer lines.
    """
    if lines <= 0 or end <= 0:
        return end
    floor = max(0, end - max_bytes)
    # The newline at ``end - 1`` ends the last line; count the ones before it.
    pos = end - 1
    found = 0
    #: Just after the earliest newline seen so far: where the lines found so far begin.
    earliest = end
    while pos > floor:
        start = max(floor, pos - BLOCK)
        block = os.pread(fd, pos - start, start)
        if len(block) < pos - start:
            # The file shrank under us: start from its beginning.
            return 0
        stop = len(block)
        while (nl := block.rfind(b"\n", 0, stop)) >= 0:
            found += 1
            if found == lines:
                return start + nl + 1
            earliest = start + nl + 1
            stop = nl
        pos = start
    if floor == 0:
        return 0
    # Limited by max_bytes: the lines found inside the window, a longer first one left out.
    return earliest


def line_boundary_at_or_before(fd: int, size: int) -> int:
    """The offset just after the last newline in the first ``size`` bytes (0 if none)."""
    pos = size
    while pos > 0:
        start = max(0, pos - BLOCK)
        block = os.pread(fd, pos - start, start)
        nl = block.rfind(b"\n")
        if nl >= 0:
            return start + nl + 1
        pos = start
        if size - pos > MAX_BACKLOG_BYTES:
            # A huge unterminated tail: treat the size as the boundary.
            return size
    return 0
