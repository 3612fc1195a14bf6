"""Tails filtered at the source, end to end: a real server, a real file, real WebSockets.

Only matching lines (and their context) are sent, what was left out is counted in
``skipped`` frames whose cursor resumes after it, viewers with the same filter share
its frames, and a new filter resumes from the cursor with no gap and no duplicate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.files import append_lines, served_log, started
from tests.support.tails import wait_for


def mixed(count: int, every: int = 10) -> list[str]:
    return [f"{'ERROR' if n % every == 0 else 'info'} line {n}" for n in range(count)]


async def test_only_matching_lines_are_sent_and_the_rest_is_counted(tmp_path: Path) -> None:
    async with served_log(tmp_path, []) as (log, server):
        tail = await started(server, backlog=0, filter="error")
        assert tail.frames[0]["filter"] == {
            "filter": "error", "regex": False, "case": False, "invert": False,
        }  # fmt: skip
        lines = mixed(500)
        append_lines(log, lines)
        await tail.read_counted(500)
        assert tail.lines == [line for line in lines if "ERROR" in line]
        assert tail.skipped == 450
        await tail.close()


async def test_the_backlog_is_filtered_too(tmp_path: Path) -> None:
    lines = mixed(100)
    async with served_log(tmp_path, lines) as (_, server):
        tail = await started(server, backlog=40, filter="error")
        await tail.read_counted(40)
        assert tail.lines == [line for line in lines[60:] if "ERROR" in line]
        await tail.close()


async def test_context_lines_come_around_each_match_marked_as_context(tmp_path: Path) -> None:
    async with served_log(tmp_path, []) as (log, server):
        tail = await started(server, backlog=0, filter="^E", regex="1", case="1", context="1")
        append_lines(log, ["a", "b", "E1", "c", "d", "e", "E2", "E3", "f", "g"])
        await tail.read_counted(10 - 1)  # "g" is held as the next match's context
        marked: list[tuple[str, bool]] = []
        for frame in tail.frames:
            if frame["type"] == "lines":
                context = set(frame.get("context", []))
                marked += [(line, i in context) for i, line in enumerate(frame["lines"])]
        assert marked == [
            ("b", True), ("E1", False), ("c", True),
            ("e", True), ("E2", False), ("E3", False), ("f", True),
        ]  # fmt: skip
        assert tail.skipped == 2  # a and d
        await tail.close()


async def test_invert_and_levels_at_the_source(tmp_path: Path) -> None:
    async with served_log(tmp_path, []) as (log, server):
        invert = await started(server, backlog=0, filter="health", invert="1")
        levels = await started(server, backlog=0, levels="error,warn")
        lines = ["GET /health 200", "ERROR db down", "WARN slow", "INFO ok", "GET /health 200"]
        append_lines(log, lines)
        await invert.read_counted(5)
        await levels.read_counted(5)
        assert invert.lines == ["ERROR db down", "WARN slow", "INFO ok"]
        assert levels.lines == ["ERROR db down", "WARN slow"]
        await invert.close()
        await levels.close()


async def test_viewers_with_the_same_filter_each_get_every_match(tmp_path: Path) -> None:
    async with served_log(tmp_path, []) as (log, server):
        tails = [await started(server, backlog=0, filter="error") for _ in range(5)]
        other = await started(server, backlog=0)
        lines = mixed(2000)
        append_lines(log, lines)
        wanted = [line for line in lines if "ERROR" in line]
        for tail in tails:
            await tail.read_counted(2000)
            assert tail.lines == wanted
        await other.read_lines(2000)
        assert other.lines == lines
        for tail in [*tails, other]:
            await tail.close()


async def test_a_new_filter_from_the_cursor_has_no_gap_and_no_duplicate(tmp_path: Path) -> None:
    async with served_log(tmp_path, []) as (log, server):
        first = await started(server, backlog=0, filter="error")
        lines = mixed(300)
        append_lines(log, lines[:150])
        await first.read_counted(150)
        await wait_for(lambda: first.cursor is not None)
        cursor = first.cursor
        await first.close()
        append_lines(log, lines[150:])
        second = await started(server, cursor=cursor, filter="line 1", regex="0")
        await second.read_counted(150)
        assert first.lines == [line for line in lines[:150] if "ERROR" in line]
        assert second.lines == [line for line in lines[150:] if "line 1" in line]
        await second.close()


async def test_a_filter_that_cannot_be_applied_refuses_the_tail(tmp_path: Path) -> None:
    async with served_log(tmp_path, ["a"]) as (_, server):
        for query in ({"filter": "(a", "regex": "1"}, {"levels": "loud"}, {"context": "5"}):
            tail = await server.tail("app", **query)
            await tail.expect_close(4400)
            errors: list[dict[str, Any]] = [f for f in tail.frames if f["type"] == "error"]
            assert [e["code"] for e in errors] == ["bad_filter"], tail.frames
        assert server.metric("tailgate_ws_rejections_total", reason="bad_filter") == 3
