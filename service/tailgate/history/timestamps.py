"""Times at the start of log lines, and the ``since`` a client sends: pure, no I/O.

``since=RFC3339`` limits a search (or a read-back) to the lines written at or after
that time. A file is searched by time when its lines start with an RFC 3339 / ISO
8601 timestamp (``2026-12-01T21:04:05.123Z``, ``2026-12-01 21:04:05,123+01:00``,
optionally in ``[...]``); a time without an offset is taken as UTC. Lines without
one (a stack trace's) belong to the line above. Other formats (syslog's
``Dec  1 21:04:05``, klog's ``I1201``) carry no year and are not recognised yet: such
a file is answered with a 400 saying it has no timestamps.
"""

from __future__ import annotations

import calendar
import re

from .errors import BadQuery

_LINE = re.compile(
    rb"\[?(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?"
    rb"(Z|z|[+-]\d\d(?::?\d\d)?)?"
)
_SINCE = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|z|[+-]\d\d:\d\d)",
    re.ASCII,
)


class NoTimestamps(BadQuery):
    """``since`` on a file whose lines carry no timestamp this server recognises."""

    code = "no_timestamps"


def line_time(line: bytes | bytearray) -> int | None:
    """The time (ns since the epoch) a line starts with, or None."""
    match = _LINE.match(line)
    if match is None:
        return None
    return _nanoseconds(match.groups())


def parse_since(text: str) -> int:
    """``since`` as sent: an RFC 3339 time with its offset, or BadQuery."""
    match = _SINCE.fullmatch(text)
    value = None if match is None else _nanoseconds(match.groups())
    if value is None:
        raise BadQuery(
            f"since must be an RFC 3339 time such as 2026-12-01T21:04:05Z, got {text[:40]!r}"
        )
    return value


def _nanoseconds(groups: tuple[bytes | str | None, ...]) -> int | None:
    def text(value: bytes | str | None) -> str:
        return value.decode() if isinstance(value, bytes) else (value or "")

    year, month, day, hour, minute, second = (int(text(g)) for g in groups[:6])
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 60):
        return None
    fraction = int(text(groups[6]).ljust(9, "0")) if groups[6] else 0
    zone = text(groups[7]).upper()
    offset = 0
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)) - offset
    return seconds * 1_000_000_000 + fraction
