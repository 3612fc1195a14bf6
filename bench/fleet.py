"""Viewer processes: many WebSockets held open away from the process that measures.

With two cores, viewers in the measuring process would steal its time and blur
the figures, and thousands of sockets need their own file-descriptor budget. So
viewers live in one or two spawned processes that talk to the parent over a
pipe, in lock-step::

    child  -> ("ready", connected, errors)   all tails open (tailgate: hello seen)
    parent -> "go"                            lines are about to be written
    child  -> "done"                          every viewer has every line
    parent -> "stop"                          close the sockets and report
    child  -> ("report", FleetReport)
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import resource
import time
from array import array
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from bench.servers import Endpoint
from bench.tally import LatencyMode, Tally
from bench.viewers import Hub, Viewer, open_viewer

_CONNECTS_AT_ONCE = 32


def raise_open_file_limit() -> None:
    """Let this process (and what it starts) hold as many sockets as the hard limit allows."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


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


class Fleet:
    """The parent's handle on its viewer processes."""

    def __init__(self, pipes: list[Connection], processes: list[Any]) -> None:
        self._pipes = pipes
        self._processes = processes
        self.connected = 0
        self.connect_errors: list[str] = []

    async def _receive(self, conn: Connection, timeout: float) -> Any:
        def wait() -> Any:
            if not conn.poll(timeout):
                raise TimeoutError(f"viewer process silent for {timeout:.0f} s")
            return conn.recv()

        return await asyncio.to_thread(wait)

    async def ready(self, timeout: float) -> None:
        for conn in self._pipes:
            _, connected, errors = await self._receive(conn, timeout)
            self.connected += connected
            self.connect_errors += errors

    def go(self) -> None:
        for conn in self._pipes:
            conn.send("go")

    async def wait_done(self, timeout: float) -> bool:
        """True when every viewer got every line before ``timeout`` seconds passed."""
        deadline = time.monotonic() + timeout
        for conn in self._pipes:
            left = deadline - time.monotonic()
            if left <= 0 or not await asyncio.to_thread(conn.poll, left):
                return False
            if await self._receive(conn, 1.0) != "done":
                return False
        return True

    async def stop(self, timeout: float = 60.0) -> FleetReport:
        merged = FleetReport()
        for conn in self._pipes:
            conn.send("stop")
        for conn in self._pipes:
            while True:
                message = await self._receive(conn, timeout)
                if message != "done":
                    break
            merged.merge(message[1])
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
    spawn = multiprocessing.get_context("spawn")
    pipes: list[Connection] = []
    children: list[Any] = []
    try:
        for part in range(processes):
            ids = tuple(log_ids[part::processes])
            if not ids:
                continue
            ours, theirs = spawn.Pipe()
            job = FleetJob(endpoint, ids, backlog, expect, latency, query, stride)
            child = spawn.Process(target=_child, args=(job, theirs), daemon=True)
            child.start()
            theirs.close()
            pipes.append(ours)
            children.append(child)
        handle = Fleet(pipes, children)
        await handle.ready(connect_timeout)
        yield handle
    finally:
        # A closed pipe ends a child still waiting for orders.
        for conn in pipes:
            conn.close()
        for child in children:
            await asyncio.to_thread(child.join, 10.0)
            if child.is_alive():
                child.kill()
                child.join()
