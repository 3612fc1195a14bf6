"""``tailgate tail --since``: a tail that starts at a time, or a duration back from now."""

from __future__ import annotations

import datetime
from pathlib import Path

from .conftest import Serve, Terminal


def stamp(at: datetime.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def test_since_starts_at_a_time_or_a_duration_ago_and_a_bad_one_is_refused(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    now = datetime.datetime.now(datetime.UTC)
    app = tmp_path / "app.log"
    app.write_text(
        f"{stamp(now - datetime.timedelta(hours=2))} old\n"
        f"{stamp(now - datetime.timedelta(minutes=30))} half an hour ago\n"
        f"{stamp(now - datetime.timedelta(minutes=1))} a minute ago\n"
    )
    async with serve_open({"app": app}) as server:
        recent = terminal.start("tail", "app", "--since", "10m", "--server", server.base_url)
        hour = terminal.start("tail", "app", "--since", "1h", "--server", server.base_url)
        exact = terminal.start(
            "tail", "app", "--since", stamp(now - datetime.timedelta(hours=3)),
            "--server", server.base_url,
        )  # fmt: skip
        assert [line.split(" ", 2)[-1] for line in await recent.wait_stdout(
            lambda lines: len(lines) == 1)] == ["a minute ago"]  # fmt: skip
        assert len(await hour.wait_stdout(lambda lines: len(lines) == 2)) == 2
        assert len(await exact.wait_stdout(lambda lines: len(lines) == 3)) == 3
        for tail in (recent, hour, exact):
            tail.interrupt()
            assert await tail.wait_exit() == 130
        assert recent.lines()[0].endswith("a minute ago")
        assert hour.lines()[0].endswith("half an hour ago")
        bad = await terminal.run("tail", "app", "--since", "yesterday", "--server", server.base_url)
        assert bad.proc.returncode == 2 and "RFC 3339" in bad.stderr()
