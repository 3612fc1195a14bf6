"""Which lines of a block of bytes hold a match, newest first: pure, no I/O.

A block is a run of whole lines read from a file. The engine runs over the block's
bytes in C and only the matches come back to Python, so a rare match costs one call
per window; a window is searched at a time from the block's end, so when matches are
dense only the newest windows are searched before enough are found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..streaming.long_lines import SPLIT_MARKER

#: The engine is run over windows of the block from its end, first this many bytes,
#: growing fourfold up to ``MAX_WINDOW`` while matches are too few.
FIRST_WINDOW = 16 * 1024
MAX_WINDOW = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Hit:
    """A line that holds a match: where it starts, where the next line starts, its bytes."""

    start: int
    end: int
    raw: bytes


def hits_in_block(
    pattern: Any,
    block: bytes | bytearray,
    base: int,
    need: int,
    lo: int = 0,
    hi: int | None = None,
) -> list[Hit]:
    """The last ``need`` lines of ``block[lo:hi]`` that hold a match, newest first.

    ``block`` starts at file offset ``base``; ``lo`` is the start of a line and ``hi``
    the end of one (after its newline, or the end of a file that lacks the last one).
    ``pattern`` None takes every line (reading back).
    """
    out: list[Hit] = []
    floor = lo
    hi = len(block) if hi is None else hi
    window = FIRST_WINDOW
    while hi > floor and len(out) < need:
        lo = max(floor, hi - window)
        if lo > floor:
            lo = block.rfind(b"\n", floor, lo) + 1 or floor
        if pattern is None:
            found = _every_line(block, lo, hi, base)
        else:
            found = _forward(pattern, block, lo, hi, base)
        out.extend(reversed(found[-(need - len(out)) :]))
        hi = lo
        window = min(window * 4, MAX_WINDOW)
    return out


def _every_line(block: bytes | bytearray, lo: int, hi: int, base: int) -> list[Hit]:
    raws = bytes(block[lo:hi]).split(b"\n")
    if block[hi - 1 : hi] == b"\n":
        raws.pop()
    hits = []
    at = base + lo
    for raw in raws:
        end = min(at + len(raw) + 1, base + hi)
        hits.append(Hit(at, end, raw))
        at = end
    return hits


def _forward(pattern: Any, block: bytes | bytearray, lo: int, hi: int, base: int) -> list[Hit]:
    """Every line in ``block[lo:hi]`` that holds a match, oldest first."""
    hits: list[Hit] = []
    next_line = lo
    for match in pattern.finditer(block, lo, hi):
        at = match.start()
        if at < next_line:
            continue
        if at >= hi:
            # An empty match after the last newline: the next line, not this block's.
            break
        start = block.rfind(b"\n", lo, at) + 1 if at > lo else lo
        start = max(start, lo)
        newline = block.find(b"\n", at, hi)
        stop = hi if newline < 0 else newline
        end = hi if newline < 0 else newline + 1
        hits.append(Hit(base + start, base + end, bytes(block[start:stop])))
        next_line = end
    return hits


def line_text(raw: bytes, max_line: int) -> str:
    """A line as sent: UTF-8 (invalid bytes replaced), no CR, cut at ``max_line``."""
    text = raw.decode("utf-8", "replace")
    if text.endswith("\r"):
        text = text[:-1]
    if len(text) > max_line:
        return text[:max_line] + SPLIT_MARKER
    return text
