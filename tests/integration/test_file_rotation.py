"""Following the path, not just the open file: rotation, copytruncate, deletion, late files.

Each test stages what a log rotator or writer does with plain file operations and
checks the exact transcript a viewer gets: every line once, in order, with the
notice where the file changed.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.files import (
    append_lines,
    nothing_arrives,
    numbered,
    read_until,
    tailed_log,
    transcript,
)


async def test_rename_and_create_finishes_the_old_file_then_reads_the_new_one_from_its_start(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, numbered("before", 3), backlog=3) as (log, _, tail):
        await tail.read_lines(3)
        with log.open("a") as writer:
            log.rename(tmp_path / "app.log.1")
            # The writer has not reopened yet: its lines still go to the renamed file.
            writer.write("old-after-rename-1\n")
            writer.flush()
            assert await read_until(tail, "old-after-rename-1")
            log.touch()
            writer.write("old-after-create\n")
            writer.flush()
            assert await read_until(tail, "old-after-create")
        append_lines(log, numbered("new", 3))
        got = await read_until(tail, "new-000002")
        assert got == [
            *numbered("before", 3),
            "old-after-rename-1",
            "old-after-create",
            "<rotated>",
            *numbered("new", 3),
        ]
        await nothing_arrives(tail)


async def test_a_rotation_staged_all_at_once_loses_and_repeats_nothing(tmp_path: Path) -> None:
    async with tailed_log(tmp_path, numbered("before", 2), backlog=0) as (log, _, tail):
        append_lines(log, ["live-1"])
        await tail.read_lines(1)
        # Written without yielding to the server: it sees only the end state,
        # an old file with unread lines (one of them partial) and a new file with data.
        with log.open("a") as writer:
            writer.write("old-1\n")
            log.rename(tmp_path / "app.log.1")
            writer.write("old-2\nold-partial")
            writer.flush()
        append_lines(log, ["new-1", "new-2"])
        got = await read_until(tail, "new-2")
        assert got == ["live-1", "old-1", "old-2", "old-partial", "<rotated>", "new-1", "new-2"]
        append_lines(log, ["new-3"])
        assert await read_until(tail, "new-3") == [*got, "new-3"]


async def test_copytruncate_sends_a_truncated_notice_and_continues_from_offset_zero(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, numbered("old", 5), backlog=5) as (log, _, tail):
        await tail.read_lines(5)
        (tmp_path / "app.log.1").write_bytes(log.read_bytes())
        with log.open("r+") as f:
            f.truncate(0)
        assert await read_until(tail, "<truncated>")
        append_lines(log, ["new-1", "new-2"])
        got = await read_until(tail, "new-2")
        assert got == [*numbered("old", 5), "<truncated>", "new-1", "new-2"]


async def test_a_truncation_followed_at_once_by_a_shorter_write_is_detected(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, numbered("old", 5), backlog=5) as (log, _, tail):
        await tail.read_lines(5)
        log.write_text("new-1\n")
        got = await read_until(tail, "new-1")
        assert got == [*numbered("old", 5), "<truncated>", "new-1"]


async def test_a_file_truncated_and_regrown_past_the_old_offset_is_detected_by_its_checksum(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, numbered("old", 3), backlog=3) as (log, _, tail):
        await tail.read_lines(3)
        # Truncate and write more than before, without letting the server look in
        # between: the size alone only shows growth.
        regrown = numbered("regrown", 6)
        log.write_text("".join(line + "\n" for line in regrown))
        got = await read_until(tail, "regrown-000005")
        assert got == [*numbered("old", 3), "<truncated>", *regrown]


async def test_a_deleted_file_sends_deleted_then_created_when_it_comes_back(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, ["first"], backlog=1) as (log, _, tail):
        await tail.read_lines(1)
        with log.open("a") as writer:
            log.unlink()
            assert await read_until(tail, "<deleted>")
            # A writer that still holds the file keeps being read.
            writer.write("to-the-deleted-file\n")
            writer.flush()
            assert await read_until(tail, "to-the-deleted-file")
        append_lines(log, ["back-1", "back-2"])
        got = await read_until(tail, "back-2")
        assert got == ["first", "<deleted>", "to-the-deleted-file", "<created>", "back-1", "back-2"]


async def test_a_file_that_does_not_exist_yet_sends_waiting_then_its_lines_from_the_start(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, None, backlog=10) as (log, _, tail):
        assert (await tail.expect("notice"))["event"] == "waiting"
        await nothing_arrives(tail)
        append_lines(log, ["born-1", "born-2"])
        got = await read_until(tail, "born-2", timeout=2.0)
        assert got == ["<waiting>", "<created>", "born-1", "born-2"]
        append_lines(log, ["born-3"])
        assert await read_until(tail, "born-3") == [*got, "born-3"]


async def test_a_file_created_empty_while_waiting_is_followed_from_its_start(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, None) as (log, _, tail):
        assert (await tail.expect("notice"))["event"] == "waiting"
        log.touch()
        assert (await tail.expect("notice"))["event"] == "created"
        append_lines(log, ["born-1"])
        assert await read_until(tail, "born-1") == ["<waiting>", "<created>", "born-1"]


async def test_a_second_viewer_of_a_rotated_log_sees_only_the_new_file(tmp_path: Path) -> None:
    async with tailed_log(tmp_path, ["old"], backlog=1) as (log, server, first):
        await first.read_lines(1)
        log.rename(tmp_path / "app.log.1")
        append_lines(log, ["new-1"])
        assert await read_until(first, "new-1") == ["old", "<rotated>", "new-1"]
        second = await server.tail("app", backlog=5)
        await second.expect("hello")
        assert await second.read_lines(1) == ["new-1"]
        append_lines(log, ["new-2"])
        assert await read_until(second, "new-2") == ["new-1", "new-2"]
        assert await read_until(first, "new-2") == ["old", "<rotated>", "new-1", "new-2"]
        await first.close()
        await second.close()
        assert transcript(second) == ["new-1", "new-2"]
