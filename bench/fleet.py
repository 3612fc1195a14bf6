"""Fleets of viewers that each check one line sequence: a file, or a single pod.

The viewers live in spawned processes in lock-step with the parent
(:mod:`bench.viewer_processes`); each child reports a :class:`FleetReport`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from array import array
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from bench.servers import Endpoint
from bench.tally import LatencyMode, Tally
from bench.viewer_processes import ViewerProcesses, raise_open_file_limit, spawned
from bench.viewers import Hub, Viewer, open_viewer

__all__ = ["Fleet", "FleetJob", "FleetReport", "fleet", "raise_open_file_limit"]

_CONNECTS_AT_ONCE = 32


@dataclass(frozen=True)
class FleetJob:
    """What one viewer process does: one viewer per entry of ``log_ids``."""

    endpoint: Endpoint
    log_ids: tuple[str, ...]
    backlog: int
    expect: int
    latency: LatencyMode
    #: More of the tail's query (``filter=...``), and which lines it lets through.
    query: str = ""
    stride: int = 1


@dataclass
class FleetReport:
    """What the viewers of a fleet (one process, or all of them merged) received."""

    viewers: int = 0
    tallies: list[Tally] = field(default_factory=list)
    latencies_ns: array[int] = field(default_factory=lambda: array("q"))
    connect_errors: list[str] = field(default_factory=list)
    client_cpu_seconds: float = 0.0
    client_wall_seconds: float = 0.0

    @property
    def complete(self) -> int:
        """Viewers that received every line, in order, once."""
        return sum(tally.complete for tally in self.tallies)

    @property
    def last_line_ns(self) -> int:
        return max((tally.last_line_ns for tally in self.tallies), default=0)

    def merge(self, other: FleetReport) -> None:
        self.viewers += other.viewers
        self.tallies += other.tallies
        self.latencies_ns.extend(other.latencies_ns)
        self.connect_errors += other.connect_errors
        self.client_cpu_seconds += other.client_cpu_seconds
        self.client_wall_seconds = max(self.client_wall_seconds, other.client_wall_seconds)

    def problems(self, limit: int = 5) -> list[str]:
        """A sample of what went wrong, for the report."""
        found = [f"connect: {error}" for error in self.connect_errors]
        for tally in self.tallies:
            if tally.complete:
                continue
            found.append(
                f"viewer got {tally.lines}/{tally.expect} lines, next {tally.next_seq}, "
                f"{tally.anomaly_count} anomalies {tally.anomalies[:2]}, "
                f"notices {tally.notices[:2]}, closed {tally.closed or 'no'}"
            )
        return found[:limit]


def _child(job: FleetJob, conn: Connection) -> None:
    raise_open_file_limit()
    asyncio.run(_run_viewers(job, conn))


async def _run_viewers(job: FleetJob, conn: Connection) -> None:
    endpoint = job.endpoint
    hub = Hub(job.latency)
    gate = asyncio.Semaphore(_CONNECTS_AT_ONCE)

    async def open_one(log_id: str) -> Viewer:
        async with gate:
            path = endpoint.tail_path(log_id, job.backlog, job.query)
            return await open_viewer(hub, endpoint, path, job.expect, stride=job.stride)

    opened = await asyncio.gather(*map(open_one, job.log_ids), return_exceptions=True)
    viewers = [viewer for viewer in opened if isinstance(viewer, Viewer)]
    errors = [f"{type(e).__name__}: {e}"[:300] for e in opened if isinstance(e, BaseException)]
    conn.send(("ready", len(viewers), errors[:5]))
    await asyncio.to_thread(conn.recv)  # "go"
    cpu_before, wall_before = time.process_time(), time.monotonic()
    stop = asyncio.create_task(asyncio.to_thread(conn.recv))
    if job.expect > 0:
        everyone = asyncio.create_task(hub.all_done.wait())
        await asyncio.wait([stop, everyone], return_when=asyncio.FIRST_COMPLETED)
        if everyone.done():
            conn.send("done")
        everyone.cancel()
    await stop
    report = FleetReport(
        viewers=len(job.log_ids),
        tallies=[viewer.tally for viewer in viewers],
        latencies_ns=hub.latencies,
        connect_errors=errors[:5],
        client_cpu_seconds=time.process_time() - cpu_before,
        client_wall_seconds=time.monotonic() - wall_before,
    )
    await asyncio.gather(*(viewer.close() for viewer in viewers))
    conn.send(("report", report))


class Fleet(ViewerProcesses):
    """The parent's handle on its viewer processes."""

    async def stop(self, timeout: float = 60.0) -> FleetReport:
        merged = FleetReport()
        for part in await self.reports(timeout):
            merged.merge(part)
        return merged


@contextlib.asynccontextmanager
async def fleet(
    endpoint: Endpoint,
    log_ids: Sequence[str],
    *,
    expect: int,
    latency: LatencyMode,
    backlog: int = 0,
    processes: int = 1,
    connect_timeout: float = 120.0,
    query: str = "",
    stride: int = 1,
) -> AsyncIterator[Fleet]:
    """Viewers of ``log_ids`` spread over ``processes`` processes, connected and ready."""
    children = [
        (_child, (FleetJob(endpoint, ids, backlog, expect, latency, query, stride),))
        for part in range(processes)
        if (ids := tuple(log_ids[part::processes]))
    ]
    async with spawned(Fleet, children, connect_timeout) as handle:
        yield handle
