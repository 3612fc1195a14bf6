"""A search query compiled once, with its cost bounded (``streaming.patterns``: RE2).

Patterns run on the raw bytes of the file (UTF-8) with ``never_nl``: a match never
spans two lines, so a match names one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..streaming.patterns import MAX_PATTERN, PatternProblem, compile_pattern
from .errors import BadQuery, BadRegex

#: The longest query accepted, in characters.
MAX_QUERY = MAX_PATTERN


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    regex: bool
    case: bool
    pattern: Any
    """The compiled RE2 pattern, over bytes."""

    def describe(self) -> dict[str, object]:
        """What the audit record says about the query."""
        return {"q": self.text[:200], "regex": self.regex, "case": self.case}


def compile_query(text: str, *, regex: bool, case: bool) -> Query:
    """``text`` as a pattern: BadQuery when empty or too long, BadRegex when refused."""
    try:
        pattern = compile_pattern(text, regex=regex, case=case)
    except PatternProblem as exc:
        raise (BadRegex if exc.refused else BadQuery)(str(exc)) from None
    return Query(text, regex, case, pattern)
