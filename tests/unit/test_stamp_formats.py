"""Line stamps in every format: table tests, yearless years from the file's mtime, detection."""

from __future__ import annotations

import calendar

import pytest

from tailgate.history.stamp_formats import (
    CLF,
    FORMATS,
    ISO8601,
    KLOG,
    RFC3164,
    RFC5424,
    WINDOW,
    StampFormat,
)
from tailgate.history.timestamps import LineClock, detect, detect_in

NS = 1_000_000_000


def utc(*parts: int, ns: int = 0) -> int:
    return calendar.timegm((*parts, 0, 0, 0)[:9]) * NS + ns


#: A file last written on 2 December 2026, 06:00 UTC.
MTIME = utc(2026, 12, 2, 6, 0, 0)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"2026-12-02T05:12:15Z boot", utc(2026, 12, 2, 5, 12, 15)),
        (b"2026-12-02T05:12:15.5Z x", utc(2026, 12, 2, 5, 12, 15, ns=500_000_000)),
        (b"2026-12-02 06:12:15,250+01:00 x", utc(2026, 12, 2, 5, 12, 15, ns=250_000_000)),
        (b"[2026-12-02T05:12:15] x", utc(2026, 12, 2, 5, 12, 15)),
        (b"2026-12-02T00:12:15-0500 x", utc(2026, 12, 2, 5, 12, 15)),
        (b"2026-12-02T05:12:15.123456789Z x", utc(2026, 12, 2, 5, 12, 15, ns=123_456_789)),
        (b"2026-02-30T05:12:15Z no such day", None),
        (b"2026-12-02T24:00:00Z no such hour", None),
        (b"2026-12-02T05:12:15+25:00 no such zone", None),
        (b"x 2026-12-02T05:12:15Z", None),
    ],
)
def test_iso_8601_stamps(line: bytes, expected: int | None) -> None:
    assert LineClock(ISO8601, MTIME).time_at(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"<34>1 2026-12-02T05:12:15Z host app - - - msg", utc(2026, 12, 2, 5, 12, 15)),
        (
            b"<165>1 2026-12-02T07:12:15.003+02:00 h a 1 ID47 - x",
            utc(2026, 12, 2, 5, 12, 15, ns=3_000_000),
        ),
        (b"<34>1 - host app - - - no time", None),
        (b"2026-12-02T05:12:15Z not syslog", None),
    ],
)
def test_rfc_5424_stamps(line: bytes, expected: int | None) -> None:
    assert LineClock(RFC5424, MTIME).time_at(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            b'127.0.0.1 - - [02/Dec/2026:05:12:15 +0000] "GET / HTTP/1.1" 200 12',
            utc(2026, 12, 2, 5, 12, 15),
        ),
        (
            b'10.1.2.3 - alice [02/Dec/2026:06:12:15 +0100] "GET /a HTTP/1.1" 200 1',
            utc(2026, 12, 2, 5, 12, 15),
        ),
        (
            b'::1 ident bob [01/Dec/2026:23:42:15 -0530] "POST /b HTTP/2" 201 -',
            utc(2026, 12, 2, 5, 12, 15),
        ),
        (
            b'2001:db8::1 - - [31/Dec/2026:23:59:59 -0100] "GET /" 200 1',
            utc(2027, 1, 1, 0, 59, 59),
        ),
        (b'1.2.3.4 - - [02/Dcm/2026:05:12:15 +0000] "GET /"', None),
        (b'1.2.3.4 - - [31/Nov/2026:05:12:15 +0000] "GET /"', None),
        (b'1.2.3.4 - - [02/Dec/2026:05:12:15] "no zone"', None),
        (b'1.2.3.4 - [02/Dec/2026:05:12:15 +0000] "no user"', None),
        (b"[02/Dec/2026:05:12:15 +0000] no host", None),
    ],
)
def test_common_log_format_stamps_with_their_zones(line: bytes, expected: int | None) -> None:
    assert LineClock(CLF, MTIME).time_at(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"Dec  2 05:12:15 host sshd[1]: x", utc(2026, 12, 2, 5, 12, 15)),
        (b"Dec 2 05:12:15 host one space", utc(2026, 12, 2, 5, 12, 15)),
        (b"Nov 30 23:00:00 host x", utc(2026, 11, 30, 23, 0, 0)),
        (b"<13>Dec  1 05:12:15 host with a priority", utc(2026, 12, 1, 5, 12, 15)),
        (b"Dec  2 05:12:15.250 host fraction", utc(2026, 12, 2, 5, 12, 15, ns=250_000_000)),
        # Later in the year than the file's mtime (and its day of slack): last year.
        (b"Dec  4 05:12:15 host x", utc(2025, 12, 4, 5, 12, 15)),
        (b"Dec  3 05:00:00 host within the slack", utc(2026, 12, 3, 5, 0, 0)),
        (b"Feb 29 01:00:00 host a leap day", utc(2024, 2, 29, 1, 0, 0)),
        (b"Dec 32 05:12:15 host x", None),
        (b"Dex  2 05:12:15 host x", None),
        (b"Dec  2 25:12:15 host x", None),
        (b"Dec  2 05:12 host x", None),
    ],
)
def test_rfc_3164_stamps_take_their_year_from_the_mtime(line: bytes, expected: int | None) -> None:
    assert LineClock(RFC3164, MTIME).time_at(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"I1202 05:12:15.123456   123 file.go:12] x", utc(2026, 12, 2, 5, 12, 15, ns=123_456_000)),
        (b"E1201 23:59:59.000001 7 main.go:1] x", utc(2026, 12, 1, 23, 59, 59, ns=1_000)),
        (b"W0101 00:00:00.000000 1 a.go:1] x", utc(2026, 1, 1, 0, 0, 0)),
        (b"F1231 00:00:00.000000 1 a.go:1] x", utc(2025, 12, 31, 0, 0, 0)),
        (b"X1202 05:12:15.123456 1 a.go:1] x", None),
        (b"I1302 05:12:15.123456 1 a.go:1] x", None),
        (b"I1202 05:12:15.123456] no thread", None),
    ],
)
def test_klog_stamps_take_their_year_from_the_mtime(line: bytes, expected: int | None) -> None:
    assert LineClock(KLOG, MTIME).time_at(line) == expected


