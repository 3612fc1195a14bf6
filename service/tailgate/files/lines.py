"""Turning bytes read from a log into lines: pure, no I/O.

A reader hands over whatever bytes follow its position; this module decides how many
of them form complete lines and returns those as text. Bytes after the last newline
are left for the next read (the writer is mid-line) unless the caller says the data
is final. Everything here works on whole chunks with C-level string operations:
there is no per-line Python loop on the hot path.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..streaming.long_lines import SPLIT_MARKER, cut_long_line

#: Lines longer than this many characters are cut into pieces.
DEFAULT_MAX_LINE = 65536


@dataclass(frozen=True, slots=True)
class Lines:
    """Complete lines taken from the front of a chunk, and how many bytes they used."""

    lines: list[str]
    consumed: int


EMPTY = Lines([], 0)


def split_lines(data: bytes, *, final: bool = False, max_line: int = DEFAULT_MAX_LINE) -> Lines:
    """Take the complete lines from the front of ``data``.

    - Newlines end lines; CRLF counts as one newline; a lone CR stays in the text.
    - Invalid UTF-8 is replaced with U+FFFD, never an error.
    - With ``final``, a trailing partial line counts as a line (the writer stopped
      mid-line long enough, or the file will not grow any more).
    - A run of more than ``max_line`` bytes without a newline is emitted as a split piece so
      memory stays bounded; complete lines over ``max_line`` characters are split too.
    """
    end = data.rfind(b"\n")
    if end < 0:
        if final and data:
            return Lines(_split_long([_decode(data)], max_line), len(data))
        # Strictly longer: the byte after the cut must exist to tell a character boundary.
        if len(data) > max_line:
            cut = _char_boundary(data, max_line)
            return Lines([_decode(data[:cut]) + SPLIT_MARKER], cut)
        return EMPTY
    consumed = end + 1
    if final and consumed < len(data):
        block = data
        consumed = len(data)
    else:
        block = data[:end]
    text = _decode(block)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if block is not data and text.endswith("\r"):
            text = text[:-1]
    lines = text.split("\n")
    if len(text) > max_line and _may_hold_long_line(text, max_line):
        lines = _split_long(lines, max_line)
    return Lines(lines, consumed)


def _may_hold_long_line(text: str, max_line: int) -> bool:
    """False only if no line in ``text`` is longer than ``max_line``; cheap on big blocks.

    Any run of at least ``2 * half`` characters without a newline covers a whole window
    ``[k * half, (k + 1) * half)``, so probing each window for a newline finds every
    such run with a handful of C-level searches instead of measuring every line.
    """
    half = max(1, max_line // 2)
    find = text.find
    return any(find("\n", start, start + half) < 0 for start in range(0, len(text), half))


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _split_long(lines: list[str], max_line: int) -> list[str]:
    if max(map(len, lines), default=0) <= max_line:
        return lines
    out: list[str] = []
    for line in lines:
        if len(line) <= max_line:
            out.append(line)
        else:
            out.extend(cut_long_line(line, max_line))
    return out


def _char_boundary(data: bytes, limit: int) -> int:
    """The largest cut <= ``limit`` that does not fall inside a UTF-8 sequence."""
    cut = limit
    # Continuation bytes look like 0b10xxxxxx; back off at most three of them.
    for _ in range(3):
        if cut <= 0 or (data[cut] & 0xC0) != 0x80:
            break
        cut -= 1
    return cut if cut > 0 else limit
