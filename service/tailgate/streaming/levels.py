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

A key or header names the line's level wherever it stands: of several, the first in
the list above wins (JSON ``"level"`` before ``"severity"`` and ``"lvl"``), and of one
kind the first on the line. A word or bracketed name counts only when no key or
header does, and then the leftmost one wins (``INFO retry after ERROR`` is info).

It runs on every line a tail sends, so it is built for speed. Python's regular
expressions search fast only for a pattern that opens with a fixed string (an
alternation at the front costs ~20 times more per character), so instead of one
pattern with every shape, a batch is joined into one string and searched by a few
patterns that each open with a fixed string (``ERR``, ``INFO``, ``l=``, ...), each
skipped outright when a cheap test says it cannot occur: one character looked for in
C, or, for a word, its letters among the batch's capitals (one ``bytes.translate``).
When one word is all a batch can hold and every line holds it between spaces, every
line gets its level with no search at all. Otherwise the matches are not visited one
by one in Python either: ``re.split`` cuts the batch at them, and C-level ``map``,
``accumulate`` and ``compress`` over the pieces give each match's line, level and
place; Python code runs only for a line where words of two shapes compete.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate, compress, islice, repeat
from operator import add, and_, truth
from typing import Final, cast

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
#: A JSON value as matched: a quoted name, or a pino/bunyan number.
_JSON_VALUES: Final = {
    **{f'"{name}"': level for name, level in NAMES.items()},
    "10": "trace", "20": "debug", "30": "info", "40": "warn", "50": "error", "60": "fatal",
}  # fmt: skip
#: A logfmt value as matched: bare, or after its opening quote.
_LOGFMT_VALUES: Final = {**NAMES, **{f'"{name}': level for name, level in NAMES.items()}}
_KLOG: Final = {"F": "fatal", "E": "error", "W": "warn", "I": "info"}
#: syslog severities 0-7 (RFC 5424 6.2.1): emergency, alert and critical are fatal.
_SYSLOG: Final = ("fatal", "fatal", "fatal", "error", "warn", "info", "info", "debug")

#: What the text before a bare word may end with: a word is a token of its own, not
#: part of a name, a path or a URL.
_WORD_BEFORE: Final = tuple(" \t\n[(|:,;=>")
#: What the text before a logfmt `=` must end with (``xlevel=``, ``?level=`` are no keys).
_KEY_BEFORE: Final = tuple(c + key for c in " \t\n{,;|" for key in ("leve", "lv", "severit"))
_AFTER_WORD: Final = r"(?![\w/.\-])"

Levels = Callable[[list[str]], Iterable["str | None"]]


def _names(tokens: list[str]) -> Iterable[str | None]:
    return map(NAMES.get, map(str.lower, tokens))


def _json(tokens: list[str]) -> Iterable[str | None]:
    return map(_JSON_VALUES.get, map(str.lower, tokens))


def _logfmt(tokens: list[str]) -> Iterable[str | None]:
    return map(_LOGFMT_VALUES.get, map(str.lower, tokens))


def _klog(token: str) -> str:
    return _KLOG[token[1]]  # after the newline


def _syslog(token: str) -> str | None:
    pri = int(token[2:-1])  # "\n<PRI>"
    return _SYSLOG[pri % 8] if pri <= 191 else None


def _word(level: str) -> Levels:
    return lambda tokens: repeat(level, len(tokens))


@dataclass(frozen=True, slots=True, eq=False)
class _Shape:
    """One way a line names its level: a pattern with one group, the whole match or
    the value."""

    #: A character the shape cannot do without: absent from the batch, no search.
    needed: str
    pattern: re.Pattern[str]
    levels: Levels
    #: What the text before a match must end with, if anything.
    before: tuple[str, ...] = ()
    #: The group opens with the newline before its line (headers).
    at_start: bool = False
    #: A word's level, and the word between spaces: a line that holds it has that
    #: level when no other shape can occur in the batch.
    word: tuple[str, str] | None = None
    #: A word's letters: absent from the batch's capitals, no search.
    letters: bytes = b""


