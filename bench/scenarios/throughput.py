"""Throughput: lines per second to one viewer when a program logs as fast as it can.

Millions of numbered 100-byte lines are built into 10k-line blocks before the
clock starts and appended with one ``write(2)`` per block. The figure runs from
the first write to the arrival of the last line, and counts only if every line
arrived in order and once. Server CPU (utime + stime from ``/proc``) over the
same span is divided by thousands of lines.
"""

from __future__ import annotations

import asyncio

from bench.context import Context, each_server
from bench.fleet import fleet
from bench.report import ScenarioResult, Target
from bench.scenarios.figures import SETTLE_SECONDS, YES, Outcome, Row, figures
from bench.servers import Launcher
from bench.writers import build_blocks, write_blocks

NAME = "throughput"
TITLE = "lines/s to one viewer, 100-byte lines written in 10k-line blocks"
_ROWS = [
    Row("lines_per_s", "delivered", "lines/s", "lines_per_s", Target(">=", 1_000_000.0)),
    Row("cpu", "server CPU", "ms/1k lines", "cpu_ms_per_1k_lines", Target("<=", 0.5)),
    Row("delivered", "all lines, in order, once", "", "all_delivered", YES),
]
_FLOOR_LINES_PER_S = 20_000
"""Give up after the time the lines would take at this rate (plus ten seconds)."""


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME, TITLE)
    total = ctx.sizes.throughput_lines
    blocks = await asyncio.to_thread(build_blocks, total, ctx.sizes.throughput_block_lines)
    patience = 10.0 + total / _FLOOR_LINES_PER_S

    async def measure(launcher: Launcher) -> Outcome:
        work = ctx.scratch(f"{NAME}-{launcher.name}")
        log = work / "bench.log"
        log.touch()
        async with launcher.start({"bench": log}, work) as server:
            async with fleet(server.endpoint, ["bench"], expect=total, latency="none") as viewers:
                await server.wait_following([log], 1)
                await asyncio.sleep(SETTLE_SECONDS)
                viewers.go()
                cpu_before = server.cpu_seconds()
                span = await asyncio.to_thread(write_blocks, log, blocks)
                finished = await viewers.wait_done(patience)
                cpu = server.cpu_seconds() - cpu_before
                report = await viewers.stop()
            server.check_alive()
        received = sum(tally.lines for tally in report.tallies)
        seconds = (report.last_line_ns - span.first_ns) / 1e9
        return {
            "lines_per_s": received / seconds if seconds > 0 else 0.0,
            "cpu_ms_per_1k_lines": cpu * 1000 / (received / 1000) if received else None,
            "server_cpu_seconds": cpu,
            "seconds": seconds,
            "lines_written": span.lines,
            "lines_received": received,
            "write_seconds": span.seconds,
            "finished_in_time": finished,
            "all_delivered": report.complete == 1,
            "frames": sum(tally.frames for tally in report.tallies),
            "client_cpu_seconds": report.client_cpu_seconds,
            "problems": report.problems(),
            "server_log": server.log_problems(),
            "server_stop": server.stop_report,
        }

    outcomes = await each_server(ctx, measure, result.errors)
    for outcome in outcomes.values():
        if outcome and outcome["frames"]:
            outcome["lines_per_frame"] = outcome["lines_received"] / outcome["frames"]
    result.details = outcomes
    result.figures = figures(ctx, outcomes, _ROWS, key=NAME)
    return result
