"""Fan-out: many viewers of one file, every line to every viewer, without a core to spare.

Two shapes: 200 viewers at 1,000 lines/s, and 1,000 viewers at 100 lines/s. The
viewers live in two processes of their own. Each checks that it got every line,
in order, once, and takes the latency of the first line of each frame (the one
that waited longest in it), so the p99 is over frames, not lines. Server CPU is
utime + stime over the span from the first write until every viewer had the last
line, divided by that span: a fraction of one core.
"""

from __future__ import annotations

import asyncio
import time

from bench.context import Context, Fanout, each_server
from bench.fleet import fleet
from bench.report import ScenarioResult, Target
from bench.scenarios.figures import (
    SETTLE_SECONDS,
    YES,
    Outcome,
    Row,
    fanout_outcome,
    figures,
)
from bench.servers import Launcher
from bench.writers import write_paced

NAME = "fanout"
TITLE = "many viewers of one file"
_VIEWER_PROCESSES = 2
_ROWS = [
    Row("delivered", "all delivered", "", "all_delivered", YES),
    Row("p99", "p99 (per frame)", "ms", "p99_ms", Target("<=", 100.0)),
    Row("cpu", "server CPU", "cores", "server_cores", Target("<", 1.0)),
]


async def _measure(ctx: Context, launcher: Launcher, shape: Fanout) -> Outcome:
    work = ctx.scratch(f"{NAME}-{launcher.name}")
    log = work / "bench.log"
    log.touch()
    count = int(shape.rate * shape.seconds)
    async with launcher.start({"bench": log}, work) as server:
        async with fleet(
            server.endpoint,
            ["bench"] * shape.viewers,
            expect=count,
            latency="frame",
            processes=_VIEWER_PROCESSES,
        ) as viewers:
            await server.wait_following([log], shape.viewers)
            await asyncio.sleep(SETTLE_SECONDS)
            active = await server.metric("tailgate_active_tails")
            viewers.go()
            cpu_before, wall_before = server.cpu_seconds(), time.monotonic()
            span = await asyncio.to_thread(write_paced, log, shape.rate, count)
            finished = await viewers.wait_done(10.0)
            cpu = server.cpu_seconds() - cpu_before
            wall = time.monotonic() - wall_before
            report = await viewers.stop()
        server.check_alive()
    return {
        **fanout_outcome(
            report,
            viewers=shape.viewers,
            connected=viewers.connected,
            active=active,
            server_cores=cpu / wall,
            finished=finished,
            writer_most_late_ns=span.most_late_ns,
        ),
        "server_log": server.log_problems(),
        "server_stop": server.stop_report,
    }


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME, TITLE)
    for shape in ctx.sizes.fanouts:
        tag = f"{shape.viewers}x{shape.rate}"

        async def measure(launcher: Launcher, shape: Fanout = shape) -> Outcome:
            return await _measure(ctx, launcher, shape)

        outcomes = await each_server(ctx, measure, result.errors)
        result.details[tag] = outcomes
        label = f"{shape.viewers} viewers, {shape.rate} lines/s:"
        result.figures += figures(ctx, outcomes, _ROWS, key=f"{NAME}.{tag}", label=label)
    return result
