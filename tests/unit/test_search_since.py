"""``since``: line times, the client's RFC 3339 value, and the binary search over offsets."""

from __future__ import annotations

import calendar
import os
from pathlib import Path

import pytest

from tailgate.history.by_time import PROBE, first_at_or_after
from tailgate.history.errors import BadQuery
from tailgate.history.timestamps import NoTimestamps, line_time, parse_since

NS = 1_000_000_000
T0 = calendar.timegm((2026, 12, 1, 21, 0, 0, 0, 0, 0)) * NS
DAY = calendar.timegm((2026, 12, 2, 0, 0, 0, 0, 0, 0)) * NS


@pytest.mark.parametrize(
    ("line", "offset_s"),
    [
        (b"2026-12-01T21:00:00Z boot", 0),
        (b"2026-12-01T21:00:00.5Z x", 0.5),
        (b"2026-12-01 22:00:00,250+01:00 x", 0.25),
        (b"[2026-12-01T21:00:01] x", 1),
        (b"2026-12-01T16:00:00-0500 x", 0),
    ],
)
def test_a_line_starting_with_an_iso_time_has_that_time(line: bytes, offset_s: float) -> None:
    assert line_time(line) == T0 + int(offset_s * NS)


@pytest.mark.parametrize(
    "line", [b"Dec  1 21:00:00 host x", b"I1201 21:00:00.000 x", b"x 2026-12-01T21:00:00Z"]
)
def test_lines_without_a_leading_iso_time_have_none(line: bytes) -> None:
    assert line_time(line) is None


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
