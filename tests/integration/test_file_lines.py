"""From bytes in a file to lines in frames: partial lines, line endings, bad bytes, long
lines, and where a tail starts (backlog).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tailgate.streaming.long_lines import SPLIT_MARKER
from tests.support.files import (
    append,
    append_lines,
    nothing_arrives,
    numbered,
    read_until,
    tailed_log,
    transcript,
)
from tests.support.tails import running_server


async def test_a_partial_last_line_is_held_until_its_newline_arrives(tmp_path: Path) -> None:
    async with tailed_log(tmp_path, [], backlog=0) as (log, _, tail):
        append(log, "hello wor")
        await nothing_arrives(tail, within=0.2)
        append(log, "ld\nnext\n")
        assert await tail.read_lines(2) == ["hello world", "next"]


async def test_a_partial_line_is_sent_as_it_is_once_the_writer_has_been_quiet(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, [], backlog=0) as (log, _, tail):
        loop = asyncio.get_running_loop()
        written = loop.time()
        append(log, "no newline yet")
        assert await tail.read_lines(1, timeout=2.0) == ["no newline yet"]
        # The documented quiet delay is 0.5 s; allow for timer slack below it.
        assert loop.time() - written >= 0.4
        # What the writer adds later is not sent again with the flushed part.
        append(log, " and the rest\n")
        assert await tail.read_lines(2) == ["no newline yet", " and the rest"]


async def test_crlf_and_lf_both_end_lines_and_a_lone_cr_stays_in_the_text(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, [], backlog=0) as (log, _, tail):
        append(log, b"dos\r\nunix\nmixed\r\ncarriage\rreturn\n\r\n")
        assert await tail.read_lines(5) == ["dos", "unix", "mixed", "carriage\rreturn", ""]
        # A CRLF torn between two writes is still one line ending.
        append(log, b"torn\r")
        await nothing_arrives(tail, within=0.2)
        append(log, b"\nafter\r\n")
        assert (await tail.read_lines(7))[5:] == ["torn", "after"]


async def test_invalid_utf8_is_replaced_and_a_character_split_between_writes_is_kept(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, [], backlog=0) as (log, _, tail):
        append(log, b"bad \xff\xfe bytes\nlatin-1 caf\xe9\n")
        assert await tail.read_lines(2) == ["bad \ufffd\ufffd bytes", "latin-1 caf\ufffd"]
        append(log, b"caf\xc3")
        append(log, b"\xa9 \xe2\x9c\x93\n")
        assert (await tail.read_lines(3))[2] == "caf\u00e9 \u2713"


async def test_a_line_over_max_line_is_split_into_marked_pieces(tmp_path: Path) -> None:
    async with tailed_log(tmp_path, [], backlog=0, settings={"max_line": 1000}) as (log, _, tail):
        long = "".join(chr(ord("a") + i % 26) for i in range(2500))
        append_lines(log, ["short", long, "after"])
        got = await tail.read_lines(5)
        assert got == [
            "short",
            long[:1000] + SPLIT_MARKER,
            long[1000:2000] + SPLIT_MARKER,
            long[2000:],
            "after",
        ]


async def test_max_line_counts_characters_not_bytes(tmp_path: Path) -> None:
    async with tailed_log(tmp_path, [], backlog=0, settings={"max_line": 1000}) as (log, _, tail):
        append_lines(log, ["\u00e9" * 1000, "\u00e9" * 1001])
        got = await tail.read_lines(3)
        assert got == ["\u00e9" * 1000, "\u00e9" * 1000 + SPLIT_MARKER, "\u00e9"]


async def test_a_megabyte_without_a_newline_arrives_in_bounded_pieces(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.touch()
    max_line = 65536
    async with running_server(tmp_path, {"app": log}) as server:
        assert server.settings.max_line == max_line
        tail = await server.tail("app", backlog=0)
        await tail.expect("hello")
        blob = "".join(chr(ord("a") + i % 26) for i in range(1_000_000))
        append(log, blob)
        pieces = 1_000_000 // max_line + 1
        got = await tail.read_lines(pieces, timeout=3.0)
        assert all(len(piece) <= max_line + len(SPLIT_MARKER) for piece in got)
        assert all(piece.endswith(SPLIT_MARKER) for piece in got[:-1])
        assert not got[-1].endswith(SPLIT_MARKER)
        assert "".join(piece.removesuffix(SPLIT_MARKER) for piece in got) == blob
        append_lines(log, ["", "next"])
        assert (await tail.read_lines(pieces + 2))[pieces:] == ["", "next"]
        await tail.close()


# -- backlog ------------------------------------------------------------------------------


async def test_a_backlog_of_n_sends_exactly_the_last_n_lines_then_live_ones(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, numbered("old", 50), backlog=10) as (log, _, tail):
        assert await tail.read_lines(10) == numbered("old", 10, start=40)
        append_lines(log, ["live"])
        assert await read_until(tail, "live") == [*numbered("old", 10, start=40), "live"]


async def test_a_backlog_of_zero_starts_at_the_live_end(tmp_path: Path) -> None:
    async with tailed_log(tmp_path, numbered("old", 5), backlog=0) as (log, _, tail):
        await nothing_arrives(tail)
        append_lines(log, ["live"])
        assert await tail.read_lines(1) == ["live"]


async def test_a_backlog_larger_than_the_file_sends_the_whole_file(tmp_path: Path) -> None:
    async with tailed_log(tmp_path, numbered("old", 3), backlog=10) as (_, _, tail):
        assert await tail.read_lines(3) == numbered("old", 3)
        await nothing_arrives(tail)


async def test_without_a_backlog_parameter_the_default_backlog_is_sent(tmp_path: Path) -> None:
    async with tailed_log(tmp_path, numbered("old", 150)) as (_, _, tail):
        assert await tail.read_lines(100) == numbered("old", 100, start=50)
        await nothing_arrives(tail)


async def test_a_bad_backlog_gives_an_error_frame_and_the_tail_goes_on_with_the_default(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, numbered("old", 150), backlog="abc") as (log, _, tail):
        error = await tail.expect("error")
        assert error["code"] == "bad_backlog"
        assert await tail.read_lines(100) == numbered("old", 100, start=50)
        append_lines(log, ["live"])
        assert (await tail.read_lines(101))[-1] == "live"


async def test_a_backlog_over_the_limit_is_capped_with_an_error_frame(tmp_path: Path) -> None:
    async with tailed_log(
        tmp_path, numbered("old", 20), backlog=10, settings={"max_backlog": 5}
    ) as (_, _, tail):
        assert (await tail.expect("error"))["code"] == "backlog_capped"
        assert await tail.read_lines(5) == numbered("old", 5, start=15)
        await nothing_arrives(tail)
        assert transcript(tail) == ["<error:backlog_capped>", *numbered("old", 5, start=15)]


async def test_a_viewer_joining_after_a_partial_line_was_flushed_gets_the_same_pieces(
    tmp_path: Path,
) -> None:
    async with tailed_log(tmp_path, ["whole"], backlog=0) as (log, server, first):
        append(log, "partial")
        assert await first.read_lines(1, timeout=2.0) == ["partial"]
        second = await server.tail("app", backlog=2)
        await second.expect("hello")
        assert await second.read_lines(2) == ["whole", "partial"]
        append(log, " rest\n")
        assert await first.read_lines(2) == ["partial", " rest"]
        assert await second.read_lines(3) == ["whole", "partial", " rest"]
        await first.close()
        await second.close()
