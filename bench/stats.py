"""Summaries of samples: percentiles by nearest rank, so a reported p99 is a real sample."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted samples (``fraction`` in 0..1)."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(fraction * len(ordered)))
    return float(ordered[min(rank, len(ordered)) - 1])


def median(samples: Sequence[float]) -> float:
    return percentile(sorted(samples), 0.5)


def spread(samples: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max of unsorted samples, plus their count."""
    ordered = sorted(samples)
    return {
        "count": float(len(ordered)),
        "p50": percentile(ordered, 0.50),
        "p99": percentile(ordered, 0.99),
        "max": float(ordered[-1]) if ordered else math.nan,
    }