@pytest.mark.parametrize("fmt", [RFC3164, KLOG])
def test_yearless_stamps_roll_over_from_december_to_january(fmt: StampFormat) -> None:
    """A file written across New Year, last modified on 1 January 2027."""
    mtime = utc(2027, 1, 1, 0, 30, 0)
    lines = {
        "rfc3164": (b"Dec 31 23:59:59 h x", b"Jan  1 00:00:01 h x"),
        "klog": (b"I1231 23:59:59.000000 1 a.go:1] x", b"I0101 00:00:01.000000 1 a.go:1] x"),
    }[fmt.name]
    clock = LineClock(fmt, mtime)
    before, after = (clock.time_at(line) for line in lines)
    assert before == utc(2026, 12, 31, 23, 59, 59)
    assert after == utc(2027, 1, 1, 0, 0, 1)


def test_only_a_window_of_each_line_is_looked_at() -> None:
    user = b"u" * WINDOW
    line = b"1.2.3.4 - " + user + b' [02/Dec/2026:05:12:15 +0000] "GET /"'
    assert LineClock(CLF, MTIME).time_at(line) is None
    # In the middle of a block: the window starts at the line, and stops at its end.
    data = b"junk\n2026-12-02T05:12:15Z x\n"
    assert LineClock(ISO8601, MTIME).time_at(data, 5) == utc(2026, 12, 2, 5, 12, 15)
    assert LineClock(ISO8601, MTIME).time_at(b"2026-12-02T05:12\n:15Z") is None


def test_a_file_takes_the_format_most_of_its_first_lines_have() -> None:
    clf = b'1.2.3.4 - - [02/Dec/2026:05:12:15 +0000] "GET /" 200 1'
    klog = b"I1202 05:12:15.123456 1 a.go:1] x"
    syslog = b"Dec  2 05:12:15 host x"
    iso = b"2026-12-02T05:12:15Z x"
    rfc5424 = b"<34>1 2026-12-02T05:12:15Z host app - - - x"
    for line, fmt in ((clf, CLF), (klog, KLOG), (syslog, RFC3164), (iso, ISO8601),
                      (rfc5424, RFC5424)):  # fmt: skip
        clock = detect([b"a banner", line, b"  at stack frame", line], MTIME)
        assert clock is not None and clock.format is fmt
    clock = detect([iso, klog, klog, b"", iso, klog], MTIME)
    assert clock is not None and clock.format is KLOG
    clock = detect([klog, iso], MTIME)
    assert clock is not None and clock.format is ISO8601  # a tie: the earlier format
    assert detect([b"plain", b"", b"lines"], MTIME) is None
    assert detect_in(b"plain\n" * 10 + klog + b"\n", MTIME) is not None
    assert detect_in(b"plain\n" * 100 + klog + b"\n", MTIME) is None  # past the first lines
    assert {f.name for f in FORMATS} == {"iso8601", "rfc5424", "clf", "rfc3164", "klog"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_lines_cost_one_bounded_look(fmt: StampFormat) -> None:
    clock = LineClock(fmt, MTIME)
    for line in (b" " * 1_000_000, b"1" * 1_000_000, b"- " * 500_000, b"[" * 1_000_000,
                 b"<1>1 " + b"9" * 1_000_000, b"I1202 " + b"0" * 1_000_000):  # fmt: skip
        assert clock.time_at(line) is None
