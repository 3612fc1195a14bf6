"""Times at the start of a file's lines, and the ``since`` a client sends: pure, no I/O.

``since=RFC3339`` limits a search (or a read-back, or where a tail starts) to the
lines written at or after that time. A file is searched by time when its lines start
with a stamp in one of the formats of ``stamp_formats`` (ISO 8601 / RFC 3339, syslog's
RFC 5424 and RFC 3164, common log format, klog). The format is picked once per file,
from its first lines (``detect``): the one most of them parse with, so a file that
mixes formats is read in its main one and its other lines count as unstamped, like a
stack trace's lines, which belong to the line above. A file none of whose first lines
parse is answered with a 400 saying it has no timestamps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import BadQuery
from .stamp_formats import FORMATS, ISO8601, NS, WINDOW, YEAR_SLACK_S, StampFormat

#: Lines at the start of a file looked at to pick its format.
DETECT_LINES = 64

_SINCE = re.compile(
    rb"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|z|[+-]\d\d:\d\d)"
)


class NoTimestamps(BadQuery):
    """``since`` on a file whose lines carry no timestamp this server recognises."""

    code = "no_timestamps"


NO_TIMESTAMPS = (
    "since: this file's lines do not start with a timestamp this server recognises "
    "(RFC 3339 / ISO 8601, RFC 5424 or RFC 3164 syslog, common log format, klog)"
)


class LineClock:
    """One file's stamp format, with the file's modification time for yearless ones."""

    __slots__ = ("_convert", "_latest_s", "_match", "format")

    def __init__(self, format: StampFormat, mtime_ns: int) -> None:
        self.format = format
        self._match = format.pattern.match
        self._convert = format.convert
        self._latest_s = mtime_ns // NS + YEAR_SLACK_S

    def __repr__(self) -> str:
        return f"LineClock({self.format.name})"

    def time_at(self, data: bytes | bytearray, at: int = 0) -> int | None:
        """The time (ns since the epoch) of the line starting at ``data[at]``, or None.

        Looks at ``WINDOW`` bytes at most, whatever the line's length.
        """
        match = self._match(data, at, at + WINDOW)
        return None if match is None else self._convert(match, self._latest_s)


def detect(lines: Iterable[bytes | bytearray], mtime_ns: int) -> LineClock | None:
    """The clock of the format most of the first ``DETECT_LINES`` lines parse with
    (earlier formats win ties), or None when none of them parses."""
    counts = [0] * len(FORMATS)
    clocks = [LineClock(f, mtime_ns) for f in FORMATS]
    for n, line in enumerate(lines):
        if n >= DETECT_LINES:
            break
        for i, clock in enumerate(clocks):
            if clock.time_at(line) is not None:
                counts[i] += 1
    best = max(range(len(FORMATS)), key=lambda i: (counts[i], -i))
    return clocks[best] if counts[best] else None


def detect_in(data: bytes, mtime_ns: int) -> LineClock | None:
    """``detect`` over the whole lines of a block read from a file's start."""
    return detect(data.split(b"\n", DETECT_LINES)[:DETECT_LINES], mtime_ns)


def parse_since(text: str) -> int:
    """``since`` as sent: an RFC 3339 time with its offset, or BadQuery."""
    value = None
    if text.isascii():
        match = _SINCE.fullmatch(text.encode())
        if match is not None:
            value = ISO8601.convert(match, 0)
    if value is None:
        raise BadQuery(
            f"since must be an RFC 3339 time such as 2026-12-01T21:04:05Z, got {text[:40]!r}"
        )
    return value
