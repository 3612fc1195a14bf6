"""Turning what each server measured into rows of the table."""

from __future__ import annotations

from typing import Any, NamedTuple

from bench.context import Context
from bench.fleet import FleetReport
from bench.report import Figure, Target, Value
from bench.stats import spread

Outcome = dict[str, Any]
SETTLE_SECONDS = 0.2
"""Pause between the tails opening and the first write, the same for both servers."""

YES = Target("==", "yes")


class Row(NamedTuple):
    """How one figure is read out of each server's outcome."""

    key: str
    label: str
    unit: str
    field: str
    target: Target | None = None
    #: For a figure that means nothing for the baseline.
    ours_only: bool = False


def _pick(outcome: Outcome | None, field: str) -> Value:
    if outcome is None:
        return None
    value = outcome.get(field)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return float(value)
    return value


def figures(
    ctx: Context,
    outcomes: dict[str, Outcome | None],
    rows: list[Row],
    *,
    key: str,
    label: str = "",
) -> list[Figure]:
    """The rows, keyed ``key.row_key`` and labelled ``label row_label``."""
    baseline = ctx.baseline.name if ctx.baseline else None
    return [
        Figure(
            key=f"{key}.{row.key}",
            label=f"{label} {row.label}".strip(),
            unit=row.unit,
            ours=_pick(outcomes.get(ctx.ours.name), row.field),
            baseline=None
            if row.ours_only or baseline is None
            else _pick(outcomes.get(baseline), row.field),
            target=row.target,
        )
        for row in rows
    ]


def ms(nanoseconds: float) -> float:
    return nanoseconds / 1e6


def fanout_outcome(
    report: FleetReport,
    *,
    viewers: int,
    connected: int,
    active: Any,
    server_cores: float,
    finished: bool,
    writer_most_late_ns: float,
) -> Outcome:
    """What every fan-out run reports, whatever the source the viewers tail."""
    latency = spread([ms(sample) for sample in report.latencies_ns])
    return {
        "all_delivered": report.complete == viewers,
        "viewers_complete": report.complete,
        "viewers_connected": connected,
        "active_tails_metric": active,
        "p50_ms": latency["p50"],
        "p99_ms": latency["p99"],
        "max_ms": latency["max"],
        "frames": len(report.latencies_ns),
        "server_cores": server_cores,
        "finished_in_time": finished,
        "writer_most_late_ms": ms(writer_most_late_ns),
        "client_cores": report.client_cpu_seconds / report.client_wall_seconds
        if report.client_wall_seconds
        else None,
        "problems": report.problems(),
    }
