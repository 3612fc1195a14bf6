"""Figures, the table printed at the end of a run, and ``bench/results/latest.json``.

A :class:`Figure` holds one measured quantity for tailgate and the baseline, and
the target it is judged against; the ratio and the verdict are derived, never
stored. Published figures of other designs are constants, shown beside ours and
marked as not measured here.
"""

from __future__ import annotations

import json
import math
import os
import platform
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

Value = float | str | None

#: Published figures of other designs, keyed like :attr:`Figure.key`. Not measured here.
PEERS: dict[str, dict[str, str]] = {
    "latency.p99": {"Django+Channels+Celery": "500 ms"},
    "throughput.lines_per_s": {
        "Django+Channels+Celery": "~500 lines/s",
        "frontail": "~180k lines/s",
    },
    "memory.one_file.rss_per_tail": {"Django+Channels+Celery": "40 MB"},
}


@dataclass(frozen=True)
class Target:
    op: Literal["<=", ">=", "<", "=="]
    value: float | str

    def met_by(self, value: Value) -> bool | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if self.op == "==":
            return value == self.value
        if isinstance(value, str) or isinstance(self.value, str):
            return None
        if self.op == "<=":
            return value <= self.value
        if self.op == "<":
            return value < self.value
        return value >= self.value

    def __str__(self) -> str:
        return f"{self.op} {_number(self.value)}"


@dataclass
class Figure:
    """One row of the table."""

    key: str
    label: str
    unit: str
    ours: Value = None
    baseline: Value = None
    target: Target | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if isinstance(self.ours, float) and isinstance(self.baseline, float) and self.baseline:
            return self.ours / self.baseline
        return None

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        met = self.target.met_by(self.ours)
        return {True: "pass", False: "FAIL", None: "n/a"}[met]

    def as_json(self) -> dict[str, Any]:
        row = asdict(self)
        row["target"] = str(self.target) if self.target else None
        row["ratio"] = self.ratio
        row["verdict"] = self.verdict
        return row


@dataclass
class ScenarioResult:
    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: Why the scenario did not run (something it needs is missing), or "".
    skipped: str = ""


Outcome = dict[str, Any]


def outcome_figure(
    scenario: str, outcome: Outcome, key: str, label: str, unit: str, target: Target | None = None
) -> Figure:
    """The figure ``scenario.key`` of a scenario tailgate runs alone: no baseline."""
    value = outcome[key]
    ours = value if isinstance(value, str) else float(value)
    return Figure(f"{scenario}.{key}", label, unit, ours, None, target)


async def alone(
    result: ScenarioResult,
    server: str,
    measure: Callable[[], Awaitable[Outcome]],
    figures: Callable[[Outcome], list[Figure]],
) -> ScenarioResult:
    """``result`` with what ``measure`` found for ``server`` and its figures; a failure
    becomes the scenario's error."""
    try:
        outcome = await measure()
    except Exception as error:
        result.errors.append(f"{type(error).__name__}: {error}")
        return result
    result.details = {server: outcome}
    result.figures = figures(outcome)
    return result


def _number(value: Value) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "nan"
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.2f}M"
    if magnitude >= 1e4:
        return f"{value / 1e3:.0f}k"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def table(results: list[ScenarioResult]) -> str:
    """The human-readable summary: one row per figure, then the published peers."""
    head = ("scenario", "figure", "unit", "ours", "baseline", "ours/base", "target", "result")
    rows: list[tuple[str, ...]] = [head]
    for result in results:
        for fig in result.figures:
            ratio = f"{fig.ratio:.2f}x" if fig.ratio is not None else "-"
            rows.append(
                (
                    result.name,
                    fig.label,
                    fig.unit,
                    _number(fig.ours),
                    _number(fig.baseline),
                    ratio,
                    str(fig.target) if fig.target else "",
                    fig.verdict,
                )
            )
        rows += [
            (result.name, f"error: {error}"[:110], "", "", "", "", "", "")
            for error in result.errors
        ]
        if result.skipped:
            rows.append((result.name, f"skipped: {result.skipped}"[:110], "", "", "", "", "", ""))
    out = _columns(rows)
    peers: list[tuple[str, ...]] = [("figure", "ours", "peer", "published")]
    by_key = {fig.key: fig for result in results for fig in result.figures}
    for key, published in PEERS.items():
        mine = by_key.get(key)
        if mine is None:
            continue
        for peer, value in published.items():
            peers.append((mine.label, f"{_number(mine.ours)} {mine.unit}", peer, value))
    if len(peers) > 1:
        out += "\n\nPublished figures of other designs (not measured here):\n" + _columns(peers)
    return out


def _columns(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def machine() -> dict[str, Any]:
    model = ""
    try:
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                model = row.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def load_average() -> float:
    """The 1-minute load average: above ~0.5 before a run, something else is competing."""
    return os.getloadavg()[0]


def write_json(
    path: Path, results: list[ScenarioResult], options: dict[str, Any], load: dict[str, float]
) -> None:
    document = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_1m": load,
        "options": options,
        "peers_published": PEERS,
        "scenarios": [
            {
                "name": result.name,
                "title": result.title,
                "seconds": round(result.seconds, 1),
                "figures": [fig.as_json() for fig in result.figures],
                "errors": result.errors,
                "skipped": result.skipped or None,
                "details": result.details,
            }
            for result in results
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_plain(document), indent=2, allow_nan=False) + "\n")


def _plain(value: object) -> object:
    """JSON without NaN (which is not JSON) and with anything unusual as text."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)
