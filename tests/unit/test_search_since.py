"""``since``: the client's RFC 3339 value, and the binary search over offsets in every format."""

from __future__ import annotations

import calendar
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tailgate.history.by_time import PROBE, first_at_or_after
from tailgate.history.errors import BadQuery
from tailgate.history.timestamps import NoTimestamps, parse_since

NS = 1_000_000_000
T0 = calendar.timegm((2026, 12, 1, 21, 0, 0, 0, 0, 0)) * NS
DAY = calendar.timegm((2026, 12, 2, 0, 0, 0, 0, 0, 0)) * NS


def test_since_must_be_rfc_3339_with_an_offset() -> None:
    assert parse_since("2026-12-01T21:00:00Z") == T0
    assert parse_since("2026-12-01T23:00:00.000000001+02:00") == T0 + 1
    for bad in ("2026-12-01", "2026-12-01T21:00:00", "yesterday", "2026-13-01T00:00:00Z"):
        with pytest.raises(BadQuery):
            parse_since(bad)


def stamped_file(path: Path, count: int, *, every: int = 1) -> list[int]:
    """``count`` lines a second apart (each followed by ``every - 1`` unstamped ones);
    returns the offset of each stamped line."""
    offsets = []
    with path.open("wb") as f:
        for i in range(count):
            offsets.append(f.tell())
            f.write(
                b"2026-12-02T%02d:%02d:%02dZ event %06d\n" % (i // 3600, i // 60 % 60, i % 60, i)
            )
            for j in range(every - 1):
                f.write(b"    at frame %d\n" % j)
    return offsets


@pytest.mark.parametrize("every", [1, 4])
def test_the_binary_search_finds_the_first_line_at_or_after_the_time(
    tmp_path: Path, every: int
) -> None:
    log = tmp_path / "app.log"
    offsets = stamped_file(log, 20_000, every=every)
    size = log.stat().st_size
    assert size > 4 * PROBE
    fd = os.open(log, os.O_RDONLY)
    try:
        for i in (0, 1, 59, 1234, 9999, 19_999):
            at = DAY + i * NS
            assert first_at_or_after(fd, size, at, required=True) == offsets[i]
            assert first_at_or_after(fd, size, at - 1, required=True) == offsets[i]
        assert first_at_or_after(fd, size, DAY + 20_000 * NS, required=True) == size
        assert first_at_or_after(fd, size, 0, required=True) == 0
    finally:
        os.close(fd)


def test_a_file_without_timestamps_is_refused_or_read_whole(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"plain line\n" * 10_000)
    fd = os.open(log, os.O_RDONLY)
    try:
        with pytest.raises(NoTimestamps) as caught:
            first_at_or_after(fd, log.stat().st_size, T0, required=True)
        assert caught.value.status == 400
        assert "timestamp" in caught.value.message
        assert first_at_or_after(fd, log.stat().st_size, T0, required=False) == 0
    finally:
        os.close(fd)


def _iso(t: time.struct_time, i: int) -> bytes:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", t).encode() + b" event %06d" % i


def _clf(t: time.struct_time, i: int) -> bytes:
    # Each line in another zone: the order is the instants', not the wall clocks'.
    hours = (0, 1, -5)[i % 3]
    local = time.gmtime(calendar.timegm(t) + hours * 3600)
    stamp = time.strftime("%d/%b/%Y:%H:%M:%S", local).encode()
    return b'10.0.0.%d - - [%s %+03d00] "GET /%06d HTTP/1.1" 200 5' % (i % 250, stamp, hours, i)


def _rfc3164(t: time.struct_time, i: int) -> bytes:
    day = b"%2d" % t.tm_mday
    return (
        time.strftime("%b ", t).encode()
        + day
        + time.strftime(" %H:%M:%S", t).encode()
        + (b" host app[1]: event %06d" % i)
    )


def _rfc5424(t: time.struct_time, i: int) -> bytes:
    return b"<34>1 " + _iso(t, i)


def _klog(t: time.struct_time, i: int) -> bytes:
    return time.strftime("I%m%d %H:%M:%S", t).encode() + b".%06d   42 main.go:7] event %06d" % (
        i,
        i,
    )


#: A second before New Year 2027 minus ~1.4 hours: the lines cross into January.
NEW_YEAR = calendar.timegm((2027, 1, 1, 0, 0, 0, 0, 0, 0)) - 5_000


@pytest.mark.parametrize("line", [_iso, _clf, _rfc3164, _rfc5424, _klog])
def test_the_binary_search_works_in_every_format_across_new_year(
    tmp_path: Path, line: Callable[[time.struct_time, int], bytes]
) -> None:
    log = tmp_path / "app.log"
    count = 20_000
    offsets = []
    with log.open("wb") as f:
        f.write(b"a banner without a time\n")
        for i in range(count):
            offsets.append(f.tell())
            f.write(line(time.gmtime(NEW_YEAR + i), i) + b"\n")
            if i % 7 == 0:
                f.write(b"    continued without a time\n")
    last = NEW_YEAR + count - 1
    os.utime(log, (last, last))
    size = log.stat().st_size
    fd = os.open(log, os.O_RDONLY)
    try:
        for i in (0, 1, 4_999, 5_000, 5_001, 12_345, count - 1):
            at = (NEW_YEAR + i) * NS
            assert first_at_or_after(fd, size, at, required=True) == offsets[i], i
            assert first_at_or_after(fd, size, at - 1, required=True) == offsets[i], i
        assert first_at_or_after(fd, size, (last + 1) * NS, required=True) == size
        assert first_at_or_after(fd, size, 0, required=True) == offsets[0]
    finally:
        os.close(fd)
