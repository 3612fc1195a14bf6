"""Walking a log's files back: current, then rotated copies (gzipped too), in order, once each."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from tailgate.files.roots import FileRoots
from tailgate.history.errors import BadPosition
from tailgate.history.found import Found
from tailgate.history.log_files import LogFiles
from tailgate.history.places import Place
from tailgate.history.query import compile_query
from tailgate.history.read_back import read_back
from tailgate.history.walk import Budget, Walk

BIG = Budget(10**12, float("inf"))


def lines(prefix: str, count: int) -> bytes:
    return b"".join(f"{prefix} {i:05d}\n".encode() for i in range(count))


def rotated_log(tmp_path: Path, *, current: bytes = b"") -> Path:
    """app.log.2.gz (oldest), app.log.1, app.log (newest), with mtimes in that order."""
    log = tmp_path / "app.log"
    (tmp_path / "app.log.2.gz").write_bytes(gzip.compress(lines("old", 500)))
    (tmp_path / "app.log.1").write_bytes(lines("mid", 8000))
    log.write_bytes(lines("new", 500) + current)
    for age, name in enumerate(["app.log", "app.log.1", "app.log.2.gz"]):
        os.utime(tmp_path / name, (1_000_000 - age, 1_000_000 - age))
    return log


def files(log: Path, others: frozenset[str] = frozenset()) -> LogFiles:
    return LogFiles(str(log), FileRoots().for_log(str(log)), others=others)


async def walk_all(walk: Walk) -> list[Found]:
    out: list[Found] = []
    async for batch in walk.batches():
        out.extend(batch)
    return out


def texts(found: list[Found]) -> list[str]:
    return [f.raw.decode() for f in found]


def pattern(q: str) -> object:
    return compile_query(q, regex=False, case=False).pattern


async def test_a_search_reads_the_current_file_then_its_copies_newest_first(
    tmp_path: Path,
) -> None:
    log = rotated_log(tmp_path)
    walk = Walk(files(log), None, pattern("00007"), 10, BIG)
    found = await walk_all(walk)
    assert texts(found) == ["new 00007", "mid 00007", "old 00007"]
    assert [f.source for f in found] == [None, "app.log.1", "app.log.2.gz"]
    assert walk.more is None


async def test_continuing_with_more_finds_every_match_once_whatever_the_budget(
    tmp_path: Path,
) -> None:
    log = rotated_log(tmp_path)
    whole = texts(await walk_all(Walk(files(log), None, pattern("1"), 100_000, BIG)))
    pieces: list[str] = []
    before: Place | None = None
    requests = 0
    while True:
        # Room for the compressed copy, but every request stops after its first block.
        walk = Walk(files(log), before, pattern("1"), 7, Budget(8192, float("inf")))
        pieces.extend(texts(await walk_all(walk)))
        requests += 1
        if walk.more is None:
            break
        before = Place.decode(walk.more.encode())
    assert pieces == whole
    assert requests > len(whole) // 7


async def test_the_line_a_writer_is_still_writing_is_not_searched(tmp_path: Path) -> None:
    log = rotated_log(tmp_path, current=b"new half-written")
    found = await walk_all(Walk(files(log), None, pattern("new"), 1, BIG))
    assert texts(found) == ["new 00499"]


async def test_names_rotation_does_not_give_and_other_logs_files_are_never_read(
    tmp_path: Path,
) -> None:
    log = rotated_log(tmp_path)
    (tmp_path / "app.log-audit").write_bytes(b"secret 00007\n")
    (tmp_path / "app.log.bak").write_bytes(b"secret 00007\n")
    (tmp_path / "app.log.3").write_bytes(b"other log 00007\n")
    others = frozenset({str(tmp_path / "app.log.3")})
    found = await walk_all(Walk(files(log, others), None, pattern("00007"), 10, BIG))
    assert texts(found) == ["new 00007", "mid 00007", "old 00007"]


async def test_a_position_in_no_file_of_the_log_or_in_a_rewritten_one_is_refused(
    tmp_path: Path,
) -> None:
    log = rotated_log(tmp_path)
    other = tmp_path / "other.log"
    other.write_bytes(lines("other", 10))
    st = other.stat()
    with pytest.raises(BadPosition):
        await walk_all(Walk(files(log), Place(st.st_dev, st.st_ino, 0, 0), pattern("x"), 1, BIG))
    found = await walk_all(Walk(files(log), None, pattern("new 00100"), 1, BIG))
    cursor = found[0].after
    log.write_bytes(b"X" * log.stat().st_size)
    with pytest.raises(BadPosition):
        await walk_all(Walk(files(log), cursor, pattern("x"), 1, BIG))


async def test_reading_back_pages_into_the_compressed_copy_oldest_first(tmp_path: Path) -> None:
    log = rotated_log(tmp_path)
    found = await walk_all(Walk(files(log), None, pattern("mid 00002"), 1, BIG))
    page = await read_back(files(log), found[0].after, limit=5, budget=BIG, max_line=1000)
    assert page.lines == ["old 00498", "old 00499"] + [f"mid {i:05d}" for i in range(3)]
    assert page.cursor is not None and page.cursor.startswith("z1.")
    older = await read_back(
        files(log), Place.decode(page.cursor), limit=3, budget=BIG, max_line=1000
    )
    assert older.lines == ["old 00495", "old 00496", "old 00497"]
    first = await read_back(
        files(log), Place.decode(older.cursor or ""), limit=10_000, budget=BIG, max_line=1000
    )
    assert first.lines[0] == "old 00000"
    assert len(first.lines) == 495
    assert (await read_back(
        files(log), Place.decode(first.cursor or ""), limit=5, budget=BIG, max_line=1000
    )).lines == []  # fmt: skip


async def test_a_compressed_copy_too_big_for_a_whole_budget_is_given_up_and_named(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    (tmp_path / "app.log.1.gz").write_bytes(gzip.compress(b"zero\n" * 2_000_000))
    walk = Walk(files(log), None, pattern("zero"), 10, Budget(1024 * 1024, float("inf")))
    assert await walk_all(walk) == []
    assert walk.skipped == ["app.log.1.gz"]
    assert walk.more is not None
    after = Walk(files(log), walk.more, pattern("zero"), 10, BIG)
    assert await walk_all(after) == []
    assert after.more is None
