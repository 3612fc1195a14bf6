"""Which lines a tail shows: ``--grep``, ``--invert`` and ``--levels``, as the server's filter.

The server filters at the source (``filter=`` on the tail's WebSocket, docs/protocol.md),
so only the lines asked for cross the network, and lines arrive filtered: the client
checks the flags here (what it can know without the server) and turns them into the
query. The pattern is the server's to judge (RE2 syntax, as for search): one it
refuses ends the tail with ``bad_filter`` (4400), which the command reports as a bad
flag. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Longest ``--grep`` pattern: the server's limit (it travels in the WebSocket URL).
MAX_PATTERN = 1000

#: The levels ``--levels`` takes, and other names for them.
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

    grep: str | None = None
    invert: bool = False
    levels: frozenset[str] | None = None

    @classmethod
    def build(cls, grep: str | None, invert: bool, levels: str | None) -> LineFilter:
        """From the flags; ``ValueError`` with a sentence for a bad one."""
        if grep is not None:
            if not grep:
                raise ValueError("--grep needs a pattern")
            if len(grep) > MAX_PATTERN:
                raise ValueError(f"--grep is longer than {MAX_PATTERN} characters")
            if "\x00" in grep:
                raise ValueError("--grep must not contain NUL")
        elif invert:
            raise ValueError("--invert needs --grep")
        return cls(grep, invert, parse_levels(levels) if levels is not None else None)

    def query(self) -> dict[str, str]:
        """The filter as the tail's WebSocket query: a case-sensitive regex, as grep's."""
        params: dict[str, str] = {}
        if self.grep is not None:
            params.update(filter=self.grep, regex="1", case="1")
            if self.invert:
                params["invert"] = "1"
        if self.levels is not None:
            params["levels"] = ",".join(level for level in LEVELS if level in self.levels)
        return params
