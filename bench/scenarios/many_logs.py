"""``python -m bench --only many_logs``: 100 file logs, 10 viewers of each, 100 lines/s each.

Many small logs rather than one big one: 100 catalog entries, each a file of its own
(file logs, so no fake API server's cost blurs the figures), each appended at 100
lines/s (10,000 lines/s in all, one line per ``write(2)``, stamped at its write, from
one writer thread going round the files), and ten viewers of each log: 1,000 tails,
100,000 lines/s delivered. The viewers live in two processes
(:mod:`bench.pod_fleet`'s per-source count, one source per file log) and count, by log
and sequence number, every line lost and every line seen twice or out of order.
Measured: all delivered, lost and duplicated lines, p99 latency from write to receipt
(per frame, its first line), server CPU over the span from the first write until
every viewer had every line, and server RSS idle and with the 1,000 tails fed.

No baseline: websocketd would run 1,000 ``tail`` processes, not one server.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import defaultdict
from typing import Any

from bench import procfs
from bench.context import Context
from bench.pod_fleet import PodFleetReport, source_fleet, troubles
from bench.report import Figure, ScenarioResult, Target, alone, outcome_figure
from bench.scenarios.figures import ms
from bench.servers import Server, Tailgate
from bench.stats import spread
from bench.writers import write_paced_each

NAME = "many_logs"
TITLE = "100 file logs x 10 viewers each, 100 lines/s per log (no baseline)"
BASELINE = False
LOGS = 100
VIEWERS_PER_LOG = 10
RATE = 100
_SETTLE_SECONDS = 1.0
_DRAIN_SECONDS = 15.0


def _rss(server: Server) -> int:
    return procfs.total_rss_bytes(server.processes())


def by_log(report: PodFleetReport, count: int) -> dict[str, dict[str, int]]:
    """Lost and duplicated lines, and viewers heard from, per log ID."""
    found: dict[str, dict[str, int]] = defaultdict(
        lambda: {"lost": 0, "duplicated": 0, "viewers": 0}
    )
    for tally in report.tallies:
        totals = tally.totals({"": count})
        row = found[tally.log_id]
        row["lost"] += totals["lost"]
        row["duplicated"] += totals["duplicated"] + totals["strays"]
        row["viewers"] += 1
    return dict(found)


async def measure(ctx: Context, seconds: float) -> dict[str, Any]:
    if not isinstance(ctx.ours, Tailgate):
        raise TypeError(f"{ctx.ours.name} is not tailgate")
    work = ctx.scratch(NAME)
    logs = {f"log-{n:02d}": work / f"log-{n:02d}.log" for n in range(LOGS)}
    for path in logs.values():
        path.touch()
    count = int(RATE * seconds)
    viewer_ids = [log_id for log_id in logs for _ in range(VIEWERS_PER_LOG)]
    async with ctx.ours.start(logs, work) as server:
        await asyncio.sleep(_SETTLE_SECONDS)
        idle_rss = _rss(server)
        async with source_fleet(server.endpoint, viewer_ids, total=count) as viewers:
            await asyncio.sleep(_SETTLE_SECONDS)
            active = await server.metric("tailgate_active_tails")
            viewers.go()
            cpu_before, wall_before = server.cpu_seconds(), time.monotonic()
            span = await asyncio.to_thread(write_paced_each, list(logs.values()), RATE, count)
            finished = await viewers.wait_done(_DRAIN_SECONDS)
            wall = time.monotonic() - wall_before
            cpu = server.cpu_seconds() - cpu_before
            fed_rss = _rss(server)
            report = await viewers.stop()
        server.check_alive()
        problems = server.log_problems()
    per_log = by_log(report, count)
    lost = sum(row["lost"] for row in per_log.values())
    duplicated = sum(row["duplicated"] for row in per_log.values())
    complete = len(report.tallies) == len(viewer_ids) and len(per_log) == LOGS
    latency = spread([ms(sample) for sample in report.latencies_ns])
    return {
        "logs": LOGS,
        "viewers": len(viewer_ids),
        "viewers_connected": viewers.connected,
        "active_tails_metric": active,
        "lines_per_viewer": count,
        "received": sum(tally.received for tally in report.tallies),
        "all_delivered": "yes" if finished and complete and lost == duplicated == 0 else "no",
        "lost": lost,
        "duplicated": duplicated,
        "logs_with_loss": sorted(
            i for i, row in per_log.items() if row["lost"] or row["duplicated"]
        )[:10],
        "p50_ms": latency["p50"],
        "p99_ms": latency["p99"],
        "max_ms": latency["max"],
        "frames": len(report.latencies_ns),
        "server_cores": cpu / wall,
        "client_cores": report.client_cpu_seconds / wall,
        "idle_rss_mib": idle_rss / 2**20,
        "rss_mib": fed_rss / 2**20,
        "write_seconds": span.seconds,
        "writer_most_late_ms": ms(span.most_late_ns),
        "finished_in_time": finished,
        **troubles(viewers, report),
        "server_log": problems,
    }


def _figures(o: dict[str, Any]) -> list[Figure]:
    figure = functools.partial(outcome_figure, NAME, o)

    return [
        figure("all_delivered", "all delivered, every log in order", "", Target("==", "yes")),
        figure("viewers_connected", "viewers connected", "", Target(">=", float(o["viewers"]))),
        figure("lost", "lines lost (all viewers)", "lines"),
        figure("duplicated", "lines duplicated or out of order", "lines"),
        figure("p99_ms", "p99 written to received (per frame)", "ms", Target("<=", 250.0)),
        figure("server_cores", "server CPU", "cores", Target("<", 1.0)),
        figure("rss_mib", f"server RSS, {LOGS} logs x {VIEWERS_PER_LOG} viewers", "MiB"),
        figure("idle_rss_mib", "server RSS idle", "MiB"),
        figure("client_cores", "viewers' CPU (not ours)", "cores"),
    ]


async def run(ctx: Context) -> ScenarioResult:
    return await alone(
        ScenarioResult(NAME, TITLE),
        ctx.ours.name,
        lambda: measure(ctx, ctx.sizes.many_logs_seconds),
        _figures,
    )
