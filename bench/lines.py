"""The one line format every scenario writes, so any viewer can check any line.

A line is exactly :data:`LINE_BYTES` long with its newline: a zero-padded
sequence number, the ``time.monotonic_ns()`` of the write (zero where latency is
not measured) and filler that looks like an access log. Fixed widths let readers
slice instead of split, which keeps the viewers cheap at a million lines a second.
CLOCK_MONOTONIC is system-wide on Linux, so a stamp taken by the writer can be
compared with one taken by a viewer in another process.
"""

from __future__ import annotations

LINE_BYTES = 100
_SEQ = slice(0, 12)
_STAMP = slice(13, 32)
# 12 digits, a space, 19 digits, a space, the filler and the newline.
_FILLER = b"INFO http GET /api/v1/items?page=2 status=200 bytes=5120 ms=3 ua=c"


def line(seq: int, stamp_ns: int = 0) -> bytes:
    """One line, newline included."""
    return b"%012d %019d %s\n" % (seq, stamp_ns, _FILLER)


def block(first: int, count: int) -> bytes:
    """``count`` consecutive lines without stamps, for bulk writes."""
    return b"".join(
        [b"%012d 0000000000000000000 %s\n" % (s, _FILLER) for s in range(first, first + count)]
    )


#: The filler of a marked line: as long as the others, with another level.
_MARKED = _FILLER.replace(b"INFO", b"WARN")


def marked_block(first: int, count: int, every: int, stamp_ns: int = 0) -> bytes:
    """Like ``block``, stamped, with ``WARN`` for ``INFO`` in every ``every``-th line."""
    return b"".join(
        [
            b"%012d %019d %s\n" % (s, stamp_ns, _MARKED if s % every == 0 else _FILLER)
            for s in range(first, first + count)
        ]
    )


def seq_of(text: str) -> int:
    """The sequence number of a received line (sent without its newline)."""
    return int(text[_SEQ])


def stamp_of(text: str) -> int:
    """The write time of a received line, in ``monotonic_ns`` nanoseconds."""
    return int(text[_STAMP])
