"""Filtered fan-out: a busy log, a filter at the source, many viewers asking it.

50,000 lines/s written for a while, 1 % of them ``WARN`` (the rest ``INFO``), and
three runs on the same log: one viewer with no filter (the reference), one viewer
with ``filter=WARN``, and 100 viewers with ``filter=WARN`` (they share one filtered
frame per batch). Each filtered viewer checks that it got every ``WARN`` line, in
order, once, and nothing else; the unfiltered one checks every line. Server CPU is
utime + stime from the first write until the last viewer had the last line, over
that span, as in the fan-out scenario; the figure to hold is the 100 filtered
viewers' CPU over the one unfiltered viewer's (target <= 1.5).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

from bench.context import Context, each_server
from bench.fleet import fleet
from bench.report import ScenarioResult, Target
from bench.scenarios.figures import SETTLE_SECONDS, YES, Outcome, Row, fanout_outcome, figures
from bench.servers import Launcher
from bench.writers import write_marked_paced

NAME = "filtered"
TITLE = "a filter at the source, shared by many viewers"
BASELINE = False
RATE = 50_000
#: One line in this many is a match.
EVERY = 100
VIEWERS = 100
#: Lines per write: 500 writes a second, a busy program's buffered output.
PER_WRITE = 100
QUERY = "filter=WARN"

_RUNS = (
    ("plain1", "1 viewer, no filter", 1, ""),
    ("filtered1", "1 viewer, filter=WARN", 1, QUERY),
    (f"filtered{VIEWERS}", f"{VIEWERS} viewers, filter=WARN", VIEWERS, QUERY),
)
_ROWS = [
    Row("delivered", "all delivered", "", "all_delivered", YES, ours_only=True),
    Row("cpu", "server CPU", "cores", "server_cores", ours_only=True),
    Row("p99", "p99 (per frame)", "ms", "p99_ms", ours_only=True),
]


async def _measure(ctx: Context, launcher: Launcher, viewers: int, query: str, tag: str) -> Outcome:
    work = ctx.scratch(f"{NAME}-{tag}-{launcher.name}")
    log = work / "bench.log"
    log.touch()
    count = int(RATE * ctx.sizes.filtered_seconds)
    async with launcher.start({"bench": log}, work) as server:
        async with fleet(
            server.endpoint,
            ["bench"] * viewers,
            expect=count,
            latency="frame",
            processes=2 if viewers > 1 else 1,
            query=query,
            stride=EVERY if query else 1,
        ) as fleet_:
            await server.wait_following([log], viewers)
            await asyncio.sleep(SETTLE_SECONDS)
            active = await server.metric("tailgate_active_tails")
            fleet_.go()
            cpu_before, wall_before = server.cpu_seconds(), time.monotonic()
            span = await asyncio.to_thread(write_marked_paced, log, RATE, count, PER_WRITE, EVERY)
            finished = await fleet_.wait_done(10.0)
            cpu = server.cpu_seconds() - cpu_before
            wall = time.monotonic() - wall_before
            report = await fleet_.stop()
        server.check_alive()
    return {
        **fanout_outcome(
            report,
            viewers=viewers,
            connected=fleet_.connected,
            active=active,
            server_cores=cpu / wall,
            finished=finished,
            writer_most_late_ns=span.most_late_ns,
        ),
        "lines_written": count,
        "server_log": server.log_problems(),
    }


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME, TITLE)
    alone = dataclasses.replace(ctx, baseline=None)
    cores: dict[str, float] = {}
    for tag, label, viewers, query in _RUNS:

        async def measure(
            launcher: Launcher, viewers: int = viewers, query: str = query, tag: str = tag
        ) -> Outcome:
            return await _measure(alone, launcher, viewers, query, tag)

        outcomes = await each_server(alone, measure, result.errors)
        result.details[tag] = outcomes
        ours = outcomes.get(alone.ours.name)
        if ours is not None and isinstance(ours.get("server_cores"), float):
            cores[tag] = ours["server_cores"]
        heading = f"{RATE} lines/s, 1 % matching, {label}:"
        result.figures += figures(alone, outcomes, _ROWS, key=f"{NAME}.{tag}", label=heading)
    shared = f"filtered{VIEWERS}"
    ratio = cores[shared] / cores["plain1"] if shared in cores and cores.get("plain1") else None
    ratio_outcomes: dict[str, Outcome | None] = {alone.ours.name: {"ratio": ratio}}
    result.figures += figures(
        alone,
        ratio_outcomes,
        [
            Row(
                "cpu_ratio",
                f"CPU of {VIEWERS} filtered viewers / 1 unfiltered",
                "x",
                "ratio",
                Target("<=", 1.5),
                ours_only=True,
            )
        ],
        key=NAME,
    )
    return result
