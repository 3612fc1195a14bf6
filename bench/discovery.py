"""``python -m bench --only discovery``: a catalog of 500 discovered workloads.

tailgate serves one ``discover`` rule (``namespaces: ["wl-*"]``, Deployments) against
the tests' fake Kubernetes API server (:mod:`bench.kube_fake`) holding 500
Deployments over 10 namespaces. Measured, against a fresh fake and server:

- start-up: from starting ``tailgate serve`` until ``GET /api/logs`` lists all 500,
  1,000 logs with their ``events`` companions (the server is ready only after
  discovery's first lists, so this includes them),
  beside the same over an empty cluster (what the process itself takes);
- ``GET /api/logs``: the median and the slowest of 50 requests, and the body's size;
- a workload created while serving: until ``/api/logs`` lists it;
- memory: the server's RSS with the 500, beside one serving the same rule over an
  empty cluster, and the difference per workload.

No baseline: websocketd has no catalog.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from typing import Any

from bench import procfs
from bench.context import Context
from bench.kube_fake import fake_cluster
from bench.report import Figure, ScenarioResult, Target, alone, outcome_figure
from bench.servers import HOST, Server, Tailgate
from bench.stats import median

NAME = "discovery"
TITLE = "a catalog of 500 discovered workloads, through a fake API server (no baseline)"
BASELINE = False
WORKLOADS = 500
#: Logs per workload: its pods, and its ``events`` companion (on by default).
LOGS_EACH = 2
NAMESPACES = 10
RULES = [{"namespaces": ["wl-*"], "kinds": ["Deployment"]}]
_REQUESTS = 50
_GIVE_UP_SECONDS = 60.0
_SETTLE_SECONDS = 1.0


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body


async def _logs(server: Server) -> tuple[list[dict[str, Any]], int, float]:
    """The logs listed, the body's size, and how long the request took (ms)."""
    url = f"http://{HOST}:{server.endpoint.port}/api/logs"
    started = time.perf_counter()
    body = await asyncio.to_thread(_get, url)
    took = (time.perf_counter() - started) * 1000
    logs: list[dict[str, Any]] = json.loads(body)["logs"]
    return logs, len(body), took


async def _until_listed(server: Server, count: int, give_up: float) -> float:
    """Wait until ``/api/logs`` lists ``count`` logs; when that was (monotonic seconds)."""
    deadline = time.monotonic() + give_up
    while True:
        logs, _, _ = await _logs(server)
        if len(logs) >= count:
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(logs)} of {count} logs listed after {give_up:.0f} s")
        await asyncio.sleep(0.01)


async def _measure(tailgate: Tailgate, ctx: Context) -> dict[str, Any]:
    work = ctx.scratch(NAME)
    for name in ("empty", "full"):
        (work / name).mkdir(exist_ok=True)
    async with fake_cluster(work) as cluster:
        env = {"KUBECONFIG": str(cluster.write_kubeconfig(work / "kubeconfig"))}
        empty_started = time.monotonic()
        async with tailgate.serve([], work / "empty", env, discover=RULES) as empty:
            empty_listed = await _until_listed(empty, 0, _GIVE_UP_SECONDS)
            await asyncio.sleep(_SETTLE_SECONDS)
            empty_rss = procfs.rss_bytes(empty.pid)
        await cluster.command(f"workloads {WORKLOADS} {NAMESPACES}")
        started = time.monotonic()
        async with tailgate.serve([], work / "full", env, discover=RULES) as server:
            listed = await _until_listed(server, WORKLOADS * LOGS_EACH, _GIVE_UP_SECONDS)
            times, size = [], 0
            for _ in range(_REQUESTS):
                logs, size, took = await _logs(server)
                times.append(took)
            assert len(logs) == WORKLOADS * LOGS_EACH, len(logs)
            await cluster.command("workload wl-0 late")
            created = time.monotonic()
            appeared = await _until_listed(server, (WORKLOADS + 1) * LOGS_EACH, _GIVE_UP_SECONDS)
            await asyncio.sleep(_SETTLE_SECONDS)
            rss = procfs.rss_bytes(server.pid)
            server.check_alive()
            problems = server.log_problems()
    return {
        "startup_s": listed - started,
        "empty_startup_s": empty_listed - empty_started,
        "api_logs_median_ms": median(times),
        "api_logs_max_ms": max(times),
        "api_logs_kib": size / 1024,
        "new_workload_ms": (appeared - created) * 1000,
        "rss_mib": rss / 2**20,
        "empty_rss_mib": empty_rss / 2**20,
        "rss_per_workload_kib": (rss - empty_rss) / 1024 / WORKLOADS,
        "server_log": problems,
    }


def _figures(o: dict[str, Any]) -> list[Figure]:
    def figure(key: str, label: str, unit: str, target: Target | None = None) -> Figure:
        return outcome_figure(NAME, o, key, label, unit, target)

    return [
        figure("startup_s", f"start-up until {WORKLOADS} listed", "s", Target("<=", 10.0)),
        figure("empty_startup_s", "start-up with none (the process alone)", "s"),
        figure("api_logs_median_ms", "GET /api/logs: median", "ms", Target("<=", 100.0)),
        figure("api_logs_max_ms", "GET /api/logs: slowest of 50", "ms"),
        figure("api_logs_kib", "GET /api/logs: body", "KiB"),
        figure("new_workload_ms", "a new workload listed after", "ms", Target("<=", 2000.0)),
        figure("rss_mib", f"server RSS with {WORKLOADS}", "MiB"),
        figure("empty_rss_mib", "server RSS with none", "MiB"),
        figure("rss_per_workload_kib", "RSS per discovered workload", "KiB"),
    ]


async def run(ctx: Context) -> ScenarioResult:
    return await alone(
        ScenarioResult(NAME, TITLE), ctx.ours.name, lambda: _measure(ctx.ours, ctx), _figures
    )
