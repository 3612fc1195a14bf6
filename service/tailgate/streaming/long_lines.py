"""Over-long lines cut into pieces, the same way for every source: pure.

A line longer than ``max_line`` characters reaches viewers as pieces of at most that
many, so one runaway line cannot make a frame, a ring or a viewer's queue unbounded.
Every piece but the last ends with ``SPLIT_MARKER``, which viewers see as it is
(docs/protocol.md): file and pod logs must mark a cut alike.
"""

from __future__ import annotations

#: Appended to every piece of an over-long line except its last piece.
SPLIT_MARKER = "\u2026(split)"


def cut_long_line(text: str, max_line: int) -> list[str]:
    """``text`` as pieces of at most ``max_line`` characters, each but the last marked."""
    if len(text) <= max_line:
        return [text]
    pieces = [text[i : i + max_line] for i in range(0, len(text), max_line)]
    return [piece + SPLIT_MARKER for piece in pieces[:-1]] + [pieces[-1]]
