"""Pod logs: one API server stream per log, however many viewers, closed when they leave.

tailgate serves one catalog entry, ``pod: {namespace: bench, name: web-0,
container: app}``, and reaches the tests' fake Kubernetes API server
(:mod:`bench.kube_fake`) through a kubeconfig. The fake appends the lines, so
their stamps are taken where a kubelet would write them, and it counts the log
streams tailgate opens. Three measurements, each against a fresh fake and server:

- fan-out: many viewers of the pod at a steady rate, every line to every viewer,
  latency per frame, server CPU, and how many followed log streams the fake saw
  open at once (one, shared);
- close: with a few viewers open, the others leave first (the stream must stay),
  then the last one; the time until the fake's followed-stream count reaches 0;
- memory: resident memory per idle tail of the pod.

websocketd has no pod logs, so there is no baseline.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator
from typing import Any

from bench import procfs
from bench.context import Context, each_server
from bench.fleet import fleet
from bench.kube_fake import FakeCluster, fake_cluster
from bench.kube_fake_runner import CONTAINER, NAMESPACE, POD
from bench.rawws import RawWebSocket
from bench.report import ScenarioResult, Target
from bench.scenarios.figures import (
    SETTLE_SECONDS,
    YES,
    Outcome,
    Row,
    fanout_outcome,
    figures,
    ms,
)
from bench.servers import HOST, Launcher, Server, ServerFailed, Tailgate
from bench.stats import median

NAME = "pods"
TITLE = "a pod's log through a fake Kubernetes API server (no baseline)"
#: websocketd cannot tail a pod: ``--only pods`` does not need it.
BASELINE = False
_LOG_ID = "web"
_VIEWER_PROCESSES = 2
_VIEWERS_PER_CLOSE_TRY = 3
_CLOSE_GIVE_UP_SECONDS = 5.0
_MEMORY_SETTLE_SECONDS = 1.0

_FANOUT_ROWS = [
    Row("delivered", "all delivered", "", "all_delivered", YES, ours_only=True),
    Row("p99", "p99 (per frame)", "ms", "p99_ms", Target("<=", 100.0), ours_only=True),
    Row("cpu", "server CPU", "cores", "server_cores", Target("<", 1.0), ours_only=True),
    Row("upstreams", "followed log streams", "", "upstreams", Target("==", "1"), ours_only=True),
]
_CLOSE_ROWS = [
    Row(f"{tag}.{stat}", f"{what}: {stat}", "ms", f"{tag}_{stat}_ms", Target("<=", 1000.0), True)
    for tag, what in (("close", "close frame"), ("drop", "dropped connection"))
    for stat in ("median", "max")
]
_MEMORY_ROWS = [
    Row("rss_per_tail", "RSS per tail", "KiB", "rss_per_tail_kib", Target("<=", 64.0), True),
    Row("pss_per_tail", "PSS per tail", "KiB", "pss_per_tail_kib", ours_only=True),
]


@contextlib.asynccontextmanager
async def _pod_server(ctx: Context, launcher: Launcher, tag: str) -> AsyncIterator[Any]:
    """A fresh fake API server, and tailgate serving the pod's log from it."""
    if not isinstance(launcher, Tailgate):
        raise TypeError(f"{launcher.name} cannot serve pod logs")
    work = ctx.scratch(f"{NAME}-{tag}")
    entry = {"id": _LOG_ID, "pod": {"namespace": NAMESPACE, "name": POD, "container": CONTAINER}}
    async with fake_cluster(work) as cluster:
        env = {"KUBECONFIG": str(cluster.write_kubeconfig(work / "kubeconfig"))}
        async with launcher.serve([entry], work, env) as server:
            yield cluster, server


def _server_report(server: Server) -> dict[str, object]:
    return {"server_log": server.log_problems(), "server_stop": server.stop_report}


async def _fanout(ctx: Context, launcher: Launcher) -> Outcome:
    shape = ctx.sizes.pod_fanout
    count = int(shape.rate * shape.seconds)
    async with _pod_server(ctx, launcher, "fanout") as (cluster, server):
        async with fleet(
            server.endpoint,
            [_LOG_ID] * shape.viewers,
            expect=count,
            latency="frame",
            processes=_VIEWER_PROCESSES,
        ) as viewers:
            # Hellos come before the upstream: lines count from the followed stream on.
            await cluster.wait_following(1)
            await asyncio.sleep(SETTLE_SECONDS)
            active = await server.metric("tailgate_active_tails")
            viewers.go()
            cpu_before, wall_before = server.cpu_seconds(), time.monotonic()
            fake_cpu_before = cluster.cpu_seconds()
            span = await cluster.write(shape.rate, count)
            finished = await viewers.wait_done(10.0)
            cpu = server.cpu_seconds() - cpu_before
            wall = time.monotonic() - wall_before
            fake_cpu = cluster.cpu_seconds() - fake_cpu_before
            upstream_metric = await server.metric("tailgate_upstream_streams")
            streams = await cluster.streams()
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
            writer_most_late_ns=span["most_late_ns"],
        ),
        "upstreams": str(streams["peak_following"]),
        "fake_streams": streams,
        "upstream_streams_metric": upstream_metric,
        "fake_cores": fake_cpu / wall,
        **_server_report(server),
    }


