"""Counting the lines of a log that match named patterns, for metrics from logs.

A catalog entry may ask for counters (``count:``, docs/metrics.md). The log is then
read all the time by a viewer that is not a person: its view (``views.View``) holds
a ``LineCounter``, so each batch is counted once as it is read, in the same fan-out
as everybody else's frames (one upstream, shared with the viewers there are), and
nothing is framed or written for it. Each pattern runs over the batch joined once
(RE2, linear time). Pure: what to do with the counts is the caller's (``counted``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .line_filter import joined, lines_holding

#: Told the lines of each batch, and how many of them matched each pattern (by name).
Counted = Callable[[int, dict[str, int]], None]


class LineCounter:
    """Named patterns, and who hears the counts; compared by identity (one per log)."""

    __slots__ = ("_counted", "_patterns")

    def __init__(self, patterns: Sequence[tuple[str, Any]], counted: Counted) -> None:
        self._patterns = tuple(patterns)
        self._counted = counted

    def count(self, lines: list[str]) -> None:
        if not lines:
            return
        text = joined(lines) if self._patterns else b""
        self._counted(len(lines), {name: len(lines_holding(p, text)) for name, p in self._patterns})
