"""Memory per idle tail: what one more open tail costs the server, in resident memory.

The server's VmRSS (for websocketd: its own plus every ``tail`` child's) is read
after one tail was opened and closed (so that first-use allocations are not
counted), then again with N idle tails open, and the difference is divided by N.
Shared pages count in every process that maps them under RSS, which inflates the
baseline's many ``tail``\\ s; PSS, which splits them, is reported beside it.
Two variants: N tails of one file, and N tails of N distinct files.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench import procfs
from bench.context import Context, each_server
from bench.fleet import fleet
from bench.report import ScenarioResult, Target
from bench.scenarios.figures import Outcome, Row, figures
from bench.servers import Launcher, Server

NAME = "memory"
TITLE = "resident memory per idle open tail"
_SETTLE_SECONDS = 1.0
_ROWS = [
    Row("rss_per_tail", "RSS per tail", "KiB", "rss_per_tail_kib", Target("<=", 64.0)),
    Row("pss_per_tail", "PSS per tail", "KiB", "pss_per_tail_kib"),
]


def _sample(server: Server) -> dict[str, int]:
    pids = server.processes()
    return {
        "rss": procfs.total_rss_bytes(pids),
        "pss": procfs.total_pss_bytes(pids),
        "fds": sum(len(procfs.open_paths(pid)) for pid in pids),
        "processes": len(pids),
    }


async def _measure(ctx: Context, launcher: Launcher, distinct: bool) -> Outcome:
    count = ctx.sizes.idle_tails
    work = ctx.scratch(f"{NAME}-{launcher.name}")
    logs: dict[str, Path] = {}
    for i in range(count if distinct else 1):
        log_id = f"f{i:05d}" if distinct else "bench"
        logs[log_id] = work / f"{log_id}.log"
        logs[log_id].write_bytes(b"")
    ids = list(logs) if distinct else ["bench"] * count
    paths = list(logs.values())
    async with launcher.start(logs, work) as server:
        async with fleet(server.endpoint, ids[:1], expect=0, latency="none") as warm:
            await server.wait_following(paths[:1], 1)
            warm.go()
            await warm.stop()
        for _ in range(250):  # up to 5 s for the baseline's warm-up tail to exit
            if len(server.processes()) == 1:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(_SETTLE_SECONDS)
        before = _sample(server)
        async with fleet(server.endpoint, ids, expect=0, latency="none") as viewers:
            await server.wait_following(paths, count)
            viewers.go()
            await asyncio.sleep(_SETTLE_SECONDS)
            after = _sample(server)
            active = await server.metric("tailgate_active_tails")
            report = await viewers.stop()
        server.check_alive()
    return {
        "rss_per_tail_kib": (after["rss"] - before["rss"]) / count / 1024,
        "pss_per_tail_kib": (after["pss"] - before["pss"]) / count / 1024,
        "fds_per_tail": (after["fds"] - before["fds"]) / count,
        "tails": count,
        "viewers_connected": viewers.connected,
        "active_tails_metric": active,
        "before": before,
        "after": after,
        "problems": report.problems(),
        "server_log": server.log_problems(),
        "server_stop": server.stop_report,
    }


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME, TITLE)
    for distinct in (False, True):
        tag = "distinct_files" if distinct else "one_file"

        async def measure(launcher: Launcher, distinct: bool = distinct) -> Outcome:
            return await _measure(ctx, launcher, distinct)

        outcomes = await each_server(ctx, measure, result.errors)
        result.details[tag] = outcomes
        label = f"{ctx.sizes.idle_tails} tails of {tag.replace('_', ' ')}:"
        result.figures += figures(ctx, outcomes, _ROWS, key=f"{NAME}.{tag}", label=label)
    return result
