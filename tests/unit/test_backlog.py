"""Finding where the last N lines start, reading backwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tailgate.files.backlog import backlog_start, line_boundary_at_or_before


@pytest.fixture
def open_file(tmp_path: Path) -> Iterator[tuple[Path, list[int]]]:
    fds: list[int] = []
    yield tmp_path / "log", fds
    for fd in fds:
        os.close(fd)


def _fd(path: Path, data: bytes, fds: list[int]) -> int:
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    fds.append(fd)
    return fd


def test_the_last_n_lines_start_after_the_nth_newline_from_the_end(open_file) -> None:
    path, fds = open_file
    data = b"".join(f"line {i}\n".encode() for i in range(10))
    fd = _fd(path, data, fds)
    start = backlog_start(fd, len(data), 3)
    assert data[start:].decode().splitlines() == ["line 7", "line 8", "line 9"]


def test_asking_for_more_lines_than_exist_starts_at_zero(open_file) -> None:
    path, fds = open_file
    fd = _fd(path, b"a\nb\n", fds)
    assert backlog_start(fd, 4, 10) == 0
    assert backlog_start(fd, 4, 2) == 0
    assert backlog_start(fd, 4, 1) == 2


def test_zero_lines_start_at_the_end(open_file) -> None:
    path, fds = open_file
    fd = _fd(path, b"a\nb\n", fds)
    assert backlog_start(fd, 4, 0) == 4


def test_lines_spanning_block_boundaries_are_counted_once(open_file) -> None:
    path, fds = open_file
    lines = [("z" * (i * 997 % 70_000)).encode() for i in range(40)]
    data = b"\n".join(lines) + b"\n"
    fd = _fd(path, data, fds)
    start = backlog_start(fd, len(data), 25)
    assert data[start:].split(b"\n")[:-1] == lines[-25:]


def test_the_byte_budget_bounds_how_far_back_a_backlog_reaches(open_file) -> None:
    path, fds = open_file
    data = b"".join(b"x" * 99 + b"\n" for _ in range(1000))
    fd = _fd(path, data, fds)
    start = backlog_start(fd, len(data), 1000, max_bytes=1000)
    assert len(data) - start <= 1000
    assert data[start - 1 : start] == b"\n"


def test_the_line_boundary_is_just_after_the_last_newline(open_file) -> None:
    path, fds = open_file
    fd = _fd(path, b"a\nbc\npartial", fds)
    assert line_boundary_at_or_before(fd, 12) == 5
    assert line_boundary_at_or_before(fd, 2) == 2
    assert line_boundary_at_or_before(fd, 1) == 0


def test_a_line_longer_than_the_byte_budget_leaves_the_short_lines_after_it(open_file) -> None:
    path, fds = open_file
    short = [f"short {i}".encode() for i in range(3)]
    data = b"y" * 5000 + b"\n" + b"\n".join(short) + b"\n"
    fd = _fd(path, data, fds)
    start = backlog_start(fd, len(data), 5, max_bytes=1000)
    assert data[start:].split(b"\n")[:-1] == short


def test_a_17_mib_line_followed_by_short_lines_still_gives_the_short_lines(open_file) -> None:
    path, fds = open_file
    short = [f"after {i}".encode() for i in range(3)]
    data = b"z" * (17 * 1024 * 1024) + b"\n" + b"\n".join(short) + b"\n"
    fd = _fd(path, data, fds)
    start = backlog_start(fd, len(data), 5)
    assert data[start:].split(b"\n")[:-1] == short
