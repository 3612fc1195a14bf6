"""Which lines of a tail are sent: a filter at the source, and its place along the stream.

A tail may ask for only the lines that match (``filter=`` on the WebSocket,
docs/protocol.md): a literal or a regex (``streaming.patterns``: RE2, linear time),
case-insensitive unless asked, inverted, restricted to levels, with up to
``context`` lines around each match. ``LineFilter`` is what was asked (hashable:
viewers that asked the same share one filtered frame); ``FilterRun`` is its state
along one stream (the lines before the next match that may become its context, and
how many lines after the last match are still context), so a frame depends on what
came before it. Pure, no I/O.

Matching runs over a whole batch at once: the batch is joined and encoded once and
the engine searches it in C, jumping to the next line after each hit, so a rare
match costs one call, not one per line.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .levels import LEVELS, NAMES
from .patterns import PatternProblem, compile_pattern

#: The most lines of context a filter may ask for on each side of a match.
MAX_CONTEXT = 20

_FLAGS = {"1": True, "true": True, "0": False, "false": False, "": False}


class FilterProblem(ValueError):
    """A filter the server cannot apply; the text says why (for the user)."""

    #: True when the regex engine refused the pattern.
    refused = False


class BatchLines(Protocol):
    """A batch as a filter looks at it: its lines, their levels, who wrote them when.

    ``views.Batch`` (what sources hand out) is one, with more.
    """

    @property
    def lines(self) -> list[str]: ...

    @property
    def source(self) -> str | None: ...

    @property
    def stamps(self) -> list[str | None] | None: ...

    def levels(self) -> Sequence[str | None] | None:
        """Each line's level (worked out once per batch), or None when none has one."""
        ...


@dataclass(frozen=True, slots=True)
class LineFilter:
    """What a viewer asked to see of a log."""

    text: str | None = None
    regex: bool = False
    case: bool = False
    invert: bool = False
    context: int = 0
    levels: frozenset[str] | None = None
    pattern: Any = field(default=None, compare=False, hash=False, repr=False)

    def describe(self) -> dict[str, object]:
        """What the audit record and the hello say about the filter."""
        out: dict[str, object] = {}
        if self.text is not None:
            out.update(filter=self.text[:200], regex=self.regex, case=self.case)
            out.update(invert=self.invert)
        if self.context:
            out["context"] = self.context
        if self.levels is not None:
            out["levels"] = [level for level in LEVELS if level in self.levels]
        return out

    def matched(self, batch: BatchLines) -> list[int]:
        """The indices of the lines of ``batch`` this filter lets through, in order."""
        lines = batch.lines
        if self.pattern is not None:
            hits = lines_holding(self.pattern, joined(lines))
            if self.invert:
                hit = set(hits)
                picked = [i for i in range(len(lines)) if i not in hit]
            else:
                picked = hits
        else:
            picked = list(range(len(lines)))
        if self.levels is not None and picked:
            levels = batch.levels()
            wanted = self.levels
            picked = [i for i in picked if levels is not None and levels[i] in wanted]
        return picked


def joined(lines: list[str]) -> bytes:
    """A batch as the engine searches it: one UTF-8 text, a newline between lines."""
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def lines_holding(pattern: Any, text: bytes) -> list[int]:
    """Indices of the lines of ``text`` (``joined``) holding a match: one engine call
    per matching line."""
    search = pattern.search
    count = text.count
    find = text.find
    out: list[int] = []
    line = 0
    counted = 0
    at = 0
    while True:
        match = search(text, at)
        if match is None:
            return out
        start = match.start()
        line += count(b"\n", counted, start)
        out.append(line)
        end = find(b"\n", start)
        if end < 0:
            return out
        at = counted = end + 1
        line += 1


def parse_filter(query: Mapping[str, str]) -> LineFilter | None:
    """The filter a tail's query asks for (None: every line), or ``FilterProblem``."""
    text = query.get("filter") or None
    regex = _flag(query, "regex")
    case = _flag(query, "case")
    invert = _flag(query, "invert")
    context = _context(query.get("context"))
    raw_levels = query.get("levels")
    levels = parse_levels(raw_levels) if raw_levels is not None else None
    if text is None:
        if invert:
            raise FilterProblem("invert needs a filter")
        if levels is None:
            if context:
                raise FilterProblem("context needs a filter or levels")
            return None
        return LineFilter(context=context, levels=levels)
    try:
        pattern = compile_pattern(text, regex=regex, case=case, name="filter")
    except PatternProblem as exc:
        problem = FilterProblem(str(exc))
        problem.refused = exc.refused
        raise problem from None
    return LineFilter(text, regex, case, invert, context, levels, pattern)


