"""``GET /api/logs/{id}/search`` on the real app: newest first, across rotations, bounded.

Each match's cursor must open a tail right after its line, ``more`` must continue the
same search further back, a streamed search must show progress and stop reading when
its client goes away, and every bad parameter is a 400 that says what is wrong.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.files import append_lines, numbered, read_until, served_log
from tests.support.tails import RunningServer, running_server


async def search(server: RunningServer, log_id: str = "app", **query: Any) -> Any:
    async with server.session.get(
        f"{server.base_url}/api/logs/{log_id}/search", params=query
    ) as response:
        body = await response.json()
        return response.status, body


async def found(server: RunningServer, **query: Any) -> list[str]:
    status, body = await search(server, **query)
    assert status == 200, body
    return [m["line"] for m in body["matches"]]


def rotate(log: Path, lines: list[str]) -> None:
    """``log`` -> ``log.1`` (and ``log.1`` -> ``log.2.gz``), then a new ``log`` with ``lines``."""
    one = log.with_name(log.name + ".1")
    if one.exists():
        gz = log.with_name(log.name + ".2.gz")
        gz.write_bytes(gzip.compress(one.read_bytes()))
        os.utime(gz, (1, 1))
        one.unlink()
    log.rename(one)
    os.utime(one, (2, 2))
    append_lines(log, lines)


async def test_matches_come_newest_first_across_the_rotated_and_compressed_copies(
    tmp_path: Path,
) -> None:
    async with served_log(tmp_path, numbered("first", 50)) as (log, server):
        rotate(log, numbered("second", 50))
        rotate(log, numbered("third", 50))
        status, body = await search(server, q="-00001")
        assert status == 200
        assert [m["line"] for m in body["matches"]] == [
            f"{name}-{i:06d}" for name in ("third", "second", "first") for i in range(19, 9, -1)
        ]
        sources = {m["line"].split("-")[0]: m.get("source") for m in body["matches"]}
        assert sources == {"third": None, "second": "app.log.1", "first": "app.log.2.gz"}
        assert body["more"] is None
        assert body["scanned_bytes"] >= 3 * 50 * len("first-000000\n") - 150


async def test_a_match_cursor_opens_a_tail_right_after_its_line(tmp_path: Path) -> None:
    async with served_log(tmp_path, numbered("line", 20)) as (log, server):
        status, body = await search(server, q="line-000007", limit=1)
        assert status == 200
        cursor = body["matches"][0]["cursor"]
        tail = await server.tail("app", cursor=cursor)
        await tail.expect("hello")
        append_lines(log, ["live"])
        assert await read_until(tail, "live") == [*numbered("line", 12, start=8), "live"]
        await tail.close()


async def test_a_cursor_into_a_rotated_copy_opens_the_tail_there(tmp_path: Path) -> None:
    async with served_log(tmp_path, numbered("old", 5)) as (log, server):
        rotate(log, numbered("new", 2))
        status, body = await search(server, q="old-000003")
        assert status == 200
        assert body["matches"][0]["source"] == "app.log.1"
        tail = await server.tail("app", cursor=body["matches"][0]["cursor"])
        await tail.expect("hello")
        assert await read_until(tail, "new-000001") == [
            "old-000004",
            "<rotated>",
            *numbered("new", 2),
        ]
        await tail.close()


async def test_more_continues_the_same_search_further_back_until_null(tmp_path: Path) -> None:
    async with served_log(tmp_path, numbered("x", 300)) as (_, server):
        seen: list[str] = []
        before = None
        for _ in range(10):
            query: dict[str, Any] = {"q": "x-0001", "limit": 40}
            if before:
                query["before"] = before
            status, body = await search(server, **query)
            assert status == 200
            seen.extend(m["line"] for m in body["matches"])
            before = body["more"]
            if before is None:
                break
        assert seen == list(reversed(numbered("x", 100, start=100)))


async def test_case_and_regex_change_what_matches(tmp_path: Path) -> None:
    async with served_log(tmp_path, ["Disk full", "disk FULL", "net down"]) as (_, server):
        assert await found(server, q="disk full") == ["disk FULL", "Disk full"]
        assert await found(server, q="disk full", case=1) == []
        assert await found(server, q="Disk", case=1) == ["Disk full"]
        assert await found(server, q="^(disk|net) ", regex=1) == [
            "net down",
            "disk FULL",
            "Disk full",
        ]
        assert await found(server, q="^(disk|net) ") == []


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ({"q": "(", "regex": "1"}, "bad_regex", "missing )"),
        ({"q": r"(a)\1", "regex": "1"}, "bad_regex", "invalid escape"),
        ({}, "bad_query", "empty"),
        ({"q": "x", "limit": "0"}, "bad_query", "at least 1"),
        ({"q": "x", "limit": "-1"}, "bad_query", "whole number"),
        ({"q": "x", "limit": "1e9"}, "bad_query", "whole number"),
        ({"q": "x", "regex": "yes"}, "bad_query", "1 or 0"),
        ({"q": "x", "before": "f1.1.2"}, "bad_cursor", "position"),
        ({"q": "x", "before": "../../etc/passwd"}, "bad_cursor", "position"),
        ({"q": "x" * 1001}, "bad_query", "longer"),
    ],
)
async def test_bad_parameters_are_400_with_what_is_wrong(
    tmp_path: Path, query: dict[str, str], code: str, words: str
) -> None:
    async with served_log(tmp_path, ["a"]) as (_, server):
        status, body = await search(server, **query)
        assert status == 400
        assert body["error"] == code
        assert words in body["message"]


async def test_a_position_in_another_logs_file_is_refused_and_reads_nothing(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "secret.log"
    secret.write_text("password=hunter2\n")
    app = tmp_path / "app.log"
    app.write_text("hello\n")
    async with running_server(tmp_path, {"app": app, "secret": secret}) as server:
        status, body = await search(server, "secret", q="password")
        cursor = body["matches"][0]["cursor"]
        status, body = await search(server, "app", q="password", before=cursor)
        assert (status, body["error"]) == (400, "bad_cursor")


async def test_an_unknown_log_is_404(tmp_path: Path) -> None:
    async with served_log(tmp_path, ["a"]) as (_, server):
        status, body = await search(server, "nope", q="a")
        assert (status, body["error"]) == (404, "unknown_log")


async def test_limit_is_capped_and_the_size_limit_ends_a_search_with_more(tmp_path: Path) -> None:
    lines = numbered("y", 400_000)
    async with served_log(tmp_path, lines, search_max_matches=5, search_max_mib=1) as (_, server):
        status, body = await search(server, q="y", limit=1000)
        assert len(body["matches"]) == 5
        status, body = await search(server, q="nothing like it")
        assert status == 200
        assert body["matches"] == []
        assert 1024 * 1024 <= body["scanned_bytes"] < len("y-000000\n") * 400_000
        assert body["more"] is not None


async def test_a_search_is_audited_with_who_which_log_and_what_query(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with served_log(tmp_path, ["a"]) as (_, server):
        with caplog.at_level(logging.INFO, logger="tailgate.audit"):
            await search(server, q="disk (full)", regex=1)
        records = [r for r in caplog.records if getattr(r, "event", None) == "search"]
        assert len(records) == 1
        record: Any = records[0]
        assert (record.log_id, record.q, record.regex, record.case) == (
            "app",
            "disk (full)",
            True,
            False,
        )
        assert (record.user, record.via) == (None, "none")  # --auth none: nobody signs in


async def ndjson(server: RunningServer, **query: Any) -> list[dict[str, Any]]:
    async with server.session.get(
        f"{server.base_url}/api/logs/app/search",
        params=query,
        headers={"Accept": "application/x-ndjson"},
    ) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/x-ndjson")
        return [json.loads(line) for line in (await response.read()).splitlines()]


async def test_a_streamed_search_sends_matches_and_progress_then_the_summary(
    tmp_path: Path,
) -> None:
    lines = [f"{'hit' if i % 5000 == 0 else 'row'} {i:07d} {'.' * 40}" for i in range(100_000)]
    async with served_log(tmp_path, lines) as (_, server):
        records = await ndjson(server, q="hit", limit=100)
        matches = [r["line"].split()[1] for r in records if "line" in r]
        assert matches == [f"{i:07d}" for i in range(95_000, -1, -5000)]
        progress = [r["scanned_bytes"] for r in records if set(r) == {"scanned_bytes"}]
        assert len(progress) > 3
        assert progress == sorted(progress)
        assert records[-1] == {"scanned_bytes": (tmp_path / "app.log").stat().st_size, "more": None}


class SearchEnded(logging.Handler):
    """Resolves ``ended`` with the first ``search ended`` record."""

    def __init__(self, ended: asyncio.Future[logging.LogRecord]) -> None:
        super().__init__()
        self.ended = ended

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "search ended" and not self.ended.done():
            self.ended.set_result(record)


async def test_a_streamed_search_stops_reading_when_its_client_goes_away(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    with log.open("wb") as f:
        f.truncate(64 * 1024**3)  # 64 GiB of holes: minutes to read through
        f.seek(0, os.SEEK_END)
        f.write(b"the newest line\n")
    ended: asyncio.Future[logging.LogRecord] = asyncio.get_running_loop().create_future()
    handler = SearchEnded(ended)
    history_log = logging.getLogger("tailgate.history")
    history_log.addHandler(handler)
    history_log.setLevel(logging.INFO)
    try:
        async with running_server(
            tmp_path, {"app": log}, search_max_mib=1024 * 1024, search_deadline=3600.0
        ) as server:
            async with server.session.get(
                f"{server.base_url}/api/logs/app/search",
                params={"q": "never there"},
                headers={"Accept": "application/x-ndjson"},
            ) as response:
                first = json.loads(await response.content.readline())
                assert set(first) == {"scanned_bytes"}
                response.close()
            record: Any = await asyncio.wait_for(ended, 30)
    finally:
        history_log.removeHandler(handler)
        history_log.setLevel(logging.NOTSET)
    assert record.reason == "client_gone"
    assert record.scanned_bytes < 64 * 1024**3


def stamped(first: int, count: int) -> list[str]:
    """Lines a second apart from 2026-12-01T21:00:00Z + ``first`` seconds."""
    return [
        f"2026-12-01T21:{i // 60:02d}:{i % 60:02d}Z event {i:04d}"
        for i in range(first, first + count)
    ]


async def test_since_keeps_the_lines_from_that_time_on_across_a_rotation(tmp_path: Path) -> None:
    async with served_log(tmp_path, stamped(0, 600)) as (log, server):
        rotate(log, stamped(600, 600))
        status, body = await search(server, q="event", since="2026-12-01T21:08:20Z", limit=1000)
        assert status == 200
        assert [m["line"][-4:] for m in body["matches"]] == [
            f"{i:04d}" for i in range(1199, 499, -1)
        ]
        assert body["more"] is None
        status, body = await search(server, q="event", since="2026-12-01T21:15:00+00:00")
        assert [m["line"][-4:] for m in body["matches"]] == [
            f"{i:04d}" for i in range(1199, 899, -1)
        ][:100]
        cursor = body["matches"][0]["cursor"]
        status, body = await lines_of(server, before=cursor, since="2026-12-01T21:19:55Z")
        assert (status, [line[-4:] for line in body["lines"]]) == (
            200,
            ["1195", "1196", "1197", "1198", "1199"],
        )


async def lines_of(server: RunningServer, **query: Any) -> Any:
    async with server.session.get(
        f"{server.base_url}/api/logs/app/lines", params=query
    ) as response:
        return response.status, await response.json()


async def test_since_on_a_file_without_timestamps_or_malformed_is_400(tmp_path: Path) -> None:
    async with served_log(tmp_path, ["no time here"] * 10) as (_, server):
        status, body = await search(server, q="time", since="2026-12-01T21:00:00Z")
        assert (status, body["error"]) == (400, "no_timestamps")
        assert "timestamp" in body["message"]
        status, body = await search(server, q="time", since="last tuesday")
        assert (status, body["error"]) == (400, "bad_query")
        assert "RFC 3339" in body["message"]


async def test_a_streamed_search_from_a_stale_position_is_still_a_400(tmp_path: Path) -> None:
    async with served_log(tmp_path, numbered("z", 10)) as (log, server):
        _, body = await search(server, q="z-000005")
        cursor = body["matches"][0]["cursor"]
        log.write_text("rewritten\n" * 20)
        async with server.session.get(
            f"{server.base_url}/api/logs/app/search",
            params={"q": "z", "before": cursor},
            headers={"Accept": "application/x-ndjson"},
        ) as response:
            assert response.status == 400
            assert (await response.json())["error"] == "bad_cursor"
