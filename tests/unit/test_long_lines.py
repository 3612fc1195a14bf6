"""Over-long lines are cut into marked pieces, the same way whichever source read them."""

from __future__ import annotations

from tailgate.files.lines import split_lines
from tailgate.pods.log_lines import parse_line
from tailgate.streaming.long_lines import SPLIT_MARKER, cut_long_line


def test_a_line_within_the_limit_stays_one_piece() -> None:
    assert cut_long_line("abc", 3) == ["abc"]
    assert cut_long_line("", 3) == [""]


def test_every_piece_but_the_last_is_marked_and_the_pieces_rejoin_to_the_line() -> None:
    assert cut_long_line("abcdefg", 3) == ["abc" + SPLIT_MARKER, "def" + SPLIT_MARKER, "g"]
    assert cut_long_line("abcdef", 3) == ["abc" + SPLIT_MARKER, "def"]


def test_a_pod_line_and_a_file_line_of_the_same_text_are_cut_alike() -> None:
    text = "x" * 25
    _, pod = parse_line(b"2024-01-01T00:00:01Z " + text.encode(), default_ts=0, max_line=10)
    file = split_lines(text.encode() + b"\n", max_line=10).lines
    assert pod == file == ["x" * 10 + SPLIT_MARKER, "x" * 10 + SPLIT_MARKER, "x" * 5]
