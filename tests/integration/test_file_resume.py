"""Resuming a tail from the cursor of a previous connection.

A viewer that reconnects with the last cursor it got must continue right after the
last line it received, whatever happened to the file while it was away, or be told
with a ``gap`` notice that it cannot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.support.files import (
    append_lines,
    nothing_arrives,
    numbered,
    read_until,
    served_log,
    tailed_log,
    transcript,
)
from tests.support.tails import RunningServer, TailClient


async def first_visit(server: RunningServer, lines: int) -> str:
    """Tail the log, read its last ``lines`` lines, disconnect; returns the cursor."""
    tail = await server.tail("app", backlog=lines)
    await tail.expect("hello")
    await tail.read_lines(lines)
    await tail.close()
    assert tail.cursor is not None
    return tail.cursor


@asynccontextmanager
async def maybe_another_viewer(server: RunningServer, present: bool) -> AsyncIterator[None]:
    """Keep a second viewer open, so the shared follower lives on while the first is away."""
    other: TailClient | None = None
    if present:
        other = await server.tail("app", backlog=0)
        await other.expect("hello")
    try:
        yield
    finally:
        if other is not None:
            await other.close()


both_ways = pytest.mark.parametrize(
    "followed", [False, True], ids=["log-unwatched-meanwhile", "log-watched-meanwhile"]
)


@both_ways
async def test_a_resumed_tail_continues_after_the_last_line_without_gap_or_duplicate(
    tmp_path: Path, followed: bool
) -> None:
    async with (
        served_log(tmp_path, numbered("seen", 5)) as (log, server),
        maybe_another_viewer(server, followed),
    ):
        cursor = await first_visit(server, 5)
        append_lines(log, numbered("away", 3))
        tail = await server.tail("app", cursor=cursor, backlog=50)
        await tail.expect("hello")
        assert await tail.read_lines(3) == numbered("away", 3)
        await nothing_arrives(tail)
        append_lines(log, ["live"])
        assert await read_until(tail, "live") == [*numbered("away", 3), "live"]
        await tail.close()


async def test_a_resume_from_a_cursor_at_the_live_end_sends_nothing_until_new_lines(
    tmp_path: Path,
) -> None:
    async with served_log(tmp_path, numbered("seen", 5)) as (log, server):
        cursor = await first_visit(server, 5)
        tail = await server.tail("app", cursor=cursor)
        await tail.expect("hello")
        await nothing_arrives(tail)
        append_lines(log, ["live"])
        assert await tail.read_lines(1) == ["live"]
        await tail.close()


@both_ways
async def test_a_resume_follows_a_rotation_that_happened_while_disconnected(
    tmp_path: Path, followed: bool
) -> None:
    async with (
        served_log(tmp_path, numbered("seen", 3)) as (log, server),
        maybe_another_viewer(server, followed),
    ):
        cursor = await first_visit(server, 3)
        append_lines(log, ["old-1"])
        log.rename(tmp_path / "app.log.1")
        append_lines(tmp_path / "app.log.1", ["old-2"])
        append_lines(log, ["new-1", "new-2"])
        tail = await server.tail("app", cursor=cursor)
        await tail.expect("hello")
        got = await read_until(tail, "new-2")
        assert got == ["old-1", "old-2", "<rotated>", "new-1", "new-2"]
        append_lines(log, ["new-3"])
        assert await read_until(tail, "new-3") == [*got, "new-3"]
        await tail.close()


async def test_a_resume_follows_two_rotations_that_happened_while_disconnected(
    tmp_path: Path,
) -> None:
    async with served_log(tmp_path, ["seen"]) as (log, server):
        cursor = await first_visit(server, 1)
        append_lines(log, ["first-file"])
        log.rename(tmp_path / "app.log.1")
        append_lines(log, ["second-file"])
        (tmp_path / "app.log.1").rename(tmp_path / "app.log.2")
        log.rename(tmp_path / "app.log.1")
        append_lines(log, ["third-file"])
        tail = await server.tail("app", cursor=cursor)
        await tail.expect("hello")
        got = await read_until(tail, "third-file", timeout=2.0)
        await tail.close()
        # Either every line, or a gap notice saying some may be missing.
        assert got in (
            ["first-file", "<rotated>", "second-file", "<rotated>", "third-file"],
            ["first-file", "<gap>", "third-file"],
            ["first-file", "<rotated>", "<gap>", "third-file"],
        )


async def test_a_resume_into_a_rotated_file_moves_on_to_a_new_file_created_later(
    tmp_path: Path,
) -> None:
    async with served_log(tmp_path, ["seen"]) as (log, server):
        cursor = await first_visit(server, 1)
        append_lines(log, ["old-1"])
        # Rotated, and the writer has not created the new file yet.
        log.rename(tmp_path / "app.log.1")
        tail = await server.tail("app", cursor=cursor)
        await tail.expect("hello")
        assert (await read_until(tail, "old-1"))[-1] == "old-1"
        append_lines(log, ["new-1"])
        try:
            got = await read_until(tail, "new-1", timeout=2.0)
        finally:
            await tail.close()
        assert got[-1] == "new-1"
        assert got.count("new-1") == 1


async def test_a_resume_into_a_rewritten_file_sends_a_gap_then_the_file_from_its_start(
    tmp_path: Path,
) -> None:
    async with served_log(tmp_path, numbered("seen", 3)) as (log, server):
        cursor = await first_visit(server, 3)
        # Same inode, more bytes than before: only the checksum shows the change.
        rewritten = numbered("rewritten", 6)
        log.write_text("".join(line + "\n" for line in rewritten))
        tail = await server.tail("app", cursor=cursor)
        await tail.expect("hello")
        assert await read_until(tail, "rewritten-000005") == ["<gap>", *rewritten]
        await nothing_arrives(tail)
        await tail.close()


async def test_a_resume_into_a_truncated_file_sends_a_gap_then_the_file_from_its_start(
    tmp_path: Path,
) -> None:
    async with served_log(tmp_path, numbered("seen", 3)) as (log, server):
        cursor = await first_visit(server, 3)
        log.write_text("short\n")
        tail = await server.tail("app", cursor=cursor)
        await tail.expect("hello")
        assert await read_until(tail, "short") == ["<gap>", "short"]
        append_lines(log, ["live"])
        assert await read_until(tail, "live") == ["<gap>", "short", "live"]
        await tail.close()


async def test_a_resume_after_the_file_was_replaced_sends_a_gap_then_the_new_file(
    tmp_path: Path,
) -> None:
    async with served_log(tmp_path, numbered("seen", 3)) as (log, server):
        cursor = await first_visit(server, 3)
        log.unlink()
        append_lines(log, ["replacement-1", "replacement-2"])
        tail = await server.tail("app", cursor=cursor)
        await tail.expect("hello")
        got = await read_until(tail, "replacement-2")
        assert got == ["<gap>", "replacement-1", "replacement-2"]
        append_lines(log, ["live"])
        assert await read_until(tail, "live") == [*got, "live"]
        await tail.close()


async def test_a_resume_from_a_file_that_is_gone_caps_the_new_file_at_max_backlog(
    tmp_path: Path,
) -> None:
    async with served_log(tmp_path, numbered("seen", 3), max_backlog=4) as (log, server):
        cursor = await first_visit(server, 3)
        # Held open so that the new file cannot reuse the old inode number: the
        # cursor must not match it by chance.
        with log.open("rb"):
            log.unlink()
            append_lines(log, numbered("replacement", 10))
            tail = await server.tail("app", cursor=cursor)
            await tail.expect("hello")
            got = await read_until(tail, "replacement-000009")
            assert got == ["<gap>", *numbered("replacement", 4, start=6)]
            await tail.close()


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "f1.1.2.3.zzzzzzzz", "f1.1.2.3.0000000g", "f1." + "9" * 300],
    ids=["word", "bad-checksum", "bad-hex", "too-long"],
)
async def test_a_malformed_cursor_gives_a_bad_cursor_error_and_the_tail_goes_on(
    tmp_path: Path, cursor: str
) -> None:
    async with tailed_log(tmp_path, numbered("old", 5), cursor=cursor, backlog=2) as (log, _, tail):
        assert (await tail.expect("error"))["code"] == "bad_cursor"
        assert await tail.read_lines(2) == numbered("old", 2, start=3)
        append_lines(log, ["live"])
        assert await read_until(tail, "live") == [
            "<error:bad_cursor>",
            *numbered("old", 2, start=3),
            "live",
        ]


async def test_a_well_formed_cursor_for_an_unknown_file_gives_a_gap(tmp_path: Path) -> None:
    unknown = "f1.1.1.10.00000000"
    async with tailed_log(tmp_path, numbered("old", 2), cursor=unknown) as (_, _, tail):
        assert await read_until(tail, "old-000001") == ["<gap>", *numbered("old", 2)]
        assert transcript(tail)[0] == "<gap>"
