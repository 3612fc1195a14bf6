"""``GET /api/logs/{id}/lines?before=CURSOR``: the lines before a place, oldest first.

The page loads older lines as its user scrolls up: each answer's ``cursor`` asks for
the page before it, through rotated and compressed copies, to the log's first line.
"""

from __future__ import annotations

import gzip
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.files import append_lines, numbered, served_log
from tests.support.tails import RunningServer


async def lines(server: RunningServer, log_id: str = "app", **query: Any) -> Any:
    async with server.session.get(
        f"{server.base_url}/api/logs/{log_id}/lines", params=query
    ) as response:
        return response.status, await response.json()


async def tail_cursor(server: RunningServer, count: int) -> str:
    """The cursor after the last of ``count`` lines of backlog, as a tail hands it out."""
    tail = await server.tail("app", backlog=count)
    await tail.expect("hello")
    await tail.read_lines(count)
    await tail.close()
    assert tail.cursor is not None
    return tail.cursor


async def test_pages_before_a_tail_cursor_reach_back_through_every_rotation(
    tmp_path: Path,
) -> None:
    async with served_log(tmp_path, numbered("a", 30)) as (log, server):
        gz = tmp_path / "app.log.2.gz"
        gz.write_bytes(gzip.compress(log.read_bytes()))
        os.utime(gz, (1, 1))
        log.write_bytes(b"")
        append_lines(log, numbered("b", 30))
        log.rename(tmp_path / "app.log.1")
        os.utime(tmp_path / "app.log.1", (2, 2))
        append_lines(log, numbered("c", 30))
        cursor = await tail_cursor(server, 5)
        pages: list[list[str]] = []
        while cursor is not None:
            status, body = await lines(server, before=cursor, limit=7)
            assert status == 200
            if body["lines"]:
                pages.append(body["lines"])
            cursor = body["cursor"]
        seen = [line for page in reversed(pages) for line in page]
        assert seen == [*numbered("a", 30), *numbered("b", 30), *numbered("c", 30)]
        assert all(len(page) == 7 for page in pages[:-1])


async def test_the_first_page_ends_with_the_line_before_the_cursor(tmp_path: Path) -> None:
    async with served_log(tmp_path, numbered("x", 20)) as (log, server):
        cursor = await tail_cursor(server, 20)
        append_lines(log, ["after"])
        status, body = await lines(server, before=cursor, limit=3)
        assert (status, body["lines"]) == (200, ["x-000017", "x-000018", "x-000019"])
        # The page's cursor opens a tail at its first line.
        tail = await server.tail("app", cursor=body["cursor"])
        await tail.expect("hello")
        assert (await tail.read_lines(4))[:4] == ["x-000017", "x-000018", "x-000019", "after"]
        await tail.close()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({}, "bad_query"),
        ({"before": "nonsense"}, "bad_cursor"),
        ({"before": "f1.1.1.0.00000000"}, "bad_cursor"),
        ({"before": "CURSOR", "limit": "many"}, "bad_query"),
    ],
)
async def test_bad_parameters_are_400(tmp_path: Path, query: dict[str, str], code: str) -> None:
    async with served_log(tmp_path, ["a", "b"]) as (_, server):
        if query.get("before") == "CURSOR":
            query = {**query, "before": await tail_cursor(server, 1)}
        status, body = await lines(server, **query)
        assert (status, body["error"]) == (400, code)


async def test_a_limit_over_the_backlog_cap_is_capped(tmp_path: Path) -> None:
    async with served_log(tmp_path, numbered("x", 50), max_backlog=10) as (_, server):
        cursor = await tail_cursor(server, 1)
        status, body = await lines(server, before=cursor, limit=1000)
        assert (status, len(body["lines"])) == (200, 10)


async def test_a_read_back_is_audited(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with served_log(tmp_path, numbered("x", 5)) as (_, server):
        cursor = await tail_cursor(server, 1)
        with caplog.at_level(logging.INFO, logger="tailgate.audit"):
            await lines(server, before=cursor, limit=2)
        records: list[Any] = [r for r in caplog.records if getattr(r, "event", None) == "read"]
        assert [(r.log_id, r.before, r.limit) for r in records] == [("app", cursor, 2)]
