"""Reading a plain log file backwards, one block of whole lines at a time.

The newest lines are at the end, so a search starts there: each step reads the block
of whole lines that ends where the last one began, and blocks grow (64 KiB doubling
up to 4 MiB) while matches are fewer than wanted. The newest match in the last
megabyte costs a few small reads, whatever the size of the file; a full scan costs
one ``pread`` and one pass of the engine per 4 MiB.

Steps run in a worker thread (a network filesystem may block); they only ``pread``
the shared descriptor, whose own offset they leave alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..files.backlog import line_boundary_at_or_before
from ..files.cursor import CHECK_BYTES, checksum
from ..files.handle import FileHandle
from .errors import BadPosition
from .found import Found, place_in
from .matching import hits_in_block
from .places import Place

FIRST_BLOCK = 64 * 1024
MAX_BLOCK = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Step:
    """What one block gave: the lines found (newest first) and where reading stands now."""

    found: list[Found]
    end: int


def start_end(handle: FileHandle, *, current: bool, before: Place | None) -> int:
    """Where reading back starts in this file: the position asked for, or its end.

    The current file ends at its last newline (its writer may be mid-line); a
    rotated copy ends where it ends. A position must lie in the file and follow the
    same bytes as when it was handed out.
    """
    size = handle.size()
    if before is not None:
        if before.offset > size or checksum(handle.bytes_before(before.offset)) != before.check:
            raise BadPosition(
                "the file this position points into was rewritten; search again without it"
            )
        return before.offset
    if current:
        return line_boundary_at_or_before(handle.fd, size)
    return size


def step_back(
    handle: FileHandle, end: int, block: int, pattern: Any, need: int, source: str | None
) -> Step:
    """Search the block of whole lines that ends at ``end`` (at most ``block`` bytes)."""
    start = max(0, end - block)
    data = os.pread(handle.fd, end - start, start)
    if len(data) < end - start:
        # Truncated since it was sized: nothing more is read from this file.
        return Step([], 0)
    if start > 0:
        newline = data.find(b"\n")
        if newline >= 0:
            data = data[newline + 1 :]
            start += newline + 1
    earlier = b""
    if start > 0:
        earlier = os.pread(handle.fd, min(CHECK_BYTES, start), start - min(CHECK_BYTES, start))
    hits = hits_in_block(pattern, data, start, need)
    dev, ino = handle.dev, handle.ino
    found = [
        Found(
            hit.raw,
            place_in(dev, ino, hit.end, data, start, earlier, compressed=False),
            place_in(dev, ino, hit.start, data, start, earlier, compressed=False),
            source,
        )
        for hit in hits
    ]
    return Step(found, hits[-1].start if len(hits) >= need else start)
