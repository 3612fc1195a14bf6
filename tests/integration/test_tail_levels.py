"""``annotate=levels``: each line's level beside it, worked out only while a viewer asks."""

from __future__ import annotations

from pathlib import Path

from tests.support.files import append_lines, served_log, started


async def test_levels_come_with_the_lines_of_a_tail_that_asks_and_only_then(
    tmp_path: Path,
) -> None:
    async with served_log(tmp_path, ["12:00 INFO ready", "12:01 ERROR disk full"]) as (
        log,
        server,
    ):
        plain = await started(server, backlog=2)
        await plain.read_lines(2)
        append_lines(log, ["12:02 WARN slow"])
        await plain.read_lines(3)
        assert all("levels" not in f for f in plain.frames if f["type"] == "lines")
        leveled = await started(server, backlog=2, annotate="levels")
        await leveled.read_lines(2)
        append_lines(log, ["12:03 ERROR gone", "  at main.go:12"])
        await leveled.read_lines(4)
        await plain.read_lines(5)
        frames = [f for f in leveled.frames if f["type"] == "lines"]
        assert [level for f in frames for level in f["levels"]] == ["error", "warn", "error", None]
        bad = await started(server, backlog=0, annotate="levels,colours")
        error = await bad.expect("error")
        assert error["code"] == "bad_annotate" and "colours" in error["message"]
        assert "levels, sources" in error["message"]
        # A file log has one source: asking for sources changes nothing in its frames.
        both = await started(server, backlog=2, annotate="sources,levels")
        assert await both.read_lines(2) == ["12:03 ERROR gone", "  at main.go:12"]
        frames = [f for f in both.frames if f["type"] == "lines"]
        assert [level for f in frames for level in f["levels"]] == ["error", None]
        assert not any("sources" in f or "source" in f for f in frames)
        for tail in (plain, leveled, bad, both):
            await tail.close()
