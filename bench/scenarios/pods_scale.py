"""``python -m bench --only pods_scale``: a ``pods`` log of 1,000 pods, 10 viewers.

tailgate serves ``pods: {namespace: bench, selector: app=api, container: app}``
from the fake Kubernetes API server (:mod:`bench.kube_fake`) holding 1,000 such
pods, each writing 5 lines/s (5,000 lines/s in all, appended by the fake so each
line is stamped where a kubelet would write it). Ten viewers watch the one log
ID, asking as the page does (``annotate=sources``); each checks every pod's own
sequence (:mod:`bench.pod_fleet`). Measured:

- every line to every viewer: lines lost and duplicated (or out of order);
- latency, line appended to frame received: p99 over frames;
- server CPU over the span from the first append until every viewer had all;
- server RSS idle (catalog loaded, Kubernetes client warmed up by one tail of
  another pod, nothing followed), RSS with the 1,000 followed and written to,
  and the difference per followed pod;
- the fake API server's own CPU: it serves the 1,000 chunked streams from one
  Python process, so when it nears a core the figures are the fake's, not ours.

No baseline: websocketd has no pod logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from typing import Any

from bench import procfs
from bench.context import Context
from bench.fleet import fleet
from bench.kube_fake import fake_cluster
from bench.kube_fake_runner import CONTAINER, NAMESPACE, POD
from bench.pod_fleet import pod_fleet, troubles
from bench.report import Figure, ScenarioResult, Target, alone, outcome_figure
from bench.scenarios.figures import ms
from bench.servers import Server, ServerFailed, Tailgate
from bench.stats import spread

NAME = "pods_scale"
TITLE = "a pods log of 1,000 pods at 5 lines/s each, 10 viewers (no baseline)"
BASELINE = False
PODS = 1000
PER_POD_RATE = 5
VIEWERS = 10
_LOG_ID = "api"
_WARM_ID = "warm"
_ENTRIES = [
    {
        "id": _LOG_ID,
        "pods": {"namespace": NAMESPACE, "selector": "app=api", "container": CONTAINER},
    },
    {"id": _WARM_ID, "pod": {"namespace": NAMESPACE, "name": POD, "container": CONTAINER}},
]
_SETTLE_SECONDS = 1.0
_DRAIN_SECONDS = 15.0
_OPEN_SECONDS = 30.0


def _rss(server: Server) -> int:
    return procfs.total_rss_bytes(server.processes())


async def _warm_up(server: Server, cluster: Any) -> None:
    """One tail of another pod opened and closed: the Kubernetes client loads on first use."""
    async with fleet(server.endpoint, [_WARM_ID], expect=0, latency="none") as warm:
        await cluster.wait_following(1)
        warm.go()
        await warm.stop()
    await cluster.wait_following(0)


async def measure(ctx: Context, seconds: float) -> dict[str, Any]:
    if not isinstance(ctx.ours, Tailgate):
        raise TypeError(f"{ctx.ours.name} cannot serve pod logs")
    work = ctx.scratch(NAME)
    per_pod = int(PER_POD_RATE * seconds)
    count = per_pod * PODS
    async with fake_cluster(work) as cluster:
        await cluster.command(f"pods {PODS}")
        env = {"KUBECONFIG": str(cluster.write_kubeconfig(work / "kubeconfig"))}
        async with ctx.ours.serve(_ENTRIES, work, env) as server:
            await _warm_up(server, cluster)
            await asyncio.sleep(_SETTLE_SECONDS)
            idle_rss = _rss(server)
            async with pod_fleet(server.endpoint, _LOG_ID, viewers=VIEWERS, total=count) as viewers:
                # Not all of them may open (the figure says how many did): measure anyway.
                with contextlib.suppress(ServerFailed):
                    await cluster.wait_following(PODS, timeout=_OPEN_SECONDS)
                await asyncio.sleep(_SETTLE_SECONDS)
                following_rss = _rss(server)
                upstreams = await server.metric("tailgate_upstream_streams")
                viewers.go()
                cpu_before, fake_before = server.cpu_seconds(), cluster.cpu_seconds()
                wall_before = time.monotonic()
                span = await cluster.command(
                    f"write-pods-stamped {PER_POD_RATE * PODS} {count}", timeout=seconds + 60
                )
                finished = await viewers.wait_done(_DRAIN_SECONDS)
                wall = time.monotonic() - wall_before
                cpu = server.cpu_seconds() - cpu_before
                fake_cpu = cluster.cpu_seconds() - fake_before
                written_rss = _rss(server)
                streams = await cluster.streams()
                report = await viewers.stop()
            server.check_alive()
            problems = server.log_problems()
    expected = {f"api-{p}/{CONTAINER}": per_pod for p in range(PODS)}
    totals = [tally.totals(expected) for tally in report.tallies]
    latency = spread([ms(sample) for sample in report.latencies_ns])
    lost = sum(t["lost"] for t in totals)
    duplicated = sum(t["duplicated"] + t["strays"] for t in totals)
    return {
        "pods": PODS,
        "viewers_connected": viewers.connected,
        "lines_per_viewer": count,
        "received": sum(tally.received for tally in report.tallies),
        "all_delivered": "yes"
        if finished and lost == 0 and duplicated == 0 and len(totals) == VIEWERS
        else "no",
        "lost": lost,
        "duplicated": duplicated,
        "p50_ms": latency["p50"],
        "p99_ms": latency["p99"],
        "max_ms": latency["max"],
        "frames": len(report.latencies_ns),
        "server_cores": cpu / wall,
        "fake_cores": fake_cpu / wall,
        "client_cores": report.client_cpu_seconds / wall,
        "idle_rss_mib": idle_rss / 2**20,
        "following_rss_mib": following_rss / 2**20,
        "rss_mib": written_rss / 2**20,
        "rss_per_pod_kib": (written_rss - idle_rss) / PODS / 1024,
        "following_rss_per_pod_kib": (following_rss - idle_rss) / PODS / 1024,
        "upstream_streams_metric": upstreams,
        "followed_streams": streams["peak_following"],
        "fake_streams": streams,
        "write_seconds": span["seconds"],
        "writer_most_late_ms": ms(span["most_late_ns"]),
        "finished_in_time": finished,
        **troubles(viewers, report),
        "server_log": problems,
    }


def _figures(o: dict[str, Any]) -> list[Figure]:
    figure = functools.partial(outcome_figure, NAME, o)

    return [
        figure("all_delivered", "all delivered, every pod in order", "", Target("==", "yes")),
        figure("followed_streams", "followed log streams (peak)", "", Target(">=", float(PODS))),
        figure("lost", "lines lost (all viewers)", "lines"),
        figure("duplicated", "lines duplicated or out of order", "lines"),
        figure("p99_ms", "p99 appended to received (per frame)", "ms", Target("<=", 250.0)),
        figure("server_cores", "server CPU", "cores", Target("<", 1.0)),
        figure("rss_mib", f"server RSS, {PODS} pods followed", "MiB"),
        figure("idle_rss_mib", "server RSS idle", "MiB"),
        figure("rss_per_pod_kib", "RSS per followed pod", "KiB", Target("<=", 64.0)),
        figure("fake_cores", "fake API server CPU (not ours)", "cores"),
    ]


async def run(ctx: Context) -> ScenarioResult:
    return await alone(
        ScenarioResult(NAME, TITLE),
        ctx.ours.name,
        lambda: measure(ctx, ctx.sizes.pods_scale_seconds),
        _figures,
    )
