"""A batch of lines as one viewer's frame: whole, or what its filter lets through.

Viewers that asked for the same (``View``: a filter or none, levels or not) get the
same frame, so a shared source builds it once per view, not once per viewer
(``fanout.LiveSet``); a viewer catching up on its own builds its frames here too,
with its own ``FilterRun``. Sources hand over their batches as anything with the
``Batch`` shape: files a ``TextBatch``, pod logs their ring's batches. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import orjson

from .frames import lines_payload, ws_text_frame
from .levels import levels_of
from .line_counter import LineCounter
from .line_filter import BatchLines, Carried, FilterRun, LineFilter, Picked


class Batch(BatchLines, Protocol):
    """Lines read once from a source, to be framed for every view that wants them."""

    @property
    def cursor(self) -> str: ...

    def payload(self, *, with_levels: bool = False) -> bytes:
        """The whole batch as a ``lines`` frame, built at most once per form."""
        ...


@dataclass(frozen=True, slots=True)
class View:
    """What a viewer asked to be sent: its frames are shared with everyone asking the same."""

    filter: LineFilter | None = None
    #: Each line's level beside it (``annotate=levels``).
    levels: bool = False
    #: Lines of several sources in one frame, each source beside its line
    #: (``annotate=sources``: a ``pods`` log's fan-out of many pods).
    sources: bool = False
    #: Not a person: lines are counted (``counting``), and nothing is framed.
    counter: LineCounter | None = None

    def run(self) -> FilterRun | None:
        """A fresh state of this view's filter along a stream (None without a filter)."""
        return FilterRun(self.filter) if self.filter is not None else None


EVERYTHING = View()


class TextBatch:
    """A batch of a file's lines: one source, no timestamps; frames built once per form."""

    __slots__ = ("_levels", "_payloads", "cursor", "lines")

    source = None
    stamps = None

    def __init__(self, lines: list[str], cursor: str) -> None:
        self.lines = lines
        self.cursor = cursor
        self._levels: Sequence[str | None] | bool | None = False
        self._payloads: dict[bool, bytes] = {}

    def levels(self) -> Sequence[str | None] | None:
        if self._levels is False:
            self._levels = levels_of(self.lines)
        return self._levels  # type: ignore[return-value]

    def payload(self, *, with_levels: bool = False) -> bytes:
        payload = self._payloads.get(with_levels)
        if payload is None:
            levels = self.levels() if with_levels else None
            payload = lines_payload(self.lines, self.cursor, levels=levels)
            self._payloads[with_levels] = payload
        return payload


@dataclass(frozen=True, slots=True)
class Rendered:
    """One batch for one view: the frame bytes (None: nothing to send) and the counts."""

    frame: bytes | None
    lines: int
    size: int
    skipped: int


def render(batch: Batch, view: View, run: FilterRun | None) -> Rendered:
    """``batch`` for ``view``, moving ``run`` (the view's filter state) on.

    The result is whole WebSocket frames: context carried from earlier batches of
    another source goes in frames of its own, written together with the batch's.
    """
    if view.counter is not None:
        view.counter.count(batch.lines)
        return Rendered(None, 0, 0, 0)
    if view.filter is None:
        payload = batch.payload(with_levels=view.levels)
        return Rendered(ws_text_frame(payload), len(batch.lines), len(payload), 0)
    if run is None:
        # Never the whole batch for a filtered view, whatever became of its state.
        run = FilterRun(view.filter)
    picked = run.pick(batch)
    if not picked:
        return Rendered(None, 0, 0, picked.skipped)
    payloads = picked_payloads(batch, picked, with_levels=view.levels)
    frame = b"".join(ws_text_frame(p) for p in payloads)
    lines = len(picked.indices) + len(picked.carried)
    return Rendered(frame, lines, sum(map(len, payloads)), picked.skipped)