def _open_viewers(server: Server, count: int) -> list[RawWebSocket]:
    endpoint = server.endpoint
    opened: list[RawWebSocket] = []
    try:
        for _ in range(count):
            ws = RawWebSocket(HOST, endpoint.port, endpoint.tail_path(_LOG_ID), endpoint.origin)
            opened.append(ws)
            ws.read_text()  # the hello
    except BaseException:
        for ws in opened:
            ws.close()
        raise
    return opened


def _leave(ws: RawWebSocket, drop: bool) -> None:
    if drop:
        ws.drop()
    else:
        ws.send_close()


async def _close_try(cluster: FakeCluster, server: Server, drop: bool) -> dict[str, Any]:
    """Open a few viewers, let all but one go, then the last; time the upstream's close."""
    viewers = await asyncio.to_thread(_open_viewers, server, _VIEWERS_PER_CLOSE_TRY)
    try:
        await cluster.wait_following(1)
        *others, last = viewers
        for ws in others:
            _leave(ws, drop)
        await asyncio.sleep(0.1)
        kept = (await cluster.streams())["following"] == 1
        start = time.monotonic_ns()
        _leave(last, drop)
        try:
            closed_ns = await cluster.wait_following(0, _CLOSE_GIVE_UP_SECONDS)
        except ServerFailed:
            return {"kept_for_others": kept, "ns": None}
        return {"kept_for_others": kept, "ns": closed_ns - start}
    finally:
        for ws in viewers:
            ws.close()


async def _close(ctx: Context, launcher: Launcher) -> Outcome:
    outcome: Outcome = {}
    async with _pod_server(ctx, launcher, "close") as (cluster, server):
        for drop in (False, True):
            tag = "drop" if drop else "close"
            tries = [
                await _close_try(cluster, server, drop) for _ in range(ctx.sizes.pod_release_tries)
            ]
            timed = [ms(t["ns"]) for t in tries if t["ns"] is not None]
            outcome[f"{tag}_median_ms"] = median(timed) if timed else None
            outcome[f"{tag}_max_ms"] = max(timed) if timed else None
            outcome[f"{tag}_not_closed"] = len(tries) - len(timed)
            outcome[f"{tag}_kept_for_others"] = sum(t["kept_for_others"] for t in tries)
            outcome[f"{tag}_samples_ms"] = [round(t, 3) for t in timed]
        outcome["fake_streams"] = await cluster.streams()
        server.check_alive()
    return outcome | _server_report(server)


def _sample(server: Server) -> dict[str, int]:
    pids = server.processes()
    return {"rss": procfs.total_rss_bytes(pids), "pss": procfs.total_pss_bytes(pids)}


async def _memory(ctx: Context, launcher: Launcher) -> Outcome:
    count = ctx.sizes.pod_idle_tails
    async with _pod_server(ctx, launcher, "memory") as (cluster, server):
        # One tail opened and closed first: the Kubernetes client loads on first use.
        async with fleet(server.endpoint, [_LOG_ID], expect=0, latency="none") as warm:
            await cluster.wait_following(1)
            warm.go()
            await warm.stop()
        await cluster.wait_following(0)
        await asyncio.sleep(_MEMORY_SETTLE_SECONDS)
        before = _sample(server)
        async with fleet(server.endpoint, [_LOG_ID] * count, expect=0, latency="none") as viewers:
            await cluster.wait_following(1)
            viewers.go()
            await asyncio.sleep(_MEMORY_SETTLE_SECONDS)
            after = _sample(server)
            active = await server.metric("tailgate_active_tails")
            streams = await cluster.streams()
            report = await viewers.stop()
        server.check_alive()
    return {
        "rss_per_tail_kib": (after["rss"] - before["rss"]) / count / 1024,
        "pss_per_tail_kib": (after["pss"] - before["pss"]) / count / 1024,
        "tails": count,
        "viewers_connected": viewers.connected,
        "active_tails_metric": active,
        "fake_streams": streams,
        "before": before,
        "after": after,
        "problems": report.problems(),
        **_server_report(server),
    }


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME, TITLE)
    alone = dataclasses.replace(ctx, baseline=None)
    sizes = ctx.sizes
    shape = sizes.pod_fanout
    parts = (
        ("fanout", _fanout, _FANOUT_ROWS, f"{shape.viewers} viewers, {shape.rate} lines/s:"),
        ("close", _close, _CLOSE_ROWS, "last viewer leaves to upstream closed,"),
        ("memory", _memory, _MEMORY_ROWS, f"{sizes.pod_idle_tails} idle tails:"),
    )
    for tag, measure_part, rows, label in parts:

        async def measure(launcher: Launcher, part: Any = measure_part) -> Outcome:
            outcome: Outcome = await part(alone, launcher)
            return outcome

        outcomes = await each_server(alone, measure, result.errors)
        result.details[tag] = outcomes
        result.figures += figures(alone, outcomes, rows, key=f"{NAME}.{tag}", label=label)
    return result
