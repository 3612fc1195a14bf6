"""The scenarios, in the order a run takes them; each module measures one thing.

Every scenario module has ``NAME``, ``TITLE`` and ``async def run(ctx)`` that
returns a :class:`~bench.report.ScenarioResult` with figures for tailgate and the
baseline; one with ``BASELINE = False`` measures tailgate alone (pod logs, the
browser). The browser scenario runs last, so Chromium's start-up and its share of
the two cores never overlap another scenario's figures.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import ModuleType

from bench import discovery, search
from bench.context import Context
from bench.report import ScenarioResult
from bench.scenarios import (
    backlog,
    browser,
    fanout,
    filtered,
    latency,
    memory,
    pods,
    pods_scale,
    release,
    throughput,
)

Run = Callable[[Context], Awaitable[ScenarioResult]]

ALL: tuple[ModuleType, ...] = (
    latency,
    throughput,
    fanout,
    filtered,
    memory,
    release,
    backlog,
    pods,
    pods_scale,
    search,
    discovery,
    browser,
)
NAMES: tuple[str, ...] = tuple(module.NAME for module in ALL)