#: Keys and headers, in the order they win over each other on one line.
_KEYS: Final = (
    _Shape('"', re.compile(r'"level"[ \t]*:[ \t]*("[A-Za-z]+"|[1-6]0\b)'), _json),
    _Shape('"', re.compile(r'"(?:severity|lvl)"[ \t]*:[ \t]*("[A-Za-z]+"|[1-6]0\b)'), _json),
    # From the key's last letter (a fixed start: `l=`, `y=`) back to the whole key.
    _Shape("=", re.compile(r'l=(?:(?<=level=)|(?<=lvl=))("?[A-Za-z]+)'), _logfmt,
           before=_KEY_BEFORE),
    _Shape("=", re.compile(r'y=(?<=severity=)("?[A-Za-z]+)'), _logfmt, before=_KEY_BEFORE),
    # The batch is joined after a newline, so every line starts after one. A klog
    # header is followed by `file:line] `.
    _Shape("]", re.compile(r"(\n[FEWI]\d{4} \d\d:\d\d:\d\d)"),
           lambda tokens: map(_klog, tokens), at_start=True),
    _Shape("<", re.compile(r"(\n<\d{1,3}>)"), lambda tokens: map(_syslog, tokens), at_start=True),
)  # fmt: skip
# Only names of levels between the brackets, so that `[main]` is no match at all.
_ANY_NAME: Final = "|".join(sorted(NAMES, key=len, reverse=True))
# Their first letters: a look at one character turns most brackets away.
_NAME_START: Final = "".join(sorted({c for name in NAMES for c in (name[0], name[0].upper())}))
_BRACKETS: Final = _Shape(
    "[", re.compile(rf"(\[[ \t]*(?:[\w-]+:)?(?=[{_NAME_START}])(?i:{_ANY_NAME})[ \t]*\])"),
    lambda tokens: _names([t.strip("[] \t").rpartition(":")[2] for t in tokens]),
)  # fmt: skip
#: Bracketed names and bare words: the leftmost on a line wins.
_WORDS: Final = (
    _BRACKETS,
    _Shape("", re.compile(r"(ERR(?:OR)?)" + _AFTER_WORD), _word("error"), _WORD_BEFORE,
           word=("error", " ERROR "), letters=b"ERR"),
    _Shape("", re.compile(r"(WARN(?:ING)?)" + _AFTER_WORD), _word("warn"), _WORD_BEFORE,
           word=("warn", " WARN "), letters=b"WARN"),
    _Shape("", re.compile(r"(INFO)" + _AFTER_WORD), _word("info"), _WORD_BEFORE,
           word=("info", " INFO "), letters=b"INFO"),
    _Shape("", re.compile(r"(DEBUG)" + _AFTER_WORD), _word("debug"), _WORD_BEFORE,
           word=("debug", " DEBUG "), letters=b"DEBUG"),
    _Shape("", re.compile(r"(TRACE)" + _AFTER_WORD), _word("trace"), _WORD_BEFORE,
           word=("trace", " TRACE "), letters=b"TRACE"),
    _Shape("", re.compile(r"(FATAL)" + _AFTER_WORD), _word("fatal"), _WORD_BEFORE,
           word=("fatal", " FATAL "), letters=b"FATAL"),
)  # fmt: skip


#: Bytes that are not upper-case letters: deleted, the batch keeps its words' letters
#: side by side, and one short string says which words may occur at all.
_NOT_UPPER: Final = bytes(b for b in range(256) if not 65 <= b <= 90)


def detect(line: str) -> str | None:
    """The level of one line, or None."""
    found = levels_of([line])
    return None if found is None else found[0]


