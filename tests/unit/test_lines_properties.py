"""Property-based tests of line splitting: no exception, no byte lost, no line too long.

The documented rules (files/lines.py): a newline ends a line and CRLF counts as one;
a lone CR stays in the text; invalid UTF-8 becomes U+FFFD; with ``final`` a trailing
partial line is a line; a line over ``max_line`` characters is cut into pieces, each
but the last ending in the split marker. So the lines, with pieces joined back and
newlines put back, are exactly the decoded bytes ``split_lines`` says it consumed.
"""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tailgate.files.lines import Lines, split_lines
from tailgate.streaming.long_lines import SPLIT_MARKER

#: Few examples, no deadline: a shared, slow machine must not make these flaky.
PROPERTIES = settings(max_examples=150, deadline=None)

#: Bytes where line structure and UTF-8 edge cases are likely, and any bytes at all.
DATA = st.one_of(
    st.lists(
        st.sampled_from(
            [b"a", b"xyz", b"\n", b"\r", b"\r\n", b"\xc3\xa9", b"\xe2\x82", b"\xac", b"\xff"]
        ),
        max_size=40,
    ).map(b"".join),
    st.binary(max_size=200),
)
MAX_LINE = st.integers(min_value=1, max_value=20)


def joined(result: Lines) -> str:
    """The lines put back together: pieces of a split line without, others with, newlines."""
    text = ""
    for index, line in enumerate(result.lines):
        if line.endswith(SPLIT_MARKER):
            text += line[: -len(SPLIT_MARKER)]
        else:
            text += line
            if index < len(result.lines) - 1:
                text += "\n"
    return text


def expected(data: bytes, result: Lines) -> str:
    """The consumed bytes as the documented rules make them text."""
    text = data[: result.consumed].decode("utf-8", "replace").replace("\r\n", "\n")
    return text[:-1] if text.endswith("\n") else text


@PROPERTIES
@given(DATA, st.booleans(), MAX_LINE)
def test_the_lines_are_exactly_the_bytes_consumed(data: bytes, final: bool, max_line: int) -> None:
    assume(SPLIT_MARKER.encode() not in data)
    result = split_lines(data, final=final, max_line=max_line)
    assert 0 <= result.consumed <= len(data)
    assert joined(result) == expected(data, result)


@PROPERTIES
@given(DATA, st.booleans(), MAX_LINE)
def test_no_line_is_longer_than_max_line(data: bytes, final: bool, max_line: int) -> None:
    result = split_lines(data, final=final, max_line=max_line)
    for line in result.lines:
        assert len(line.removesuffix(SPLIT_MARKER)) <= max_line


@PROPERTIES
@given(DATA, MAX_LINE)
def test_only_a_trailing_partial_line_is_left_for_later(data: bytes, max_line: int) -> None:
    result = split_lines(data, max_line=max_line)
    rest = data[result.consumed :]
    assert b"\n" not in rest
    assert len(rest) <= max_line or result.consumed > 0
    final = split_lines(data, final=True, max_line=max_line)
    assert final.consumed == len(data)
