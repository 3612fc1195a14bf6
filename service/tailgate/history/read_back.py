"""Reading back: the lines just before a position, oldest first, across rotations.

The page asks for older lines as its user scrolls above the first one, and "show in
context" asks for the lines before a match. This is the same walk as a search with
every line matching (for a pod log, the same read of the API server as its search);
the answer is turned around, and its ``cursor`` is the position of its first line,
which the next page sends back as ``before``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..streaming.long_lines import cut_long_line
from .found import Found
from .log_files import LogFiles
from .places import Place
from .pod_history import PodFound, PodWalk
from .walk import Budget, Walk


@dataclass(frozen=True, slots=True)
class Page:
    lines: list[str]
    cursor: str | None
    scanned_bytes: int


async def read_back(
    files: LogFiles,
    before: Place,
    *,
    limit: int,
    budget: Budget,
    max_line: int,
    since: int | None = None,
) -> Page:
    """At most ``limit`` lines before ``before`` (and from ``since`` on): fewer at the
    start of the oldest file, at ``since``, or when the budget ran out first."""
    return await page_of(Walk(files, before, None, limit, budget, since), max_line)


async def page_of(walk: Walk | PodWalk, max_line: int) -> Page:
    """The lines a walk that takes every line finds, turned around into a page."""
    found: list[Found | PodFound] = []
    async for batch in walk.batches():
        found.extend(batch)
    found.reverse()
    lines: list[str] = []
    for item in found:
        text = item.raw.decode("utf-8", "replace")
        if text.endswith("\r"):
            text = text[:-1]
        lines.extend(cut_long_line(text, max_line))
    cursor = found[0].at.encode() if found else None
    return Page(lines, cursor, walk.budget.scanned)
