"""Pod lines through an API server under strain: each line once, whatever it does.

tailgate follows a ``pods`` selector (three pods) in the fake API server
(:mod:`bench.kube_fake`), which meanwhile runs its fault loop: followed log
streams cut every second (cleanly or by a dropped connection), a 500 on a log
request, a 429 with ``Retry-After`` on pod requests, expired watches (410), slow
answers. A viewer tails the log from before the first line to after the last;
every pod numbers its lines, so the tally says, per pod, how many were lost,
duplicated, or out of order. ``Tally`` and ``Viewer`` serve ``failover`` too.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.kube_fake import fake_cluster
from bench.kube_fake_runner import CONTAINER, NAMESPACE, ROOT
from bench.servers import Tailgate

NAME = "pod_faults"
TITLE = "pod lines through API faults: cut streams, 500, 429 + Retry-After, 410, slow answers"
TAILGATE = str(ROOT / ".venv" / "bin" / "tailgate")
LOG_ID = "api"
ENTRY = {
    "id": LOG_ID,
    "pods": {"namespace": NAMESPACE, "selector": "app=api", "container": CONTAINER},
}


@dataclass
class Tally:
    """Numbered lines received, per source; what a gap-free, duplicate-free run shows."""

    seen: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    gaps: int = 0
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, source: str, text: str) -> None:
        self.seen[source].append(int(text.rsplit(" ", 1)[1]))

    @property
    def received(self) -> int:
        return sum(len(v) for v in self.seen.values())

    def figures(self, expected: dict[str, set[int]]) -> dict[str, object]:
        lost = dup = disorder = 0
        per_source: dict[str, dict[str, int]] = {}
        for source, wanted in sorted(expected.items()):
            got = self.seen.get(source, [])
            distinct = set(got)
            row = {
                "expected": len(wanted),
                "lost": len(wanted - distinct),
                "duplicated": len(got) - len(distinct),
                "out_of_order": sum(1 for a, b in itertools.pairwise(got) if b < a),
            }
            per_source[source] = row
            lost += row["lost"]
            dup += row["duplicated"]
            disorder += row["out_of_order"]
        return {
            "lost": lost,
            "duplicated": dup,
            "out_of_order": disorder,
            "gap_notices": self.gaps,
            "error_frames": dict(self.errors),
            "per_source": per_source,
        }


class Viewer:
    """One tail over aiohttp, tallying lines; resumable with its cursor elsewhere."""

    def __init__(self, session: aiohttp.ClientSession, tally: Tally, source: str = "") -> None:
        self._session = session
        self.tally = tally
        self._source = source  # file logs carry no source: the tally names them
        self.cursor: str | None = None
        self.changed = asyncio.Event()
        self.closed = asyncio.Event()
        self.hello = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def follow(self, url: str) -> None:
        """Tail ``url`` (with this viewer's cursor, if it has one) until it closes."""
        if self.cursor:
            url += ("&" if "?" in url else "?") + f"cursor={self.cursor}"
        self.closed.clear()
        self.hello.clear()
        self._task = asyncio.create_task(self._read(url))

    async def _read(self, url: str) -> None:
        try:
            async with self._session.ws_connect(url, max_msg_size=0) as ws:
                async for message in ws:
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        break
                    self._frame(json.loads(message.data))
        except (aiohttp.ClientError, OSError):
            pass
        finally:
            self.closed.set()
            self.changed.set()

    def _frame(self, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if kind == "lines":
            source = frame.get("source", self._source)
            for text in frame["lines"]:
                self.tally.add(source, text)
            self.cursor = frame["cursor"]
            self.changed.set()
        elif kind == "hello":
            self.hello.set()
        elif kind == "notice" and frame["event"] == "gap":
            self.tally.gaps += 1
        elif kind == "error":
            self.tally.errors[frame["code"]] += 1

    async def until(self, count: int, timeout: float) -> bool:
        """Wait until the tally holds ``count`` lines; False if it did not in time."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self.tally.received < count:
                    self.changed.clear()
                    await self.changed.wait()
                return True
        return self.tally.received >= count

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@contextlib.asynccontextmanager
async def viewer(tally: Tally, source: str = "") -> AsyncIterator[Viewer]:
    timeout = aiohttp.ClientTimeout(total=None, connect=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        one = Viewer(session, tally, source)
        try:
            yield one
        finally:
            await one.aclose()


def expected_pod_lines(pods: int, count: int) -> dict[str, set[int]]:
    """What ``write-pods`` wrote: line K went to pod K mod ``pods``."""
    return {f"api-{p}/{CONTAINER}": set(range(p, count, pods)) for p in range(pods)}


async def measure(
    workdir: Path, *, seconds: float, pods: int = 3, rate: float = 150.0, command: str = TAILGATE
) -> dict[str, object]:
    count = int(rate * seconds)
    tally = Tally()
    async with fake_cluster(workdir) as cluster:
        await cluster.command(f"pods {pods}")
        env = {"KUBECONFIG": str(cluster.write_kubeconfig(workdir / "kubeconfig"))}
        async with Tailgate(command).serve([ENTRY], workdir, env) as server, viewer(tally) as one:
            one.follow(server.endpoint.tail_url(LOG_ID, backlog=0))
            await cluster.wait_following(pods)
            await cluster.command("faults start")
            span = await cluster.command(f"write-pods {rate} {count}", timeout=seconds + 60)
            faults = await cluster.command("faults stop")
            # After the storm: reconnects back off by at most a few seconds.
            complete = await one.until(count, timeout=30.0)
            reconnects = await server.metric("tailgate_upstream_reconnects_total")
            server.check_alive()
            problems = server.log_problems()
    return {
        "pods": pods,
        "lines_written": count,
        "write_seconds": span["seconds"],
        "received": tally.received,
        "complete": complete,
        **tally.figures(expected_pod_lines(pods, count)),
        "faults": faults,
        "upstream_reconnects": reconnects,
        "server_log_problems": problems["count"],
    }


async def run(workdir: Path, quick: bool) -> dict[str, object]:
    return await measure(workdir, seconds=10.0 if quick else 120.0)
