"""Property-based tests: a file cursor decodes to a cursor or BadCursor, nothing else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tailgate.files.cursor import BadCursor, FileCursor

#: Few examples, no deadline: a shared, slow machine must not make these flaky.
PROPERTIES = settings(max_examples=150, deadline=None)

NUMBERS = st.integers(min_value=0, max_value=10**20 - 1)
CHECKS = st.integers(min_value=0, max_value=0xFFFFFFFF)


def decoded(text: str) -> FileCursor | BadCursor:
    try:
        return FileCursor.decode(text)
    except BadCursor as exc:
        return exc


@PROPERTIES
@given(st.text(max_size=80))
def test_any_text_decodes_to_a_cursor_or_bad_cursor(text: str) -> None:
    decoded(text)


@PROPERTIES
@given(st.lists(st.one_of(st.text(alphabet="0123456789abcdef", max_size=22), st.text(max_size=4))))
def test_text_shaped_like_a_cursor_decodes_to_a_cursor_or_bad_cursor(parts: list[str]) -> None:
    result = decoded(".".join(["f1", *parts]))
    if isinstance(result, FileCursor):
        assert min(result.dev, result.ino, result.offset, result.check) >= 0
        assert result.check <= 0xFFFFFFFF


@PROPERTIES
@given(NUMBERS, NUMBERS, NUMBERS, CHECKS)
def test_every_cursor_handed_out_decodes_to_itself(
    dev: int, ino: int, offset: int, check: int
) -> None:
    cursor = FileCursor(dev, ino, offset, check)
    assert FileCursor.decode(cursor.encode()) == cursor
