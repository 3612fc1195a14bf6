"""Where a time starts in a log file: a binary search over byte offsets, as lnav does.

A log is written in time order, so the first line at or after a time is found by
looking at the stamped line after a middle offset and halving the range: about
``log2(size / 64 KiB)`` reads of 64 KiB however large the file. The last window is
read line by line. The file's stamp format is picked once, from its first lines
(``timestamps.detect``); lines that do not parse in it are stepped over. Runs in a
worker thread (it only ``pread``\\ s).
"""

from __future__ import annotations

import os

from .timestamps import NO_TIMESTAMPS, LineClock, NoTimestamps, detect_in

#: Bytes read at each probe; the search ends when the range is this small.
PROBE = 64 * 1024


def file_clock(fd: int, end: int) -> LineClock | None:
    """The clock of the file's stamp format, from its first lines before ``end``."""
    head = os.pread(fd, min(PROBE, end), 0)
    return detect_in(head, os.fstat(fd).st_mtime_ns)


def first_at_or_after(fd: int, end: int, since: int, *, required: bool) -> int:
    """The offset of the first line before ``end`` stamped ``since`` or later (``end``
    when none is). A file with no stamped line near its start is ``NoTimestamps`` when
    ``required``, else searched whole (0)."""
    clock = file_clock(fd, end)
    if clock is None:
        if required:
            raise NoTimestamps(NO_TIMESTAMPS)
        return 0
    lo, hi = 0, end
    while hi - lo > PROBE:
        mid = (lo + hi) // 2
        found = _stamped_from(fd, mid, end, clock)
        if found is None or found[1] >= since:
            hi = mid
        else:
            lo = max(found[0], lo + 1)
    return _scan(fd, _line_start(fd, lo), end, since, clock)


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


def _stamped_from(fd: int, pos: int, end: int, clock: LineClock) -> tuple[int, int] | None:
    """(offset, time) of the first stamped line starting at or after ``pos`` within one
    probe, or None."""
    start = _line_start(fd, pos)
    data = os.pread(fd, min(PROBE, max(0, end - start)), start)
    at = 0
    while at < len(data):
        ts = clock.time_at(data, at)
        if ts is not None:
            return start + at, ts
        newline = data.find(b"\n", at)
        if newline < 0:
            return None
        at = newline + 1
    return None


def _scan(fd: int, pos: int, end: int, since: int, clock: LineClock) -> int:
    while pos < end:
        data = os.pread(fd, min(PROBE, end - pos), pos)
        if not data:
            return end
        at = 0
        while at < len(data):
            ts = clock.time_at(data, at)
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
