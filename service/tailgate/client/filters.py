"""Which lines a tail shows: ``--grep``, ``--invert`` and ``--levels``, in one place.

The server cannot filter yet (the history-and-search work will add ``filter=`` and
``levels=`` to the tail's WebSocket), so the client filters what it receives. The
filter says both how to test a line here and which query parameters would ask the
server for the same (``query``): the client sends them already, the server ignores
parameters it does not know, and once it honours them the lines simply arrive
filtered, and testing them again here changes nothing. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Longest ``--grep`` pattern: it travels in the WebSocket URL.
MAX_PATTERN = 1000

#: The levels ``--levels`` takes, and the words in log lines that name them.
LEVELS = ("trace", "debug", "info", "warn", "error", "fatal")
_ALIASES = {
    "warning": "warn",
    "err": "error",
    "critical": "fatal",
    "crit": "fatal",
    "panic": "fatal",
    "emerg": "fatal",
    "alert": "fatal",
    "notice": "info",
}
_LEVEL_WORD = re.compile(
    r"\b(" + "|".join(sorted([*LEVELS, *_ALIASES], key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def level_of(line: str) -> str | None:
    """The level a line states (``ERROR``, ``level=warn``, ``"level":"info"``), if any.

    The first level word wins: log formats put the level before the message, which may
    itself mention another ("INFO retrying after error").
    """
    match = _LEVEL_WORD.search(line)
    if match is None:
        return None
    word = match.group(1).lower()
    return _ALIASES.get(word, word)


def parse_levels(text: str) -> frozenset[str]:
    """``error,warn`` as a set of levels; ``ValueError`` naming an unknown one."""
    levels = set()
    for item in text.split(","):
        name = item.strip().lower()
        if not name:
            continue
        name = _ALIASES.get(name, name)
        if name not in LEVELS:
            raise ValueError(f"unknown level {item.strip()!r}; use {', '.join(LEVELS)}")
        levels.add(name)
    if not levels:
        raise ValueError("--levels needs at least one level")
    return frozenset(levels)


@dataclass(frozen=True, slots=True)
class LineFilter:
    """What ``tailgate tail`` shows of each log."""

    grep: re.Pattern[str] | None = None
    invert: bool = False
    levels: frozenset[str] | None = None

    @classmethod
    def build(cls, grep: str | None, invert: bool, levels: str | None) -> LineFilter:
        """From the flags; ``ValueError`` with a sentence for a bad pattern or level."""
        pattern = None
        if grep is not None:
            if len(grep) > MAX_PATTERN:
                raise ValueError(f"--grep is longer than {MAX_PATTERN} characters")
            try:
                pattern = re.compile(grep)
            except re.error as e:
                raise ValueError(f"--grep {grep!r} is not a regular expression: {e}") from None
        elif invert:
            raise ValueError("--invert needs --grep")
        return cls(pattern, invert, parse_levels(levels) if levels is not None else None)

    @property
    def passes_all(self) -> bool:
        return self.grep is None and self.levels is None

    def shows(self, line: str) -> bool:
        if self.grep is not None and (self.grep.search(line) is not None) == self.invert:
            return False
        if self.levels is not None:
            return level_of(line) in self.levels
        return True

    def query(self) -> dict[str, str]:
        """The same filter as the tail's WebSocket query (not yet honoured by the server)."""
        params: dict[str, str] = {}
        if self.grep is not None:
            params["filter"] = self.grep.pattern
            params["regex"] = "1"
            if self.invert:
                params["invert"] = "1"
        if self.levels is not None:
            params["levels"] = ",".join(level for level in LEVELS if level in self.levels)
        return params
