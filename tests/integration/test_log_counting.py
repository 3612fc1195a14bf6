"""Metrics from logs: a catalog's ``count:`` logs are read and counted, watched or not."""

from __future__ import annotations

from pathlib import Path

from tests.support.files import append_lines, started
from tests.support.tails import RunningServer, open_paths, running_server, wait_for


def catalog(log: Path, other: Path | None = None, *, count: bool = True) -> str:
    text = f"logs:\n  - id: app\n    file: {log}\n"
    if count:
        text += '    count:\n      errors: "ERROR|FATAL"\n      timeouts: "timed out"\n'
    if other is not None:
        text += f'  - id: aaa\n    file: {other}\n    count: {{warnings: "WARN"}}\n'
    return text


def lines_of(server: RunningServer, log_id: str = "app") -> float | None:
    return server.metrics.registry.get_sample_value("tailgate_log_lines_total", {"log_id": log_id})


def matches(server: RunningServer, pattern: str, log_id: str = "app") -> float | None:
    return server.metrics.registry.get_sample_value(
        "tailgate_log_matches_total", {"log_id": log_id, "pattern": pattern}
    )


async def test_a_counted_log_is_read_and_counted_with_nobody_watching(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    append_lines(log, ["ERROR before the start is not counted"])
    async with running_server(tmp_path, catalog(log)) as server:
        await wait_for(lambda: lines_of(server) == 0 and str(log) in open_paths())
        assert matches(server, "errors") == 0 and matches(server, "timeouts") == 0
        append_lines(log, ["ok", "ERROR db", "FATAL disk", "call timed out", "ERROR timed out"])
        await wait_for(lambda: lines_of(server) == 5)
        assert matches(server, "errors") == 3
        assert matches(server, "timeouts") == 2
        assert server.metric("tailgate_active_tails", log_id="app", kind="file") == 0
        assert server.metric("tailgate_counted_logs") == 1


async def test_viewers_share_the_counted_logs_one_reading(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.touch()
    async with running_server(tmp_path, catalog(log)) as server:
        await wait_for(lambda: str(log) in open_paths())
        tails = [await started(server, backlog=0) for _ in range(2)]
        append_lines(log, ["ERROR one", "two"])
        for tail in tails:
            assert await tail.read_lines(2) == ["ERROR one", "two"]
        await wait_for(lambda: lines_of(server) == 2)
        assert sorted(open_paths()).count(str(log)) == 1
        for tail in tails:
            await tail.close()
        append_lines(log, ["ERROR three"])
        await wait_for(lambda: matches(server, "errors") == 2)


async def test_a_log_no_longer_counted_takes_its_series_with_it(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.touch()
    async with running_server(tmp_path, catalog(log)) as server:
        await wait_for(lambda: lines_of(server) == 0)
        server.catalog_path.write_text(catalog(log, count=False))
        await wait_for(lambda: lines_of(server) is None)
        assert matches(server, "errors") is None
        assert server.metric("tailgate_counted_logs") == 0
        await wait_for(lambda: str(log) not in open_paths())


async def test_the_caps_leave_logs_and_patterns_out_and_say_so(tmp_path: Path) -> None:
    log, other = tmp_path / "app.log", tmp_path / "aaa.log"
    log.touch()
    other.touch()
    text = catalog(log, other)
    async with running_server(tmp_path, text, max_counted_logs=1, max_count_patterns=1) as server:
        # The first by ID is counted; of its patterns, the first.
        await wait_for(lambda: lines_of(server, "aaa") == 0)
        assert lines_of(server, "app") is None
        assert server.metric("tailgate_counting_capped", what="logs") == 1
        assert server.metric("tailgate_counting_capped", what="patterns") == 0
        server.catalog_path.write_text(catalog(log))
        await wait_for(lambda: lines_of(server, "app") == 0)
        assert matches(server, "errors", "app") == 0 and matches(server, "timeouts", "app") is None
        assert server.metric("tailgate_counting_capped", what="logs") == 0
        assert server.metric("tailgate_counting_capped", what="patterns") == 1
