"""Rotations the server only sees the end of: files that came and went between two looks.

The server runs on the test's event loop, so a run of file operations without an
``await`` happens at once as far as it can tell (see ``tests.support.files``):
each test stages a race exactly and checks the whole transcript a viewer gets.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.support.files import (
    append,
    append_lines,
    numbered,
    read_until,
    synced,
    tailed_log,
    transcript,
)


async def test_a_file_renamed_away_again_before_the_server_looked_is_still_read_whole(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, ["h-0"], backlog=1) as (log, _, tail):
        await tail.read_lines(1)
        # Two rotations (logrotate's shifting names) before the server looks once.
        append_lines(log, ["h-1"])
        log.rename(tmp_path / "app.log.1")
        append_lines(log, numbered("s", 3))
        (tmp_path / "app.log.1").rename(tmp_path / "app.log.2")
        log.rename(tmp_path / "app.log.1")
        append_lines(log, numbered("t", 2))
        got = await read_until(tail, "t-000001")
        assert got == [
            "h-0",
            "h-1",
            "<rotated>",
            *numbered("s", 3),
            "<rotated>",
            "t-000000",
            "t-000001",
        ]


async def test_a_file_deleted_and_created_again_between_two_looks_is_announced_as_created(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, ["first"], backlog=1) as (log, _, tail):
        await tail.read_lines(1)
        log.unlink()
        append_lines(log, ["again-1"])
        got = await read_until(tail, "again-1")
        assert got == ["first", "<created>", "again-1"]


async def test_lines_written_to_a_rotated_file_after_it_was_finished_are_counted_in_a_late_notice(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, ["old-1"], backlog=1) as (log, _, tail):
        await tail.read_lines(1)
        with log.open("a") as straggler:
            log.rename(tmp_path / "app.log.1")
            append_lines(log, ["new-1"])
            assert await read_until(tail, "new-1") == ["old-1", "<rotated>", "new-1"]
            # A second thread of the writer had the old file open and writes on.
            straggler.write("late-1\nlate-2\n")
            straggler.flush()
        assert (await tail.expect("notice"))["event"] == "late"
        late = [f for f in tail.frames if f.get("event") == "late"]
        assert late[0]["lines"] == 2
        append_lines(log, ["new-2"])
        assert await read_until(tail, "new-2") == ["old-1", "<rotated>", "new-1", "<late>", "new-2"]


async def test_a_copytruncate_that_outran_the_reader_sends_a_gap_with_the_bytes_lost(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, ["read-1"], backlog=1) as (log, server, tail):
        await tail.read_lines(1)
        # Written, copied and truncated before the server could read it.
        unread = "unread-1\nunread-2\n"
        append(log, unread)
        (tmp_path / "app.log.1").write_bytes(log.read_bytes())
        os.truncate(log, 0)
        append_lines(log, ["after-1"])
        got = await read_until(tail, "after-1")
        assert got == ["read-1", "<gap>", "<truncated>", "after-1"]
        gap = next(f for f in tail.frames if f.get("event") == "gap")
        assert (gap["bytes"], gap["cause"]) == (len(unread), "truncated")
        assert transcript(tail).count("<gap>") == 1
        assert server.metric("tailgate_gaps_total", log_id="app", cause="truncated") == 1


async def test_a_copytruncate_while_a_tail_was_paused_sends_it_a_gap_with_its_own_bytes_lost(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, ["read-1"], backlog=1) as (log, server, tail):
        await tail.read_lines(1)
        await tail.send({"type": "pause"})
        await synced(tail)
        unread = "unread-1\nunread-2\nunread-3\n"
        append(log, unread)
        (tmp_path / "app.log.1").write_bytes(log.read_bytes())
        os.truncate(log, 0)
        append_lines(log, ["after-1"])
        await tail.send({"type": "resume"})
        got = await read_until(tail, "after-1")
        assert got == ["read-1", "<gap>", "<truncated>", "after-1"]
        gap = next(f for f in tail.frames if f.get("event") == "gap")
        assert (gap["bytes"], gap["cause"]) == (len(unread), "truncated")
        assert server.metric("tailgate_gaps_total", log_id="app", cause="truncated") == 1


def _held(path: Path) -> bool:
    """Whether this process holds the file ``path`` names open (the server runs here)."""
    inode = path.stat().st_ino
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.stat(f"/proc/self/fd/{fd}").st_ino == inode:
                return True
        except OSError:
            continue
    return False


def _until_held(path: Path) -> None:
    """Block (the server's loop too) until something in this process opened ``path``."""
    deadline = time.monotonic() + 10
    while not _held(path):
        assert time.monotonic() < deadline, f"nobody opened {path}"
        time.sleep(0.001)


async def test_files_replaced_while_the_loop_was_busy_are_each_read_in_order(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, ["start"], backlog=1) as (log, _, tail):
        await tail.read_lines(1)
        copy = tmp_path / "app.log.1"
        # The loop is held the whole time: each file is renamed over the only copy,
        # so once its name moved on twice only an open descriptor still reaches it.
        append_lines(log, ["file-0"])
        for n in range(1, 6):
            log.rename(copy)
            append_lines(log, [f"file-{n}"])
            _until_held(log)
        log.rename(copy)
        append_lines(log, ["last"])
        got = await read_until(tail, "last")
        assert [line for line in got if not line.startswith("<")] == [
            "start",
            *(f"file-{n}" for n in range(6)),
            "last",
        ]
        assert "<gap>" not in got
