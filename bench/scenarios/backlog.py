"""Backlog: how soon a viewer joining a 1 GB log sees its last 1,000 lines.

The file is 10 million numbered 100-byte lines, made once into the cache folder.
Each try starts its clock before the TCP connect and stops it when the first
``lines`` frame arrives, and again when the 1,000th line has arrived; the lines
must be exactly the file's last 1,000. websocketd runs ``tail -n1000 -F``, which
sends one message per line, so its figure is the time to the 1,000th line.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import aiohttp

from bench.context import Context, each_server
from bench.lines import seq_of
from bench.report import ScenarioResult, Target
from bench.scenarios.figures import YES, Outcome, Row, figures, ms
from bench.servers import Endpoint, Launcher
from bench.stats import median
from bench.tally import Tally, decode
from bench.writers import ensure_backlog_file

NAME = "backlog"
TITLE = "time to the last 1,000 lines of a 1 GB file"


def _rows(want: int) -> list[Row]:
    # One line per message: for the baseline, only the time to the last line compares.
    twenty = Target("<=", 20.0)
    return [
        Row(
            "first_frame", "first lines frame: median", "ms", "first_frame_median_ms", twenty, True
        ),
        Row("all", f"{want}th line: median", "ms", "all_median_ms", twenty),
        Row("right_lines", f"the file's last {want} lines", "", "right_lines", YES),
        Row(
            "first_frame_holds_all",
            f"first frame holds all {want}",
            "",
            "first_frame_holds_all",
            YES,
            True,
        ),
    ]


@dataclass
class _Try:
    first_frame_ms: float
    all_ms: float
    first_frame_lines: int
    right_lines: bool
    notices: list[str] = field(default_factory=list)


async def _one_try(endpoint: Endpoint, want: int, lines_in_file: int) -> _Try:
    scratch = Tally(0)
    start = time.monotonic_ns()
    first_frame_ns = 0
    first_frame_lines = 0
    received: list[str] = []
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            endpoint.tail_url("bench", want), headers={"Origin": endpoint.origin}, max_msg_size=0
        ) as ws,
    ):
        while len(received) < want:
            message = await ws.receive(timeout=30.0)
            now = time.monotonic_ns()
            if message.type != aiohttp.WSMsgType.TEXT:
                raise ConnectionError(f"{message.type.name} after {len(received)} lines")
            lines = decode(endpoint.framing, message.data, scratch)
            if lines and not first_frame_ns:
                first_frame_ns, first_frame_lines = now, len(lines)
            received += lines
        all_ns = time.monotonic_ns()
    return _Try(
        first_frame_ms=ms(first_frame_ns - start),
        all_ms=ms(all_ns - start),
        first_frame_lines=first_frame_lines,
        right_lines=len(received) == want
        and seq_of(received[0]) == lines_in_file - want
        and seq_of(received[-1]) == lines_in_file - 1,
        notices=scratch.notices,
    )


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME, TITLE)
    want = ctx.sizes.backlog_lines
    path = ctx.cache / f"backlog-{ctx.sizes.backlog_bytes}.log"
    lines_in_file = await asyncio.to_thread(ensure_backlog_file, path, ctx.sizes.backlog_bytes)

    async def measure(launcher: Launcher) -> Outcome:
        work = ctx.scratch(f"{NAME}-{launcher.name}")
        async with launcher.start({"bench": path}, work, backlog=want) as server:
            tries = [
                await _one_try(server.endpoint, want, lines_in_file)
                for _ in range(ctx.sizes.backlog_tries)
            ]
            server.check_alive()
        first = [t.first_frame_ms for t in tries]
        full = [t.all_ms for t in tries]
        return {
            "first_frame_median_ms": median(first),
            "all_median_ms": median(full),
            "all_max_ms": max(full),
            "first_frame_lines": min(t.first_frame_lines for t in tries),
            "first_frame_holds_all": all(t.first_frame_lines == want for t in tries),
            "right_lines": all(t.right_lines for t in tries),
            "first_frame_ms": [round(value, 3) for value in first],
            "all_ms": [round(value, 3) for value in full],
            "notices": [t.notices for t in tries if t.notices][:3],
            "server_log": server.log_problems(),
            "server_stop": server.stop_report,
        }

    outcomes = await each_server(ctx, measure, result.errors)
    result.details = outcomes
    result.figures = figures(ctx, outcomes, _rows(want), key=NAME)
    return result
