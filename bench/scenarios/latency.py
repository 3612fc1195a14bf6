"""Latency: how long a line takes from ``write(2)`` to a viewer, at a steady 200 lines/s.

One writer stamps each line with ``monotonic_ns`` just before writing it; one
viewer in its own process takes the time each frame arrives and subtracts the
stamp of every line in it.
"""

from __future__ import annotations

import asyncio

from bench.context import Context, each_server
from bench.fleet import fleet
from bench.report import ScenarioResult, Target
from bench.scenarios.figures import SETTLE_SECONDS, YES, Outcome, Row, figures, ms
from bench.servers import Launcher
from bench.stats import spread
from bench.writers import write_paced

NAME = "latency"
TITLE = "write-to-receive latency, one viewer, 200 lines/s"
_ROWS = [
    Row("p50", "p50", "ms", "p50_ms"),
    Row("p99", "p99", "ms", "p99_ms", Target("<=", 1.0)),
    Row("max", "max", "ms", "max_ms"),
    Row("delivered", "all lines, in order, once", "", "all_delivered", YES),
]


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME, TITLE)
    sizes = ctx.sizes

    async def measure(launcher: Launcher) -> Outcome:
        work = ctx.scratch(f"{NAME}-{launcher.name}")
        log = work / "bench.log"
        log.touch()
        async with launcher.start({"bench": log}, work) as server:
            async with fleet(
                server.endpoint, ["bench"], expect=sizes.latency_lines, latency="line"
            ) as viewers:
                await server.wait_following([log], 1)
                await asyncio.sleep(SETTLE_SECONDS)
                viewers.go()
                span = await asyncio.to_thread(
                    write_paced, log, sizes.latency_rate, sizes.latency_lines
                )
                await viewers.wait_done(5.0)
                report = await viewers.stop()
            server.check_alive()
        figures = spread([ms(sample) for sample in report.latencies_ns])
        return {
            "p50_ms": figures["p50"],
            "p99_ms": figures["p99"],
            "max_ms": figures["max"],
            "samples": len(report.latencies_ns),
            "all_delivered": report.complete == 1,
            "writer_most_late_ms": ms(span.most_late_ns),
            "problems": report.problems(),
            "server_log": server.log_problems(),
            "server_stop": server.stop_report,
        }

    outcomes = await each_server(ctx, measure, result.errors)
    result.details = outcomes
    result.figures = figures(ctx, outcomes, _ROWS, key=NAME)
    return result
