"""Close-to-release: how soon the server lets go of a file once its viewer leaves.

Each try opens a tail (tailgate: until its hello; websocketd: until a ``tail``
child holds the file), then either sends a close frame, as a browser closing a
tab does, or drops the connection without one, as a killed browser does, and
polls ``/proc/PID/fd`` of the processes that held the file, without sleeping,
until none holds it. The client is a blocking socket so that nothing else runs
between the close and the polling.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bench import procfs
from bench.context import Context, each_server
from bench.rawws import RawWebSocket
from bench.report import ScenarioResult, Target
from bench.scenarios.figures import Outcome, Row, figures, ms
from bench.servers import HOST, Launcher, Server
from bench.stats import median

NAME = "release"
TITLE = "time from the viewer closing until the server no longer holds the file"
_GIVE_UP_NS = 5_000_000_000
_ROWS = [
    Row("close.median", "close frame: median", "ms", "close_median_ms", Target("<=", 5.0)),
    Row("close.max", "close frame: max", "ms", "close_max_ms"),
    Row("drop.median", "dropped connection: median", "ms", "drop_median_ms", Target("<=", 5.0)),
    Row("drop.max", "dropped connection: max", "ms", "drop_max_ms"),
]


def _holders_when_open(server: Server, path: str) -> list[int]:
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        found = procfs.holders(server.processes(), path)
        if found:
            return found
        time.sleep(0.001)
    return []


def _one_try(server: Server, path: str, drop: bool) -> float | None:
    """Nanoseconds from the close until the file is released (None: never held)."""
    endpoint = server.endpoint
    ws = RawWebSocket(HOST, endpoint.port, endpoint.tail_path("bench"), endpoint.origin)
    try:
        if endpoint.framing == "json":
            ws.read_text()  # the hello
        held_by = _holders_when_open(server, path)
        if not held_by:
            return None
        start = time.monotonic_ns()
        if drop:
            ws.drop()
        else:
            ws.send_close()
        while procfs.holders(held_by, path):
            if time.monotonic_ns() - start > _GIVE_UP_NS:
                break
        return float(time.monotonic_ns() - start)
    finally:
        ws.close()


def _tries(server: Server, path: str, drop: bool, count: int) -> list[float | None]:
    samples = []
    for _ in range(count):
        samples.append(_one_try(server, path, drop))
        # Start each try from an idle server.
        deadline = time.monotonic() + 5.0
        while procfs.holders(server.processes(), path) and time.monotonic() < deadline:
            time.sleep(0.001)
    return samples


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME, TITLE)
    tries = ctx.sizes.release_tries

    async def measure(launcher: Launcher) -> Outcome:
        work = ctx.scratch(f"{NAME}-{launcher.name}")
        log: Path = work / "bench.log"
        log.write_bytes(b"")
        outcome: Outcome = {}
        async with launcher.start({"bench": log}, work) as server:
            idle_holders = procfs.holders(server.processes(), str(log))
            outcome["held_with_no_viewer"] = bool(idle_holders)
            for drop in (False, True):
                tag = "drop" if drop else "close"
                samples = await asyncio.to_thread(_tries, server, str(log), drop, tries)
                timed = [ms(sample) for sample in samples if sample is not None]
                outcome[f"{tag}_median_ms"] = median(timed) if timed else None
                outcome[f"{tag}_max_ms"] = max(timed) if timed else None
                outcome[f"{tag}_never_held"] = len(samples) - len(timed)
                outcome[f"{tag}_not_released"] = sum(t >= _GIVE_UP_NS / 1e6 for t in timed)
                outcome[f"{tag}_samples_ms"] = [round(t, 3) for t in timed]
            server.check_alive()
        outcome["server_log"] = server.log_problems()
        outcome["server_stop"] = server.stop_report
        return outcome

    outcomes = await each_server(ctx, measure, result.errors)
    result.details = outcomes
    result.figures = figures(ctx, outcomes, _ROWS, key=NAME)
    return result