def parse_levels(text: str) -> frozenset[str]:
    """``error,warn`` as a set of levels; ``FilterProblem`` naming an unknown one."""
    levels = set()
    for item in text.split(","):
        name = item.strip().lower()
        if not name:
            continue
        name = NAMES.get(name, name)
        if name not in LEVELS:
            raise FilterProblem(f"unknown level {item.strip()[:40]!r}; use {', '.join(LEVELS)}")
        levels.add(name)
    if not levels:
        raise FilterProblem("levels needs at least one level")
    return frozenset(levels)


def _flag(query: Mapping[str, str], name: str) -> bool:
    raw = query.get(name)
    if raw is None:
        return False
    value = _FLAGS.get(raw.lower())
    if value is None:
        raise FilterProblem(f"{name} takes 1 or 0, not {raw[:40]!r}")
    return value


def _context(raw: str | None) -> int:
    if raw is None or raw == "":
        return 0
    if not raw.isascii() or not raw.isdigit() or len(raw) > 3:
        raise FilterProblem(f"context must be a whole number, not {raw[:40]!r}")
    value = int(raw)
    if value > MAX_CONTEXT:
        raise FilterProblem(f"context is at most {MAX_CONTEXT} lines")
    return value


@dataclass(frozen=True, slots=True)
class Carried:
    """A line of an earlier batch held as possible context for the next match."""

    line: str
    stamp: str | None
    source: str | None


@dataclass(slots=True)
class Picked:
    """What one batch sends under a filter."""

    #: Indices into the batch, in order: the matching lines and their context.
    indices: list[int]
    #: The positions in ``indices`` that are context, not matches.
    context: list[int]
    #: Lines of earlier batches sent first, as context of the first match.
    carried: list[Carried]
    #: Lines that will never be sent (no match and out of every match's context).
    skipped: int

    def __bool__(self) -> bool:
        return bool(self.indices or self.carried)


class FilterRun:
    """One filter's state along one stream of lines."""

    __slots__ = ("after", "filter", "recent")

    def __init__(self, line_filter: LineFilter) -> None:
        self.filter = line_filter
        #: Lines not sent since the last one sent, newest last: the next match's context.
        self.recent: deque[Carried] = deque(maxlen=line_filter.context)
        #: Lines still to send as context after the last match.
        self.after = 0

    def copy(self) -> FilterRun:
        run = FilterRun(self.filter)
        run.recent.extend(self.recent)
        run.after = self.after
        return run

    def saved(self) -> FilterRun:
        """This state as it is now, kept for a viewer that may have to read the next
        batch again: a copy when there is state to keep (context), else this run."""
        return self.copy() if self.filter.context else self

    def pick(self, batch: BatchLines) -> Picked:
        """The lines of ``batch`` to send, given what came before; moves the state on.

        Every line is sent, held in ``recent`` (it may yet be a match's context) or
        counted as skipped once it can no longer be sent, exactly once.
        """
        lines = batch.lines
        total = len(lines)
        matched = self.filter.matched(batch)
        width = self.filter.context
        if not width:
            return Picked(matched, [], [], total - len(matched))
        indices: list[int] = []
        context: list[int] = []
        carried: list[Carried] = []
        held = len(self.recent)
        after = self.after
        pos = 0
        for m in matched:
            take = min(after, m - pos)
            context.extend(range(len(indices), len(indices) + take))
            indices.extend(range(pos, pos + take))
            pos += take
            start = max(pos, m - width)
            if not indices and m < width and self.recent:
                # The lines just before this batch, not sent yet, lead up to the match.
                carried = list(self.recent)[-(width - m) :]
            context.extend(range(len(indices), len(indices) + m - start))
            indices.extend(range(start, m))
            indices.append(m)
            pos = m + 1
            after = width
        take = min(after, total - pos)
        context.extend(range(len(indices), len(indices) + take))
        indices.extend(range(pos, pos + take))
        pos += take
        self.after = after - take
        if indices:
            self.recent.clear()
        stamps = batch.stamps
        source = batch.source
        for i in range(max(pos, total - width), total):
            self.recent.append(Carried(lines[i], stamps[i] if stamps else None, source))
        skipped = held + total - len(indices) - len(carried) - len(self.recent)
        return Picked(indices, context, carried, skipped)
