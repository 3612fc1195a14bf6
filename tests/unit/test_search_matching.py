"""Lines that hold a match, newest first, against a plain reference over the same text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tailgate.history.matching import FIRST_WINDOW, hits_in_block, line_text
from tailgate.history.query import compile_query

PROPERTIES = settings(max_examples=150, deadline=None)


def reference(block: bytes, base: int, word: bytes) -> list[tuple[int, int, bytes]]:
    """Every line holding ``word``, newest first, found one line at a time."""
    out = []
    at = 0
    for raw in block.split(b"\n")[: -1 if block.endswith(b"\n") else None]:
        end = min(at + len(raw) + 1, len(block))
        if word in raw:
            out.append((base + at, base + end, raw))
        at = end
    return list(reversed(out))


LINES = st.lists(
    st.text(alphabet="ab\r x", max_size=30).map(lambda s: s.encode()), min_size=0, max_size=60
)


@PROPERTIES
@given(LINES, st.booleans(), st.integers(min_value=1, max_value=100), st.integers(0, 10**6))
def test_hits_are_the_lines_holding_a_match_newest_first(
    lines: list[bytes], final_newline: bool, need: int, base: int
) -> None:
    block = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    pattern = compile_query("ab", regex=False, case=True).pattern
    hits = [(h.start, h.end, h.raw) for h in hits_in_block(pattern, block, base, need)]
    assert hits == reference(block, base, b"ab")[:need]


@PROPERTIES
@given(LINES)
def test_reading_back_takes_every_line(lines: list[bytes]) -> None:
    block = b"".join(line + b"\n" for line in lines)
    hits = hits_in_block(None, block, 0, 10_000)
    assert [h.raw for h in reversed(hits)] == lines
    assert [h.start for h in hits] == [
        m.start() for m in reversed(list(re.finditer(rb"(?m)^.*\n", block)))
    ]


def test_dense_matches_beyond_the_first_window_are_found_in_order() -> None:
    lines = [f"hit {i:06d}".encode() for i in range(3 * FIRST_WINDOW // 10)]
    block = b"\n".join(lines) + b"\n"
    pattern = compile_query("hit", regex=False, case=True).pattern
    hits = hits_in_block(pattern, block, 0, len(lines))
    assert [h.raw for h in hits] == list(reversed(lines))


def test_a_line_is_sent_without_its_cr_and_cut_at_max_line() -> None:
    assert line_text(b"abc\r", 10) == "abc"
    assert line_text(b"\xffok", 10) == "\ufffdok"
    assert line_text(b"x" * 12, 10).startswith("x" * 10)
    assert line_text(b"x" * 12, 10) != "x" * 12
