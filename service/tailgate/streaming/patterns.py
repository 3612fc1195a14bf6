"""Patterns users type, compiled with their cost bounded: RE2, never backtracking.

Users type search queries and tail filters, so a pattern is attacker input. Python's
``re`` backtracks: a pattern like ``(a+)+$`` takes exponential time on one line of
``a``\\ s. RE2 (the ``google-re2`` binding) runs in time linear in the text, caps the
memory of its automaton (``MAX_MEM``) and refuses what it cannot run that way
(backreferences, lookaround), which the caller answers with RE2's reason. It is also
the fast choice: about as fast as ``bytes.find`` on a literal and 10x ``re`` on a
case-insensitive pattern (docs/search.md has the figures).

Patterns run on UTF-8 bytes with ``never_nl``: a match never spans two lines, so
a match names one line, whether the text is one line or a block of them. A literal
(``regex`` off) is escaped and run by the same engine; case-insensitive matching
folds Unicode too; ``^`` and ``$`` are the ends of each line, as in grep.
"""

from __future__ import annotations

from typing import Any

import re2

#: The longest pattern accepted, in characters.
MAX_PATTERN = 1000
#: The memory one compiled pattern may use (RE2 fails to compile a larger one).
MAX_MEM = 32 * 1024 * 1024


class PatternProblem(ValueError):
    """A pattern that cannot be used; the text says why (for the user)."""

    #: True when the engine refused a regex (rather than the text being unusable).
    refused = False


class PatternRefused(PatternProblem):
    refused = True


def compile_pattern(text: str, *, regex: bool, case: bool, name: str = "q") -> Any:
    """``text`` as an RE2 pattern over bytes, or ``PatternProblem`` saying why not.

    ``name`` is how the user's request calls the pattern, for the messages.
    """
    if not text:
        raise PatternProblem(f"{name} must not be empty")
    if len(text) > MAX_PATTERN:
        raise PatternProblem(f"{name} is longer than {MAX_PATTERN} characters")
    if "\x00" in text:
        raise PatternProblem(f"{name} must not contain NUL")
    options = re2.Options()
    options.log_errors = False
    options.never_nl = True
    options.never_capture = True
    options.case_sensitive = case
    options.max_mem = MAX_MEM
    source = text if regex else re2.escape(text)
    if regex:
        source = "(?m)" + source
    try:
        return re2.compile(source.encode("utf-8", "surrogatepass"), options)
    except re2.error as exc:
        raise PatternRefused(f"bad regex: {_reason(exc)}") from None
    except UnicodeEncodeError:
        raise PatternProblem(f"{name} is not valid text") from None


def _reason(exc: Exception) -> str:
    raw = exc.args[0] if exc.args else str(exc)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return text[:300]
