"""A log path that cannot be read right now: an ``error`` frame, then recovery by itself.

The tests run as root in CI containers, where file modes do not stop reads; see
``file_modes_enforced`` for how the denial is made real there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.files import (
    append_lines,
    file_modes_enforced,
    nothing_arrives,
    read_until,
    transcript,
)
from tests.support.tails import running_server


@pytest.mark.parametrize("blocked", ["file", "directory"])
async def test_an_unreadable_log_gives_permission_denied_and_recovers_when_readable(
    tmp_path: Path, blocked: str
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.log"
    append_lines(log, ["written-before"])
    # A file without read permission, or a folder without search permission.
    target, mode = (log, 0o200) if blocked == "file" else (logs, 0o600)
    async with running_server(tmp_path, {"app": log}) as server:
        with file_modes_enforced():
            target.chmod(mode)
            with pytest.raises(PermissionError):
                log.open("rb").close()
            tail = await server.tail("app", backlog=10)
            await tail.expect("hello")
            error = await tail.expect("error")
            assert error["code"] == "permission_denied"
            assert str(log) in error["message"]
            await nothing_arrives(tail)
            meanwhile = []
            if blocked == "file":
                # Mode 0200 still lets the writer write.
                meanwhile = ["written-while-unreadable"]
                append_lines(log, meanwhile)
            target.chmod(0o755 if blocked == "directory" else 0o644)
            assert (await tail.expect("notice"))["event"] == "available"
            append_lines(log, ["written-after"])
            # The backlog asked for and everything written since connecting arrive.
            assert await read_until(tail, "written-after") == [
                "<error:permission_denied>",
                "<available>",
                "written-before",
                *meanwhile,
                "written-after",
            ]
            reason = {"kind": "file", "reason": "permission_denied"}
            assert server.metric("tailgate_source_errors_total", **reason) == 1
            await tail.close()


async def test_a_directory_in_place_of_the_log_gives_not_a_file_and_recovers(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    log.mkdir()
    async with running_server(tmp_path, {"app": log}) as server:
        tail = await server.tail("app")
        await tail.expect("hello")
        error = await tail.expect("error")
        assert error["code"] == "not_a_file"
        await nothing_arrives(tail)
        os.rmdir(log)
        log.touch()
        assert (await tail.expect("notice"))["event"] == "available"
        append_lines(log, ["now-a-file"])
        assert await read_until(tail, "now-a-file") == [
            "<error:not_a_file>",
            "<available>",
            "now-a-file",
        ]
        await tail.close()


async def test_a_second_viewer_of_an_unreadable_log_hears_the_error_at_once(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    log.mkdir()
    async with running_server(tmp_path, {"app": log}) as server:
        first = await server.tail("app")
        await first.expect("hello")
        await first.expect("error")
        second = await server.tail("app")
        await second.expect("hello")
        assert (await second.expect("error", timeout=1.0))["code"] == "not_a_file"
        await first.close()
        await second.close()
        assert transcript(second) == ["<error:not_a_file>"]
