"""Where a time starts in a log file: a binary search over byte offsets, as lnav does.

A log is written in time order, so the first line at or after a time is found by
looking at the stamped line after a middle offset and halving the range: about
``log2(size / 64 KiB)`` reads of 64 KiB however large the file. The last window is
read line by line. Runs in a worker thread (it only ``pread``\\ s).
"""

from __future__ import annotations

import os

from .timestamps import NoTimestamps, line_time

#: Bytes read at each probe; the search ends when the range is this small.
PROBE = 64 * 1024


def first_at_or_after(fd: int, end: int, since: int, *, required: bool) -> int:
    """The offset of the first line before ``end`` stamped ``since`` or later (``end``
    when none is). A file with no stamped line near its start is ``NoTimestamps`` when
    ``required``, else searched whole (0)."""
    if _stamped_from(fd, 0, end) is None:
        if required:
            raise NoTimestamps(
                "since: this file's lines do not start with a timestamp this server "
                "recognises (RFC 3339 / ISO 8601)"
            )
        return 0
    lo, hi = 0, end
    while hi - lo > PROBE:
        mid = (lo + hi) // 2
        found = _stamped_from(fd, mid, end)
        if found is None or found[1] >= since:
            hi = mid
        else:
            lo = max(found[0], lo + 1)
    return _scan(fd, _line_start(fd, lo), end, since)


def _line_start(fd: int, pos: int) -> int:
    """The first line start at or after ``pos``."""
    while pos > 0:
        data = os.pread(fd, PROBE, pos - 1)
        if not data:
            return pos
        newline = data.find(b"\n")
        if newline >= 0:
            return pos + newline
        pos += len(data)
    return 0


def _stamped_from(fd: int, pos: int, end: int) -> tuple[int, int] | None:
    """(offset, time) of the first stamped line starting at or after ``pos`` within one
    probe, or None."""
    start = _line_start(fd, pos)
    data = os.pread(fd, min(PROBE, max(0, end - start)), start)
    at = 0
    while at < len(data):
        ts = line_time(data[at : at + 64])
        if ts is not None:
            return start + at, ts
        newline = data.find(b"\n", at)
        if newline < 0:
            return None
        at = newline + 1
    return None


def _scan(fd: int, pos: int, end: int, since: int) -> int:
    while pos < end:
        data = os.pread(fd, min(PROBE, end - pos), pos)
        if not data:
            return end
        at = 0
        while at < len(data):
            ts = line_time(data[at : at + 64])
            if ts is not None and ts >= since:
                return pos + at
            newline = data.find(b"\n", at)
            if newline < 0:
                break
            at = newline + 1
        if at == 0:
            # One line longer than a probe: step over it.
            at = len(data)
        pos += at
    return end
