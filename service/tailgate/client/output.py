"""How ``tailgate tail`` writes: lines on stdout, prefixed as stern does; notices on stderr.

Each line is prefixed with its log's ID and, for a ``pods`` log, the ``pod/container``
it came from (the frame's ``source``), each in a colour of its own that stays the same
from run to run (chosen from the name), so that merged logs can be told apart at a
glance. Colour only on a terminal, and never with ``--no-color`` or ``NO_COLOR``
(no-color.org). ``--json`` writes one JSON object per line instead, for ``jq``.
Everything the tail says about itself (reconnecting, gaps, rotations) goes to stderr,
so that stdout holds the logs' lines and nothing else.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import TextIO

#: Bright and plain ANSI colours that read on dark and light backgrounds alike.
_PALETTE = (32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96)
_RESET = "\x1b[0m"


def colour_of(name: str) -> int:
    return _PALETTE[zlib.crc32(name.encode()) % len(_PALETTE)]


def clean(text: str) -> str:
    """Control characters of a log line shown as text, so it cannot drive the terminal.

    A line is whatever a program wrote to its log; escape sequences in it could move the
    cursor, retitle the window or hide what came before. Tabs stay.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == "\t" else f"\\x{ord(ch):02x}" for ch in text)


class Printer:
    """Writes frames of several tails to one stdout and one stderr, a line at a time."""

    def __init__(
        self,
        out: TextIO,
        err: TextIO,
        *,
        colour: bool = False,
        json_lines: bool = False,
        timestamps: bool = False,
    ) -> None:
        self.out = out
        self.err = err
        self.colour = colour
        self.json_lines = json_lines
        self.timestamps = timestamps

    def _paint(self, name: str) -> str:
        if not self.colour:
            return name
        return f"\x1b[{colour_of(name)}m{name}{_RESET}"

    def prefix(self, log_id: str, source: str | None) -> str:
        parts = [self._paint(log_id)]
        if source:
            parts.append(self._paint(source))
        return " ".join(parts)

    def lines(
        self,
        log_id: str,
        lines: Sequence[str],
        *,
        source: str | None = None,
        sources: Sequence[str | None] | None = None,
        timestamps: Sequence[str | None] | None = None,
    ) -> None:
        """Write ``lines`` of ``log_id``, already filtered, and flush; ``sources``, when
        given, is each line's (a frame of several pods), else ``source`` all of theirs."""
        if not lines:
            return
        stamps = list(timestamps) if timestamps is not None else [None] * len(lines)
        froms = list(sources) if sources is not None else [source] * len(lines)
        rows = zip(lines, stamps, froms, strict=False)
        if self.json_lines:
            text = "".join(
                json.dumps(
                    {"log": log_id, "source": where, "timestamp": stamp, "line": line},
                    ensure_ascii=False,
                )
                + "\n"
                for line, stamp, where in rows
            )
        else:
            prefixes = {where: self.prefix(log_id, where) for where in set(froms)}
            text = "".join(
                f"{prefixes[where]} {stamp + ' ' if self.timestamps and stamp else ''}"
                f"{clean(line)}\n"
                for line, stamp, where in rows
            )
        self.out.write(text)
        self.out.flush()

    def notice(self, log_id: str | None, message: str) -> None:
        """Something the tail says about itself, on stderr."""
        where = f"{log_id}: " if log_id else ""
        self.err.write(f"tailgate: {where}{clean(message)}\n")
        self.err.flush()
