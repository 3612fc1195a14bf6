"""Walking a log's history back from a position, file by file, within a budget.

One walk serves one request: it yields the lines found, newest first, in batches
as it reads (so a streamed answer shows progress), and ends with where a next
request would continue (``more``) or None when the oldest file was read to its
start. The request's budget (bytes read or inflated, and a deadline) ends it early,
with ``more`` set, but never before one step was taken, so every request moves on.
Reading is done in worker threads, one block at a time; between blocks the walk
looks at the budget and whoever consumes it may simply stop iterating.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..files.handle import FileHandle
from .by_time import first_at_or_after
from .compressed import scan_compressed
from .found import Found
from .log_files import Listed, LogFiles
from .places import Place
from .plain import FIRST_SPAN, MAX_SPAN, block_buffer, start_end, step_back
from .timestamps import detect

T = TypeVar("T")


async def in_thread(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn`` in a worker thread; if the caller is cancelled, it still waits for the
    thread, so the file it reads stays open until the read is done."""
    task = asyncio.ensure_future(asyncio.to_thread(fn, *args, **kwargs))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        if not task.cancelled():
            task.exception()  # retrieved: nobody is left to hear of it
        raise


@dataclass
class Budget:
    """How much one request may read, and until when (``time.monotonic``)."""

    max_bytes: int
    deadline: float
    scanned: int = 0

    @classmethod
    def of(cls, max_bytes: int, seconds: float) -> Budget:
        return cls(max_bytes, time.monotonic() + seconds)

    def spent(self) -> bool:
        return self.scanned >= self.max_bytes or time.monotonic() >= self.deadline


@dataclass
class Walk:
    """The lines before ``before`` (or the log's end) that ``pattern`` matches (None: all)."""

    files: LogFiles
    before: Place | None
    pattern: Any
    limit: int
    budget: Budget
    #: Only lines stamped at or after this time (ns since the epoch), when set.
    since: int | None = None
    #: Where a next request continues; set when the walk ends.
    more: Place | None = None
    #: Compressed copies given up because they could not be inflated within a budget.
    skipped: list[str] = field(default_factory=list)

    async def batches(self) -> AsyncGenerator[list[Found], None]:
        files = self.files.listed
        index = 0 if self.before is None else self.files.index_of(self.before)
        #: The first file read must carry timestamps for ``since`` to mean anything.
        first_read = index
        before = self.before
        need = self.limit
        span = FIRST_SPAN
        buf = block_buffer()
        while index < len(files):
            listed = files[index]
            handle = self.files.open(listed)
            if handle is None:
                index, before = index + 1, None
                continue
            try:
                source = None if listed.current else listed.name
                if listed.compressed:
                    found, stop = await self._compressed(handle, listed, before, need, source)
                    if stop is not None or found:
                        yield found
                    need -= len(found)
                    if stop is not None:
                        self.more = stop
                        return
                else:
                    end = await in_thread(start_end, handle, current=listed.current, before=before)
                    first = 0
                    if self.since is not None:
                        first = await in_thread(
                            first_at_or_after,
                            handle.fd,
                            end,
                            self.since,
                            required=index == first_read,
                        )
                    while end > first:
                        if self.budget.scanned > 0 and self.budget.spent():
                            self.more = Place.at(
                                handle.dev, handle.ino, end, handle.bytes_before(end),
                                compressed=False,
                            )  # fmt: skip
                            return
                        step = await in_thread(
                            step_back, handle, end, span, self.pattern, need, source, buf, first
                        )
                        self.budget.scanned += end - step.end
                        end = step.end
                        span = min(span * 2, MAX_SPAN)
                        need -= len(step.found)
                        yield step.found
                        if need <= 0:
                            self.more = step.found[-1].at
                            return
                    if first > 0:
                        # ``since`` begins in this file: nothing older is wanted.
                        self.more = None
                        return
            finally:
                handle.release()
            if need <= 0:
                return
            # This file is done: a next request goes on with the one before it.
            self.more = Place(listed.dev, listed.ino, 0, 0, listed.compressed)
            index, before = index + 1, None
            if index < len(files) and self.budget.spent():
                return
        self.more = None

    async def _compressed(
        self,
        handle: FileHandle,
        listed: Listed,
        before: Place | None,
        need: int,
        source: str | None,
    ) -> tuple[list[Found], Place | None]:
        """Lines of one compressed copy, and where to stop (None: go on to the next file)."""
        budget = self.budget
        first = budget.scanned == 0
        scan = await in_thread(
            scan_compressed,
            handle,
            before=before,
            pattern=self.pattern,
            need=need,
            budget=max(1, budget.max_bytes - budget.scanned),
            deadline=budget.deadline,
            source=source,
        )
        budget.scanned += scan.inflated
        if self.since is not None and scan.complete:
            since = self.since
            # The copy's format, from its oldest lines found (``found`` is newest first).
            clock = detect((f.raw for f in reversed(scan.found)), handle.mtime_ns())
            times = [None if clock is None else clock.time_at(f.raw) for f in scan.found]
            kept = [f for f, t in zip(scan.found, times, strict=True) if t is None or t >= since]
            if len(kept) < len(scan.found):
                # Lines older than ``since`` were reached: nothing older is wanted.
                return kept, Place(listed.dev, listed.ino, 0, 0, True)
        if not scan.complete:
            if not first:
                # Begin this copy afresh, with a whole budget, in the next request.
                index = self.files.listed.index(listed)
                if before is not None:
                    return [], before
                newer = self.files.listed[index - 1]
                return [], Place(newer.dev, newer.ino, 0, 0, newer.compressed)
            self.skipped.append(listed.name)
            return [], Place(listed.dev, listed.ino, 0, 0, True)
        if len(scan.found) >= need:
            return scan.found, scan.found[-1].at
        return scan.found, None