def render_all(batches: Sequence[Batch], view: View, run: FilterRun | None) -> Rendered:
    """Consecutive ``batches`` for ``view``, as ``render`` frames each in turn, joined.

    A shared source hands out what it read since its last fan-out together: each
    viewer then takes every frame in one write (one call, one system call), where a
    write per frame made the writes most of the relay's work when many sources each
    had a line or two (a ``pods`` log of 1,000 pods). A view that asked for
    ``sources`` (and has no filter) gets them as one frame (``merged_payload``)."""
    if len(batches) == 1:
        return render(batches[0], view, run)
    if view.sources and view.filter is None and view.counter is None:
        payload = merged_payload(batches, with_levels=view.levels)
        lines = sum(len(batch.lines) for batch in batches)
        return Rendered(ws_text_frame(payload), lines, len(payload), 0)
    frames: list[bytes] = []
    lines = size = skipped = 0
    for batch in batches:
        rendered = render(batch, view, run)
        if rendered.frame is not None:
            frames.append(rendered.frame)
        lines += rendered.lines
        size += rendered.size
        skipped += rendered.skipped
    return Rendered(b"".join(frames) if frames else None, lines, size, skipped)


def merged_payload(batches: Sequence[Batch], *, with_levels: bool) -> bytes:
    """One ``lines`` frame of consecutive batches: each line's source beside it (just
    ``source`` when they share one), and the last batch's cursor, which is where the
    frame ends (a client has all of it or none)."""
    lines: list[str] = []
    sources: list[str | None] = []
    stamps: list[str | None] = []
    levels: list[str | None] = []
    for batch in batches:
        count = len(batch.lines)
        lines.extend(batch.lines)
        sources.extend([batch.source] * count)
        stamps.extend(batch.stamps if batch.stamps is not None else [None] * count)
        if with_levels:
            found = batch.levels()
            levels.extend(found if found is not None else [None] * count)
    one = sources[0] if sources and all(s == sources[0] for s in sources) else None
    return lines_payload(
        lines,
        batches[-1].cursor,
        source=one,
        timestamps=stamps if any(stamps) else None,
        levels=levels if any(levels) else None,
        sources=sources if one is None and any(s is not None for s in sources) else None,
    )


def picked_payloads(batch: Batch, picked: Picked, *, with_levels: bool) -> list[bytes]:
    """The ``lines`` frames of what ``picked`` takes, context marked (docs/protocol.md)."""
    out: list[bytes] = []
    carried = picked.carried
    # Carried lines of the batch's own source lead its frame; others go before it.
    own = 0
    while own < len(carried) and carried[-1 - own].source == batch.source:
        own += 1
    for run in _runs(carried[: len(carried) - own]):
        out.append(_carried_payload(run, with_levels=with_levels))
    lead = carried[len(carried) - own :]
    indices = picked.indices
    lines = [c.line for c in lead]
    lines.extend(batch.lines[i] for i in indices)
    stamps = None
    if batch.stamps is not None:
        stamps = [c.stamp for c in lead]
        stamps.extend(batch.stamps[i] for i in indices)
        if not any(stamps):
            stamps = None
    levels = None
    if with_levels:
        levels = _levels_of_lead(lead)
        all_levels = batch.levels()
        levels.extend(all_levels[i] if all_levels is not None else None for i in indices)
        if not any(levels):
            levels = None
    context = list(range(len(lead)))
    context.extend(len(lead) + at for at in picked.context)
    out.append(
        lines_payload(
            lines,
            batch.cursor,
            source=batch.source,
            timestamps=stamps,
            levels=levels,
            context=context or None,
        )
    )
    return out


def _levels_of_lead(lead: list[Carried]) -> list[str | None]:
    if not lead:
        return []
    found = levels_of([c.line for c in lead])
    return list(found) if found is not None else [None] * len(lead)


def _runs(carried: list[Carried]) -> list[list[Carried]]:
    """Consecutive carried lines of one source each."""
    out: list[list[Carried]] = []
    for item in carried:
        if out and out[-1][0].source == item.source:
            out[-1].append(item)
        else:
            out.append([item])
    return out


def _carried_payload(run: list[Carried], *, with_levels: bool) -> bytes:
    """Context lines of another source: a ``lines`` frame without a cursor of its own."""
    lines = [c.line for c in run]
    frame: dict[str, object] = {"type": "lines", "lines": lines, "context": list(range(len(run)))}
    if run[0].source is not None:
        frame["source"] = run[0].source
    stamps = [c.stamp for c in run]
    if any(stamps):
        frame["timestamps"] = stamps
    if with_levels:
        levels = levels_of(lines)
        if levels is not None:
            frame["levels"] = list(levels)
    return orjson.dumps(frame)


def skipped_payload(lines: int, cursor: str) -> bytes:
    """How many lines a filter left out since the last such frame, and where that is."""
    return orjson.dumps({"type": "skipped", "lines": lines, "cursor": cursor})
