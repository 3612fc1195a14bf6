"""``since=RFC3339`` on the WebSocket: a file log's tail starts at a time, across rotations."""

from __future__ import annotations

from pathlib import Path

from tests.support.files import append_lines, read_until, served_log, started


def stamped(first: int, count: int) -> list[str]:
    return [f"2026-12-01T10:00:{s:02d}.000Z line {s}" for s in range(first, first + count)]


def texts(got: list[str]) -> list[str]:
    return [line.rsplit(" ", 1)[-1] for line in got if not line.startswith("<")]


async def test_a_tail_since_a_time_starts_at_its_first_line_in_whichever_file_holds_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "app.log.1").write_text("".join(f"{line}\n" for line in stamped(0, 10)))
    async with served_log(tmp_path, stamped(10, 10)) as (log, server):
        inside = await started(server, since="2026-12-01T10:00:14Z", backlog=2)
        older = await started(server, since="2026-12-01T10:00:05.5Z")
        before_all = await started(server, since="2026-12-01T09:00:00Z")
        later = await started(server, since="2026-12-01T11:00:00Z")
        append_lines(log, ["2026-12-01T10:00:20.000Z line 20"])
        assert texts(await read_until(inside, "2026-12-01T10:00:20.000Z line 20")) == [
            str(n) for n in range(14, 21)
        ]
        assert texts(await read_until(older, "2026-12-01T10:00:20.000Z line 20")) == [
            str(n) for n in range(6, 21)
        ]
        got = await read_until(before_all, "2026-12-01T10:00:20.000Z line 20")
        assert texts(got) == [str(n) for n in range(21)] and "<gap>" not in got
        assert texts(await read_until(later, "2026-12-01T10:00:20.000Z line 20")) == ["20"]
        for tail in (inside, older, before_all, later):
            await tail.close()


async def test_a_bad_time_or_a_file_without_timestamps_says_so_and_starts_as_usual(
    tmp_path: Path,
) -> None:
    async with served_log(tmp_path, ["plain 1", "plain 2"]) as (_, server):
        bad = await started(server, since="yesterday", backlog=1)
        error = await bad.expect("error")
        assert error["code"] == "bad_since" and "RFC 3339" in error["message"]
        assert await bad.read_lines(1) == ["plain 2"]
        untimed = await started(server, since="2026-12-01T10:00:00Z", backlog=1)
        error = await untimed.expect("error")
        assert error["code"] == "no_timestamps"
        assert await untimed.read_lines(1) == ["plain 2"]
        await bad.close()
        await untimed.close()


async def test_a_cursor_wins_over_since(tmp_path: Path) -> None:
    async with served_log(tmp_path, stamped(0, 5)) as (log, server):
        first = await started(server, backlog=2)
        await first.read_lines(2)
        cursor = first.cursor
        await first.close()
        append_lines(log, stamped(5, 1))
        resumed = await started(server, cursor=cursor, since="2026-12-01T10:00:00Z")
        assert texts(await resumed.read_lines(1)) == ["5"]
        await resumed.close()
