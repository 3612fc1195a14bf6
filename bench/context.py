"""What every scenario is given: the servers to compare, how long to run, where to write.

Sizes come in two sets, the default run (a few minutes in all) and ``--quick``
(a smoke check). :func:`each_server` runs one measurement against tailgate and
then the baseline, so a failure of one never hides the figures of the other.
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bench.servers import Launcher

T = TypeVar("T")


@dataclass(frozen=True)
class Fanout:
    viewers: int
    rate: int
    seconds: float


@dataclass(frozen=True)
class Sizes:
    latency_lines: int = 2000
    latency_rate: int = 200
    throughput_lines: int = 3_000_000
    throughput_block_lines: int = 10_000
    fanouts: tuple[Fanout, ...] = (Fanout(200, 1000, 15.0), Fanout(1000, 100, 15.0))
    idle_tails: int = 500
    release_tries: int = 20
    backlog_bytes: int = 1_000_000_000
    backlog_lines: int = 1000
    backlog_tries: int = 9
    pod_fanout: Fanout = Fanout(100, 1000, 15.0)
    filtered_seconds: float = 15.0
    pod_release_tries: int = 10
    pod_idle_tails: int = 200
    browser_rate: int = 50_000
    browser_block_lines: int = 2_500
    browser_seconds: float = 30.0
    pods_scale_seconds: float = 20.0

    @classmethod
    def quick(cls) -> Sizes:
        return cls(
            latency_lines=400,
            throughput_lines=300_000,
            fanouts=(Fanout(200, 1000, 3.0), Fanout(1000, 100, 3.0)),
            idle_tails=100,
            release_tries=5,
            backlog_tries=3,
            pod_fanout=Fanout(100, 1000, 3.0),
            filtered_seconds=3.0,
            pod_release_tries=5,
            browser_seconds=8.0,
            pods_scale_seconds=5.0,
        )


@dataclass
class Context:
    ours: Launcher
    baseline: Launcher | None
    sizes: Sizes
    workdir: Path
    cache: Path
    #: Scratch shared between scenarios, e.g. pre-built blocks reused for both servers.
    memo: dict[str, Any] = field(default_factory=dict)

    def launchers(self) -> list[Launcher]:
        return [self.ours] if self.baseline is None else [self.ours, self.baseline]

    def scratch(self, name: str) -> Path:
        """A fresh folder under the run's temporary folder."""
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.workdir))


async def each_server(
    ctx: Context, measure: Callable[[Launcher], Awaitable[T]], errors: list[str]
) -> dict[str, T | None]:
    """``measure`` for tailgate then the baseline; a failure becomes an error row."""
    outcomes: dict[str, T | None] = {}
    for launcher in ctx.launchers():
        try:
            outcomes[launcher.name] = await measure(launcher)
        except Exception as error:
            outcomes[launcher.name] = None
            last = traceback.extract_tb(error.__traceback__)[-1]
            errors.append(
                f"{launcher.name}: {type(error).__name__}: {error} "
                f"({Path(last.filename).name}:{last.lineno})"
            )
    return outcomes