def levels_of(lines: list[str]) -> list[str | None] | None:
    """Each line's level, parallel to ``lines``; None when no line has one."""
    if not lines:
        return None
    text = "\n".join(["", *lines])  # one copy of the batch, not two
    keyed = _json_lines(lines, text)
    for shape in _KEYS:
        if shape.needed in text and len(keyed) < len(lines):
            at, levels = _matches(shape, text)
            # Reversed, so that the first match of a line is the one kept.
            found = dict(zip(reversed(at), reversed(levels), strict=True))
            found.update(keyed)  # and an earlier shape's key wins
            keyed = found
    if len(keyed) == len(lines):
        return list(map(keyed.get, range(len(lines))))  # keys win over any word
    capitals = text.encode().translate(None, _NOT_UPPER)
    shapes = [
        shape
        for shape in _WORDS
        if (shape.letters in capitals if shape.letters else shape.needed in text)
    ]
    cached: dict[_Shape, tuple[list[int], list[str]]] = {}
    if shapes and shapes[0] is _BRACKETS:
        cached[_BRACKETS] = _matches(_BRACKETS, text)
        if not cached[_BRACKETS][0]:
            del shapes[0]  # `[main]`, `[pid 1]`: brackets, but no level names in them
    if not keyed and len(shapes) == 1 and shapes[0].word is not None:
        # One word is all the batch can hold: a line that has it between spaces has
        # its level. Often true of every line, which then needs no search at all.
        level, spaced = shapes[0].word
        if all(map(str.__contains__, lines, repeat(spaced))):
            return [level] * len(lines)
    out: list[str | None] = [None] * len(lines)
    named = bool(keyed)
    for shape in shapes:
        at, levels = cached.get(shape) or _matches(shape, text)
        if not at:
            continue
        named = True
        taken = list(map(out.__getitem__, at))  # lines an earlier shape's word is on
        # Reversed, so that a line's first match is the one that stays.
        deque(map(out.__setitem__, reversed(at), reversed(levels)), maxlen=0)
        if any(taken):
            for line in set(compress(at, taken)):
                # Words of two shapes on one line (rare): the first on the line wins.
                out[line] = _first_word(lines[line], shapes)
    if not named:
        return None
    deque(map(out.__setitem__, keyed.keys(), keyed.values()), maxlen=0)  # keys win
    return out


_JSON_LEVEL: Final = _KEYS[0].pattern


def _json_lines(lines: list[str], text: str) -> dict[int, str]:
    """Each line's ``"level"`` when every line has exactly one (JSON logs), else {}.

    Then the n-th match is the n-th line's: no line numbers to work out."""
    if '"' not in text:
        return {}
    values = _JSON_LEVEL.findall(text)
    n = len(lines)
    if len(values) != n or text.count('"level"') != n:
        return {}
    if not all(map(str.__contains__, lines, repeat('"level"'))):
        return {}
    levels = list(map(_JSON_VALUES.get, map(str.lower, values)))
    return cast("dict[int, str]", dict(compress(enumerate(levels), levels)))


def _first_word(line: str, shapes: list[_Shape]) -> str:
    """The level of the first word or bracketed name on ``line`` that has one."""
    found: list[tuple[int, str]] = []
    text = "\n" + line
    for shape in shapes:
        for match in shape.pattern.finditer(text):
            start = match.start()
            if shape.before and not text.endswith(shape.before, 0, start):
                continue
            level = next(iter(shape.levels([match[1]])))
            if level is not None:
                found.append((start, level))
                break
    return min(found)[1]


def _matches(shape: _Shape, text: str) -> tuple[list[int], list[str]]:
    """The line and level of each match of ``shape`` that names a level."""
    parts = shape.pattern.split(text)
    if len(parts) == 1:
        return [], []
    before = parts[0:-1:2]  # the text between the previous match and this one
    tokens = parts[1::2]
    # `text` opens with the newline before line 0; a header's match holds the newline
    # before its own line, and those of the headers before it.
    breaks = accumulate(map(str.count, before, repeat("\n")), initial=-1)
    lines: Iterable[int] = islice(breaks, 1, None)
    if shape.at_start:
        lines = map(add, lines, range(1, len(tokens) + 1))
    levels: list[str | None] = list(shape.levels(tokens))
    keep: Iterable[object] = levels  # a level, not None
    if shape.before:
        keep = list(map(and_, map(str.endswith, before, repeat(shape.before)), map(truth, levels)))
    return list(compress(lines, keep)), cast("list[str]", list(compress(levels, keep)))
