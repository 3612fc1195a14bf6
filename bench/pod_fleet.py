"""Viewers of a ``pods`` log, each checking every pod's own line sequence.

:mod:`bench.fleet` checks one sequence per viewer, which fits a file or a single
pod. A ``pods`` log merges many pods, whose lines interleave in any order across
pods but keep their order within one. Viewers ask as the page does
(``annotate=sources``: a frame may hold lines of several pods, each with its
source beside it; protocol.md), and every viewer keeps, per source, the next
sequence number it expects and
counts what was lost, duplicated or out of order. Lines are ``bench.lines``
lines, written by the fake API server's ``write-pods-stamped``: pod P's K-th line
carries sequence K. Latency is taken for the first line of each frame, the one
that waited longest in it. The viewers live in spawned processes, in lock-step
with the parent (:mod:`bench.viewer_processes`); each child reports a
:class:`PodFleetReport`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from array import array
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

from bench.lines import seq_of, stamp_of
from bench.servers import Endpoint
from bench.viewer_processes import ViewerProcesses, raise_open_file_limit, spawned


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
    """What one viewer of ``log_id`` received, per source (a file log has one, ``""``)."""

    log_id: str = ""
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
        each = frame.get("sources")
        if isinstance(each, list):
            # Several pods in one frame (annotate=sources): each line names its own.
            tallies = self.sources
            for text, name in zip(lines, each, strict=True):
                tallies.setdefault(name, SourceTally()).add(seq_of(text))
        else:
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


def _tail_url(endpoint: Endpoint, log_id: str) -> str:
    """As the page asks: a pods log's lines of many pods may come in one frame."""
    return endpoint.tail_url(log_id) + "&annotate=sources"


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


async def _run(endpoint: Endpoint, log_ids: tuple[str, ...], total: int, conn: Connection) -> None:
    latencies: array[int] = array("q")
    tallies = [PodTally(log_id) for log_id in log_ids]
    hellos = [asyncio.Event() for _ in log_ids]
    fulls = [asyncio.Event() for _ in log_ids]
    timeout = aiohttp.ClientTimeout(total=None, connect=30)
    # No cap on connections: aiohttp's default of 100 would leave the rest waiting.
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        tasks = [
            asyncio.create_task(
                _view(session, _tail_url(endpoint, t.log_id), t, latencies, h, f, total)
            )
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
        with contextlib.suppress(asyncio.CancelledError):
            await everyone
        await stop
        cpu = time.process_time() - cpu_before
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    conn.send(("report", PodFleetReport(tallies, latencies, errors[:5], cpu)))


def _child(endpoint: Endpoint, log_ids: tuple[str, ...], total: int, conn: Connection) -> None:
    raise_open_file_limit()
    asyncio.run(_run(endpoint, log_ids, total, conn))


def troubles(handle: ViewerProcesses, report: PodFleetReport) -> dict[str, list[str]]:
    """What a run's outcome shows of what went wrong: connect errors, then notices."""
    notices = [n for tally in report.tallies for n in tally.notices]
    return {"connect_errors": handle.connect_errors + report.connect_errors, "notices": notices[:5]}


class PodFleet(ViewerProcesses):
    """The parent's handle on its viewer processes."""

    async def stop(self, timeout: float = 60.0) -> PodFleetReport:
        merged = PodFleetReport()
        part: PodFleetReport
        for part in await self.reports(timeout):
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
    async with source_fleet(endpoint, [log_id] * viewers, total=total, processes=processes) as f:
        yield f


@contextlib.asynccontextmanager
async def source_fleet(
    endpoint: Endpoint, log_ids: Sequence[str], *, total: int, processes: int = 2
) -> AsyncIterator[PodFleet]:
    """One tail per entry of ``log_ids`` (over ``processes`` processes), each awaiting
    ``total`` lines and counting each source's sequence; yielded once all have their hello."""
    children = [
        (_child, (endpoint, ids, total))
        for part in range(processes)
        if (ids := tuple(log_ids[part::processes]))
    ]
    async with spawned(PodFleet, children, 120.0) as handle:
        yield handle
