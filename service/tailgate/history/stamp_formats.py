"""The timestamp formats a log line may start with, each as one anchored pattern: pure.

``since`` on a file needs each line's time. Logs write it in a handful of ways, and
each format here is a regular expression anchored at the line's start with bounded
repeats only (no nested quantifiers), run over at most ``WINDOW`` bytes of a line, so
the work per line is bounded whatever the file holds:

- ``iso8601``: RFC 3339 / ISO 8601, optionally in ``[...]``
  (``2026-12-02T05:12:15.123Z``, ``2026-12-02 05:12:15,123+01:00``);
- ``rfc5424``: syslog's RFC 5424 header (``<34>1 2026-12-02T05:12:15Z host ...``);
- ``clf``: common (and combined) log format, the stamp in the first brackets after
  host, ident and user (``127.0.0.1 - - [02/Dec/2026:05:12:15 +0000] "GET ..."``);
- ``rfc3164``: BSD syslog (``Dec  2 05:12:15 host ...``, optionally after ``<PRI>``);
- ``klog``: Kubernetes' klog/glog (``I1202 05:12:15.123456   123 file.go:12] ...``).

The last two carry no year. A file is written in time order up to its modification
time, so such a stamp is given the latest year in which it is not after that time
(with a day's slack for clocks and zones), as rsyslog's readers and lnav do: in a
file modified on 2 January, ``Dec 31`` is the year before and ``Jan  1`` this year.
Stamps without an offset (those two, and ISO 8601 ones without one) are UTC.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

NS = 1_000_000_000
#: Bytes of a line a format looks at: a CLF host, ident and user come before its stamp.
WINDOW = 512
#: How far past the file's modification time a yearless stamp may lie in its year.
YEAR_SLACK_S = 86_400
#: How many years back a yearless date is looked for (29 February needs up to 8).
_YEARS_BACK = 8

_MONTHS = {
    name.encode(): number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_ISO_TAIL = (
    rb"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?"
    rb"(Z|z|[+-]\d\d(?::?\d\d)?)?"
)


def utc_ns(
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int,
    fraction: bytes | None = None,
    offset_s: int = 0,
) -> int | None:
    """Nanoseconds since the epoch of a wall-clock time ``offset_s`` east of UTC, or
    None when no such date or time exists (a leap second is the next minute's 0)."""
    if not (1 <= month <= 12 and hour <= 23 and minute <= 59 and second <= 60):
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)) - offset_s
    return seconds * NS + (int(fraction.ljust(9, b"0")) if fraction else 0)


def zone_offset_s(zone: bytes | None) -> int | None:
    """Seconds east of UTC of ``Z``, ``+01``, ``+0100`` or ``+01:00`` (None: not a zone)."""
    if not zone or zone in (b"Z", b"z"):
        return 0
    digits = zone[1:].replace(b":", b"")
    hours, minutes = int(digits[:2]), int(digits[2:4] or b"0")
    if hours > 23 or minutes > 59:
        return None
    return (-1 if zone[:1] == b"-" else 1) * (hours * 3600 + minutes * 60)


def _iso(match: re.Match[bytes], _latest_s: int) -> int | None:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    offset = zone_offset_s(zone)
    if offset is None:
        return None
    return utc_ns(
        int(year), int(month), int(day), int(hour), int(minute), int(second), fraction, offset
    )


def _clf(match: re.Match[bytes], _latest_s: int) -> int | None:
    day, month_name, year, hour, minute, second, zone = match.groups()
    month = _MONTHS.get(month_name)
    offset = zone_offset_s(zone)
    if month is None or offset is None:
        return None
    return utc_ns(int(year), month, int(day), int(hour), int(minute), int(second), None, offset)


def yearless_ns(
    month: int, day: int, hour: int, minute: int, second: int, fraction: bytes | None, latest_s: int
) -> int | None:
    """The time of a stamp without a year in the latest year where it is not after
    ``latest_s`` (the file's modification time plus the slack)."""
    year = time.gmtime(latest_s).tm_year
    for candidate in range(year, year - _YEARS_BACK, -1):
        value = utc_ns(candidate, month, day, hour, minute, second, fraction)
        if value is not None and value // NS <= latest_s:
            return value
    return None


def _rfc3164(match: re.Match[bytes], latest_s: int) -> int | None:
    month_name, day, hour, minute, second, fraction = match.groups()
    month = _MONTHS.get(month_name)
    if month is None:
        return None
    return yearless_ns(month, int(day), int(hour), int(minute), int(second), fraction, latest_s)


def _klog(match: re.Match[bytes], latest_s: int) -> int | None:
    month, day, hour, minute, second, fraction = match.groups()
    return yearless_ns(
        int(month), int(day), int(hour), int(minute), int(second), fraction, latest_s
    )


@dataclass(frozen=True, slots=True)
class StampFormat:
    """One way of writing a line's time: an anchored pattern and its conversion."""

    name: str
    pattern: re.Pattern[bytes]
    #: (the match, the latest second a yearless stamp may be) -> ns, or None.
    convert: Callable[[re.Match[bytes], int], int | None]
    #: Whether its stamps carry no year (decided from the file's modification time).
    yearless: bool = False


ISO8601 = StampFormat("iso8601", re.compile(rb"\[?" + _ISO_TAIL), _iso)
RFC5424 = StampFormat("rfc5424", re.compile(rb"<\d{1,3}>\d{1,2} " + _ISO_TAIL), _iso)
CLF = StampFormat(
    "clf",
    re.compile(
        rb"\S{1,255} \S{1,255} \S{1,255} "
        rb"\[(\d\d)/([A-Z][a-z]{2})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\]"
    ),
    _clf,
)
RFC3164 = StampFormat(
    "rfc3164",
    re.compile(
        rb"(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?= )"
    ),
    _rfc3164,
    yearless=True,
)
KLOG = StampFormat(
    "klog",
    re.compile(rb"[IWEF](\d\d)(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?= )"),
    _klog,
    yearless=True,
)

#: Every format, in the order a tie between them is decided.
FORMATS = (ISO8601, RFC5424, CLF, RFC3164, KLOG)
