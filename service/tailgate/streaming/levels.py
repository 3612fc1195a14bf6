"""Severity of log lines, detected once per line on the server and sent beside it.

The page colours lines by level, filters them with level chips and stacks its volume
chart by level; every viewer of a batch gets the same answer, so it is worked out
once, where the batch's frame is built (``frames.lines_payload``). Pure, no I/O.

Recognised shapes, normalised to :data:`LEVELS`:

- JSON keys ``"level"``, ``"severity"``, ``"lvl"`` with a name (``"level":"ERROR"``)
  or a pino/bunyan number (``"level":50``);
- logfmt keys ``level=``, ``lvl=``, ``severity=`` (the value bare or quoted);
- klog headers at the start of a line (``E1201 12:00:00.000000 ...``);
- syslog priorities at the start of a line (``<3>``: the severity is PRI mod 8);
- a bracketed name in any case (``[error]``, ``[WARN ]``, Apache's ``[core:error]``);
- a bare upper-case word (``ERROR``, ``ERR``, ``WARNING:``, ``INFO``, ``DEBUG``,
  ``TRACE``, ``FATAL``) standing on its own: not inside a word, a path or a URL
  (``MYERROR``, ``/ERROR``, ``ERROR_PAGE``). Each word costs a search of every line,
  so rarer names (``PANIC``, ``CRITICAL``) count only in keys and brackets.

A key or header names the line's level wherever it stands; a word or bracketed name
only when no key or header does, and then the leftmost one wins (``INFO retry after
ERROR`` is info).

It runs on every line a tail sends, so it is built for speed. Python's regular
expressions search fast only for a pattern that opens with a fixed string (an
alternation at the front costs ~20 times more per character), so instead of one
pattern with every shape, a batch is joined into one string and searched by a few
patterns that each open with a fixed string (``ERR``, ``WARN``, ``level=``, ...), each
skipped outright when a cheap test (one character looked for in C) says it cannot
occur. Python code runs for the matches only, never for a plain line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

#: The levels a line may have, most severe first (the page's chips and colours).
LEVELS: Final = ("fatal", "error", "warn", "info", "debug", "trace")

#: Names of levels in keys and brackets (compared in lower case).
NAMES: Final = {
    **dict.fromkeys(("fatal", "panic", "dpanic", "crit", "critical", "emerg"), "fatal"),
    **dict.fromkeys(("emergency", "alert"), "fatal"),
    **dict.fromkeys(("error", "err", "severe"), "error"),
    **dict.fromkeys(("warn", "warning"), "warn"),
    **dict.fromkeys(("info", "information", "informational", "notice"), "info"),
    **dict.fromkeys(("debug", "dbg", "fine"), "debug"),
    **dict.fromkeys(("trace", "finer", "finest", "verbose"), "trace"),
}
#: pino and bunyan write their levels as numbers.
_NUMBERS: Final = {
    "10": "trace", "20": "debug", "30": "info", "40": "warn", "50": "error", "60": "fatal"
}  # fmt: skip
_KLOG: Final = {"F": "fatal", "E": "error", "W": "warn", "I": "info"}
#: syslog severities 0-7 (RFC 5424 6.2.1): emergency, alert and critical are fatal.
_SYSLOG: Final = ("fatal", "fatal", "fatal", "error", "warn", "info", "info", "debug")

#: Characters a bare word may follow: a word is a token of its own, not part of a
#: name, a path or a URL.
_WORD_BEFORE: Final = frozenset(" \t\n[(|:,;=>")
#: Characters a logfmt key may follow (``xlevel=`` and ``?level=`` are not keys).
_KEY_BEFORE: Final = frozenset(" \t\n{,;|")

_AFTER_WORD: Final = r"(?![\w/.\-])"

Decide = Callable[[re.Match[str], str], "str | None"]


def _name(match: re.Match[str], text: str) -> str | None:
    return NAMES.get(match[1].lower())


def _json(match: re.Match[str], text: str) -> str | None:
    if match[1] is not None:
        return NAMES.get(match[1].lower())
    return _NUMBERS.get(match[2])


def _logfmt(match: re.Match[str], text: str) -> str | None:
    # The match starts at the `=`: the key is the word before it.
    if not _key_stands_alone(text, match.start()):
        return None
    return NAMES.get(match[1].lower())


def _key_stands_alone(text: str, at: int) -> bool:
    for key in ("level", "lvl", "severity"):
        if text.startswith(key, at - len(key)):
            before = at - len(key) - 1
            return before < 0 or text[before] in _KEY_BEFORE
    return False


def _head(match: re.Match[str], text: str) -> str | None:
    if match[1] is not None:
        return _KLOG[match[1]]
    pri = int(match[2])
    return _SYSLOG[pri % 8] if pri <= 191 else None


#: (a character the shape cannot do without, the pattern, what its match names).
_KEYS: Final[tuple[tuple[str, re.Pattern[str], Decide], ...]] = (
    ('"', re.compile(r'"(?:level|severity|lvl)"[ \t]*:[ \t]*(?:"([A-Za-z]+)"|([1-6]0)\b)'),
     _json),
    # Looked for from the `=` (a fixed first character) back to the key before it.
    ("=", re.compile(r'=(?:(?<=level=)|(?<=lvl=)|(?<=severity=))"?([A-Za-z]+)'), _logfmt),
    # The batch is joined after a newline, so every line starts after one.
    ("\n", re.compile(r"\n(?:([FEWI])\d{4} \d\d:\d\d:\d\d|<(\d{1,3})>)"), _head),
)  # fmt: skip
#: Bracketed names, then words: (a character it needs, the pattern, its level or None
#: for a bracketed name).
_WORDS: Final[tuple[tuple[str, re.Pattern[str], str | None], ...]] = (
    ("[", re.compile(r"\[[ \t]*(?:[\w-]+:)?([A-Za-z]+)[ \t]*\]"), None),
    ("E", re.compile(r"ERR(?:OR)?" + _AFTER_WORD), "error"),
    ("W", re.compile(r"WARN(?:ING)?" + _AFTER_WORD), "warn"),
    ("I", re.compile(r"INFO" + _AFTER_WORD), "info"),
    ("D", re.compile(r"DEBUG" + _AFTER_WORD), "debug"),
    ("T", re.compile(r"TRACE" + _AFTER_WORD), "trace"),
    ("F", re.compile(r"FATAL" + _AFTER_WORD), "fatal"),
)


def detect(line: str) -> str | None:
    """The level of one line, or None."""
    found = levels_of([line])
    return None if found is None else found[0]


def levels_of(lines: list[str]) -> list[str | None] | None:
    """Each line's level, parallel to ``lines``; None when no line has one."""
    if not lines:
        return None
    text = "\n" + "\n".join(lines)
    out: list[str | None] = [None] * len(lines)
    found = False
    keyed: set[int] = set()  # lines whose level a key or header named
    for needed, pattern, decide in _KEYS:
        if needed not in text:
            continue
        index = -1  # `text` starts with the newline before line 0
        counted = 0
        for match in pattern.finditer(text):
            start = match.start()
            index += text.count("\n", counted, start + 1)
            counted = start + 1
            if index in keyed:
                continue
            level = decide(match, text)
            if level is not None:
                out[index] = level
                keyed.add(index)
                found = True
    word_at: dict[int, int] = {}  # where the leftmost word found so far stands
    count = text.count
    for needed, pattern, fixed in _WORDS:
        if needed not in text:
            continue
        index = -1
        counted = 0
        for match in pattern.finditer(text):
            start = match.start()
            index += count("\n", counted, start)
            counted = start
            if index in keyed or word_at.get(index, start) < start:
                continue
            if fixed is None:
                level = NAMES.get(match[1].lower())
            elif text[start - 1] in _WORD_BEFORE:
                level = fixed
            else:
                continue
            if level is not None:
                out[index] = level
                word_at[index] = start
                found = True
    return out if found else None
