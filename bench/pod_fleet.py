"""Viewers of a ``pods`` log, each checking every pod's own line sequence.

:mod:`bench.fleet` checks one sequence per viewer, which fits a file or a single
pod. A ``pods`` log merges many pods, whose lines interleave in any order across
pods but keep their order within one (protocol.md: one source per frame), so here
every viewer keeps, per ``source``, the next sequence number it expects and
counts what was lost, duplicated or out of order. Lines are ``bench.lines``
lines, written by the fake API server's ``write-pods-stamped``: pod P's K-th line
carries sequence K. Latency is taken for the first line of each frame, the one
that waited longest in it. The viewers live in spawned processes, in lock-step
with the parent like :mod:`bench.fleet`::

    child  -> ("ready", connected, errors)
    parent -> "go";  child -> "done" once every viewer holds every line
    parent -> "stop"; child -> ("report", PodFleetReport)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import time
from array import array
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

from bench.fleet import raise_open_file_limit
from bench.lines import seq_of, stamp_of
from bench.servers import Endpoint


@dataclass
class SourceTally:
    """One viewer's count of one pod's lines."""

    next_seq: int = 0
    received: int = 0
    lost: int = 0
    duplicated: int = 0

    def add(self, seq: int) -> None:
        """A line numbered ``seq``: the next one, a line skipped over, or one seen again."""
        self.received += 1
        if seq == self.next_seq:
            self.next_seq += 1
        elif seq > self.next_seq:
            self.lost += seq - self.next_seq
            self.next_seq = seq + 1
        else:
            # Seen before, or out of order (both break the per-pod guarantee).
            self.duplicated += 1


@dataclass
class PodTally:
    """What one viewer received, per source."""

    sources: dict[str, SourceTally] = field(default_factory=dict)
    received: int = 0
    notices: list[str] = field(default_factory=list)

    def frame(self, frame: dict[str, Any], now_ns: int, latencies: array[int]) -> int:
        """Account one frame; returns how many lines it carried."""
        if frame.get("type") != "lines":
            if frame.get("type") not in ("hello", "skipped") and len(self.notices) < 5:
                self.notices.append(json.dumps(frame)[:300])
            return 0
        lines: list[str] = frame["lines"]
        if not lines:
            return 0
        source = self.sources.setdefault(frame.get("source", ""), SourceTally())
        for text in lines:
            source.add(seq_of(text))
        latencies.append(now_ns - stamp_of(lines[0]))
        self.received += len(lines)
        return len(lines)

    def totals(self, expected: dict[str, int]) -> dict[str, int]:
        """Lost and duplicated lines against ``expected`` lines per source."""
        lost = duplicated = 0
        for name, count in expected.items():
            got = self.sources.get(name, SourceTally())
            # Skipped over, and any after the last one seen.
            lost += got.lost + max(0, count - got.next_seq)
            duplicated += got.duplicated
        strays = sum(t.received for n, t in self.sources.items() if n not in expected)
        return {"lost": lost, "duplicated": duplicated, "strays": strays}


@dataclass
class PodFleetReport:
    tallies: list[PodTally] = field(default_factory=list)
    latencies_ns: array[int] = field(default_factory=lambda: array("q"))
    connect_errors: list[str] = field(default_factory=list)
    client_cpu_seconds: float = 0.0


async def _view(
    session: aiohttp.ClientSession,
    url: str,
    tally: PodTally,
    latencies: array[int],
    hello: asyncio.Event,
    full: asyncio.Event,
    total: int,
) -> None:
    async with session.ws_connect(url, max_msg_size=0) as ws:
        async for message in ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            frame = json.loads(message.data)
            if frame.get("type") == "hello":
                hello.set()
            tally.frame(frame, time.monotonic_ns(), latencies)
            if tally.received >= total:
                full.set()


async def _run(endpoint: Endpoint, log_id: str, viewers: int, total: int, conn: Connection) -> None:
    url = endpoint.tail_url(log_id, backlog=0)
    latencies: array[int] = array("q")
    tallies = [PodTally() for _ in range(viewers)]
    hellos = [asyncio.Event() for _ in range(viewers)]
    fulls = [asyncio.Event() for _ in range(viewers)]
    timeout = aiohttp.ClientTimeout(total=None, connect=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        tasks = [
            asyncio.create_task(_view(session, url, t, latencies, h, f, total))
            for t, h, f in zip(tallies, hellos, fulls, strict=True)
        ]
        waits = [asyncio.create_task(h.wait()) for h in hellos]
        await asyncio.wait([*waits], timeout=60.0)
        errors = [
            f"{type(e).__name__}: {e}"[:300] for t in tasks if t.done() and (e := t.exception())
        ]
        conn.send(("ready", sum(h.is_set() for h in hellos), errors[:5]))
        await asyncio.to_thread(conn.recv)  # "go"
        cpu_before = time.process_time()
        stop = asyncio.create_task(asyncio.to_thread(conn.recv))
        everyone = asyncio.ensure_future(asyncio.gather(*(f.wait() for f in fulls)))
        await asyncio.wait([stop, everyone], return_when=asyncio.FIRST_COMPLETED)
        if everyone.done():
            conn.send("done")
        everyone.cancel()
        await stop
        cpu = time.process_time() - cpu_before
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    conn.send(("report", PodFleetReport(tallies, latencies, errors[:5], cpu)))


def _child(endpoint: Endpoint, log_id: str, viewers: int, total: int, conn: Connection) -> None:
    raise_open_file_limit()
    asyncio.run(_run(endpoint, log_id, viewers, total, conn))


class PodFleet:
    """The parent's handle on its viewer processes."""

    def __init__(self, pipes: list[Connection]) -> None:
        self._pipes = pipes
        self.connected = 0
        self.connect_errors: list[str] = []

    @staticmethod
    async def _receive(conn: Connection, timeout: float) -> Any:
        if not await asyncio.to_thread(conn.poll, timeout):
            raise TimeoutError(f"viewer process silent for {timeout:.0f} s")
        return conn.recv()

    def go(self) -> None:
        for conn in self._pipes:
            conn.send("go")

    async def wait_done(self, timeout: float) -> bool:
        """True when every viewer held every line before ``timeout`` seconds passed."""
        deadline = time.monotonic() + timeout
        for conn in self._pipes:
            left = deadline - time.monotonic()
            if left <= 0 or not await asyncio.to_thread(conn.poll, left):
                return False
            if conn.recv() != "done":
                return False
        return True

    async def stop(self, timeout: float = 60.0) -> PodFleetReport:
        merged = PodFleetReport()
        for conn in self._pipes:
            conn.send("stop")
        for conn in self._pipes:
            while (message := await self._receive(conn, timeout)) == "done":
                pass
            part: PodFleetReport = message[1]
            merged.tallies += part.tallies
            merged.latencies_ns.extend(part.latencies_ns)
            merged.connect_errors += part.connect_errors
            merged.client_cpu_seconds += part.client_cpu_seconds
        return merged


@contextlib.asynccontextmanager
async def pod_fleet(
    endpoint: Endpoint, log_id: str, *, viewers: int, total: int, processes: int = 2
) -> AsyncIterator[PodFleet]:
    """``viewers`` tails of ``log_id`` over ``processes`` processes, each awaiting ``total``
    lines; yielded once every tail has its hello."""
    spawn = multiprocessing.get_context("spawn")
    pipes: list[Connection] = []
    children: list[Any] = []
    try:
        for part in range(processes):
            count = len(range(part, viewers, processes))
            if not count:
                continue
            ours, theirs = spawn.Pipe()
            args = (endpoint, log_id, count, total, theirs)
            child = spawn.Process(target=_child, args=args, daemon=True)
            child.start()
            theirs.close()
            pipes.append(ours)
            children.append(child)
        handle = PodFleet(pipes)
        for conn in pipes:
            _, connected, errors = await handle._receive(conn, 120.0)
            handle.connected += connected
            handle.connect_errors += errors
        yield handle
    finally:
        for conn in pipes:
            conn.close()
        for child in children:
            await asyncio.to_thread(child.join, 10.0)
            if child.is_alive():
                child.kill()
                child.join()
