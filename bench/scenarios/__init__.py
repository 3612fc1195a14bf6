"""The scenarios, in the order a run takes them; each module measures one thing.

Every scenario module has ``NAME``, ``TITLE`` and ``async def run(ctx)`` that
returns a :class:`~bench.report.ScenarioResult` with figures for tailgate and the
baseline.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import ModuleType

from bench.context import Context
from bench.report import ScenarioResult
from bench.scenarios import backlog, fanout, latency, memory, release, throughput

Run = Callable[[Context], Awaitable[ScenarioResult]]

ALL: tuple[ModuleType, ...] = (latency, throughput, fanout, memory, release, backlog)
NAMES: tuple[str, ...] = tuple(module.NAME for module in ALL)
