"""A first end-to-end check of the tail protocol against a real file."""

from __future__ import annotations

from pathlib import Path

from tests.support.tails import running_server


async def test_a_tail_sends_the_backlog_then_appended_lines(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("one\ntwo\nthree\n")
    async with running_server(tmp_path, {"app": log}) as server:
        tail = await server.tail("app", backlog=2)
        hello = await tail.expect("hello")
        assert hello["log"] == {"id": "app", "title": "app", "kind": "file"}
        assert await tail.read_lines(2) == ["two", "three"]
        with log.open("a") as f:
            f.write("four\n")
        assert await tail.read_lines(3) == ["two", "three", "four"]
        await tail.close()
