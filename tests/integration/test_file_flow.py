"""Viewers of one file sharing a follower: pause and resume, independence, slow readers,
releasing the file when a tail ends, and the metrics that count all this.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.files import (
    append_lines,
    nothing_arrives,
    numbered,
    read_until,
    served_log,
    started,
    synced,
    tailed_log,
    transcript,
    vanish,
)
from tests.support.tails import RunningServer, open_paths, wait_for


def active_tails(server: RunningServer) -> float:
    return server.metric("tailgate_active_tails", log_id="app", kind="file")


# -- pause and resume ---------------------------------------------------------------------


async def test_a_paused_tail_gets_nothing_and_on_resume_every_line_once_in_order(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, ["before"], backlog=1) as (log, server, tail):
        other = await started(server, backlog=0)
        await tail.read_lines(1)
        await tail.send({"type": "pause"})
        await synced(tail)
        during = numbered("paused", 50)
        for line in during:
            append_lines(log, [line])
        # The other viewer is not held back by the paused one.
        assert await other.read_lines(50) == during
        await nothing_arrives(tail)
        await tail.send({"type": "resume"})
        assert await read_until(tail, during[-1]) == ["before", *during]
        append_lines(log, ["after"])
        assert await read_until(tail, "after") == ["before", *during, "after"]
        await nothing_arrives(tail, within=0.1)
        await tail.close()
        await other.close()


async def test_a_tail_paused_across_a_rotation_catches_up_through_it_on_resume(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, ["before"], backlog=1) as (log, _, tail):
        await tail.read_lines(1)
        await tail.send({"type": "pause"})
        await synced(tail)
        append_lines(log, ["old-1"])
        log.rename(tmp_path / "app.log.1")
        append_lines(log, ["new-1"])
        await nothing_arrives(tail)
        await tail.send({"type": "resume"})
        assert await read_until(tail, "new-1") == ["before", "old-1", "<rotated>", "new-1"]
        append_lines(log, ["new-2"])
        assert (await read_until(tail, "new-2"))[-1] == "new-2"


async def test_pause_and_resume_many_times_over_a_stream_lose_and_repeat_nothing(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, [], backlog=0) as (log, _, tail):
        expected: list[str] = []
        for round_ in range(20):
            batch = numbered(f"round{round_:02d}", 25)
            append_lines(log, batch[:10])
            await tail.send({"type": "pause" if round_ % 2 else "resume"})
            append_lines(log, batch[10:])
            expected += batch
        await tail.send({"type": "resume"})
        assert await read_until(tail, expected[-1]) == expected


async def test_a_paused_tail_gets_no_notice_either_until_it_resumes(tmp_path: Path) -> None:
    async with tailed_log(tmp_path, ["one"], backlog=1) as (log, _, tail):
        await tail.read_lines(1)
        await tail.send({"type": "pause"})
        await synced(tail)
        log.unlink()
        try:
            await nothing_arrives(tail)
        finally:
            await tail.close()


# -- several viewers ------------------------------------------------------------------------


async def test_two_tails_of_one_file_are_independent_and_closing_one_leaves_the_other(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, numbered("old", 3), backlog=3) as (log, server, first):
        second = await started(server, backlog=1)
        assert await first.read_lines(3) == numbered("old", 3)
        assert await second.read_lines(1) == ["old-000002"]
        append_lines(log, ["both"])
        assert (await first.read_lines(4))[-1] == "both"
        assert (await second.read_lines(2))[-1] == "both"
        await first.close()
        await wait_for(lambda: active_tails(server) == 1, timeout=1.0)
        append_lines(log, ["second-only"])
        assert await read_until(second, "second-only") == ["old-000002", "both", "second-only"]
        assert str(log) in open_paths()
        await second.close()


async def test_a_slow_reader_does_not_hold_back_a_fast_one_and_later_gets_every_line_once(
    tmp_path: Path,
) -> None:
    padding = "x" * 90
    rounds, per_round = 20, 10_000
    async with tailed_log(tmp_path, [], backlog=0) as (log, server, fast):
        slow = await started(server, backlog=0)
        expected: list[str] = []
        # 20 rounds of ~1 MB: far more than the socket buffers and the server's
        # per-viewer limit, so the slow viewer must drop out of the shared fan-out.
        for round_ in range(rounds):
            batch = [f"{line} {padding}" for line in numbered(f"r{round_:02d}", per_round)]
            append_lines(log, batch)
            expected += batch
            await fast.read_lines(len(expected), timeout=10.0)
        assert fast.lines == expected
        assert await slow.read_lines(len(expected), timeout=20.0) == expected
        append_lines(log, ["together"])
        assert (await fast.read_lines(len(expected) + 1))[-1] == "together"
        assert (await slow.read_lines(len(expected) + 1))[-1] == "together"
        await nothing_arrives(slow, within=0.1)
        assert slow.lines == fast.lines
        sent = 2 * len(expected) + 2
        await wait_for(lambda: server.metric("tailgate_sent_lines_total", log_id="app") == sent)
        await fast.close()
        await slow.close()


async def test_a_slow_reader_follows_a_rotation_it_fell_behind_on(tmp_path: Path) -> None:
    async with tailed_log(tmp_path, [], backlog=0) as (log, server, fast):
        slow = await server.tail("app", backlog=0)
        old = [f"{line} {'z' * 90}" for line in numbered("old", 60_000)]
        new = [f"{line} {'z' * 90}" for line in numbered("new", 60_000)]
        append_lines(log, old)
        await fast.read_lines(len(old), timeout=10.0)
        log.rename(tmp_path / "app.log.1")
        append_lines(log, new)
        assert await read_until(fast, new[-1], timeout=10.0) == [*old, "<rotated>", *new]
        await slow.expect("hello")
        assert await read_until(slow, new[-1], timeout=10.0) == [*old, "<rotated>", *new]
        await fast.close()
        await slow.close()


# -- releasing the file -------------------------------------------------------------------


async def test_closing_a_tail_releases_the_file_at_once_and_lowers_active_tails(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, ["one"], backlog=1) as (log, server, tail):
        await tail.read_lines(1)
        assert str(log) in open_paths()
        assert active_tails(server) == 1
        await tail.close()
        await wait_for(lambda: str(log) not in open_paths(), timeout=1.0)
        await wait_for(lambda: active_tails(server) == 0, timeout=1.0)


async def test_a_client_that_vanishes_without_a_close_frame_releases_the_file(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, ["one"], backlog=1) as (log, server, tail):
        await tail.read_lines(1)
        assert str(log) in open_paths()
        vanish(tail)
        await wait_for(lambda: str(log) not in open_paths(), timeout=1.0)
        await wait_for(lambda: active_tails(server) == 0, timeout=1.0)


async def test_a_paused_tail_releases_the_file_when_closed(tmp_path: Path) -> None:
    async with tailed_log(tmp_path, ["one"], backlog=1) as (log, server, tail):
        await tail.read_lines(1)
        await tail.send({"type": "pause"})
        await synced(tail)
        append_lines(log, ["while-paused"])
        await tail.close()
        await wait_for(lambda: str(log) not in open_paths(), timeout=1.0)
        await wait_for(lambda: active_tails(server) == 0, timeout=1.0)


async def test_a_slow_client_that_vanishes_while_catching_up_releases_the_file(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, [], backlog=0) as (log, server, fast):
        slow = await started(server, backlog=0)
        batch = [f"{line} {'y' * 90}" for line in numbered("burst", 80_000)]
        append_lines(log, batch)
        await fast.read_lines(len(batch), timeout=10.0)
        await fast.close()
        vanish(slow)
        await wait_for(lambda: str(log) not in open_paths(), timeout=1.0)
        await wait_for(lambda: active_tails(server) == 0, timeout=1.0)
        await slow.close()


async def test_no_file_of_a_rotated_log_stays_open_after_the_tail_closes(tmp_path: Path) -> None:
    async with tailed_log(tmp_path, ["old"], backlog=1) as (log, _, tail):
        await tail.read_lines(1)
        log.rename(tmp_path / "app.log.1")
        append_lines(log, ["new"])
        assert await read_until(tail, "new") == ["old", "<rotated>", "new"]
        await tail.close()

        def held() -> list[str]:
            return [p for p in open_paths() if p.startswith(str(tmp_path / "app.log"))]

        await wait_for(lambda: not held(), timeout=1.0)


# -- metrics ----------------------------------------------------------------------------------


async def test_sent_lines_counts_every_line_delivered_and_tails_started_counts_tails(
    tmp_path: Path,
) -> None:
    async with served_log(tmp_path, numbered("old", 3)) as (log, server):

        def sent() -> float:
            return server.metric("tailgate_sent_lines_total", log_id="app")

        def tails_started() -> float:
            return server.metric("tailgate_tails_started_total", log_id="app", kind="file")

        assert (sent(), tails_started()) == (0, 0)
        first = await started(server, backlog=3)
        await first.read_lines(3)
        assert tails_started() == 1
        await wait_for(lambda: sent() == 3, timeout=1.0)
        append_lines(log, ["live-1", "live-2"])
        await first.read_lines(5)
        await wait_for(lambda: sent() == 5, timeout=1.0)

        second = await started(server, backlog=1)
        await second.read_lines(1)
        assert tails_started() == 2
        await wait_for(lambda: sent() == 6, timeout=1.0)
        append_lines(log, ["live-3"])
        await first.read_lines(6)
        await second.read_lines(2)
        await wait_for(lambda: sent() == 8, timeout=1.0)
        await first.close()
        await second.close()
        await wait_for(lambda: active_tails(server) == 0, timeout=1.0)
        assert tails_started() == 2
        assert sent() == len(first.lines) + len(second.lines) == 8
        assert transcript(second) == ["live-2", "live-3"]
