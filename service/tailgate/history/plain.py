"""Reading a plain log file backwards, one block of whole lines at a time.

The newest lines are at the end, so a search starts there: each step reads back from
where the last one stopped, a block of whole lines at a time, and steps grow (64 KiB
doubling up to 16 MiB) while matches are fewer than wanted. The newest match in the
last megabyte costs a few small reads, whatever the size of the file; a full scan
costs one read into the same 1 MiB buffer and one pass of the engine per block.

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

#: Bytes read back in the first step; each step reads twice as many, up to MAX_SPAN.
FIRST_SPAN = 64 * 1024
MAX_SPAN = 16 * 1024 * 1024
#: One read: small enough to stay in the processor's cache while the engine runs.
BLOCK = 1024 * 1024


def block_buffer() -> bytearray:
    """The buffer a walk's reads go to, one read at a time (no allocation per read)."""
    return bytearray(BLOCK)


@dataclass(frozen=True, slots=True)
class Step:
    """What one step gave: the lines found (newest first) and where reading stands now."""

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
    handle: FileHandle,
    end: int,
    span: int,
    pattern: Any,
    need: int,
    source: str | None,
    buf: bytearray,
    first: int = 0,
) -> Step:
    """Search back from ``end`` over about ``span`` bytes, a block at a time, for ``need``,
    never before ``first`` (the start of a line: where ``since`` begins)."""
    found: list[Found] = []
    floor = max(first, end - span)
    while end > floor and len(found) < need:
        start, lo, n = _read_block(handle.fd, end, buf, first)
        if n < 0:
            # Truncated since it was sized: nothing more is read from this file.
            return Step(found, 0)
        earlier = b""
        if start + lo > 0:
            at = start + lo
            earlier = os.pread(handle.fd, min(CHECK_BYTES, at), at - min(CHECK_BYTES, at))
        hits = hits_in_block(pattern, buf, start, need - len(found), lo, n)
        dev, ino = handle.dev, handle.ino
        for hit in hits:
            found.append(
                Found(
                    hit.raw,
                    _place(dev, ino, hit.end, buf, start, lo, earlier),
                    _place(dev, ino, hit.start, buf, start, lo, earlier),
                    source,
                )
            )
        end = found[-1].at.offset if len(found) >= need else start + lo
    return Step(found, end)


def _read_block(fd: int, end: int, buf: bytearray, first: int) -> tuple[int, int, int]:
    """Read the block of whole lines ending at ``end`` (from ``first`` on) into ``buf``:
    (file offset of ``buf[0]``, where its first whole line starts in it, its length);
    -1 if short."""
    start = max(first, end - len(buf))
    want = end - start
    view = memoryview(buf)[:want]
    try:
        n = os.preadv(fd, [view], start)
    finally:
        view.release()
    if n < want:
        return start, 0, -1
    lo = 0
    if start > first:
        newline = buf.find(b"\n", 0, want)
        # A line longer than the block is searched in pieces.
        lo = newline + 1 if 0 <= newline < want - 1 else 0
    return start, lo, want


def _place(
    dev: int, ino: int, offset: int, buf: bytearray, start: int, lo: int, earlier: bytes
) -> Place:
    """``offset`` as a position; bytes before the block's first line come from ``earlier``."""
    rel = offset - start
    if rel - lo >= CHECK_BYTES:
        return Place.at(dev, ino, offset, bytes(buf[rel - CHECK_BYTES : rel]), compressed=False)
    return place_in(dev, ino, offset, bytes(buf[lo:rel]), offset - (rel - lo), earlier,
                    compressed=False)  # fmt: skip
