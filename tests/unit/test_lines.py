"""Splitting bytes into lines: complete lines only, CRLF, invalid UTF-8, long lines."""

from __future__ import annotations

from tailgate.files.lines import split_lines
from tailgate.streaming.long_lines import SPLIT_MARKER


def test_complete_lines_are_taken_and_the_partial_rest_is_left() -> None:
    chunk = split_lines(b"one\ntwo\nthr")
    assert chunk.lines == ["one", "two"]
    assert chunk.consumed == len(b"one\ntwo\n")


def test_nothing_is_taken_from_a_partial_line() -> None:
    chunk = split_lines(b"no newline yet")
    assert chunk.lines == []
    assert chunk.consumed == 0


def test_final_data_flushes_the_partial_line() -> None:
    chunk = split_lines(b"one\ntw", final=True)
    assert chunk.lines == ["one", "tw"]
    assert chunk.consumed == 6
    only_partial = split_lines(b"tw", final=True)
    assert only_partial.lines == ["tw"]
    assert only_partial.consumed == 2


def test_crlf_ends_a_line_and_a_lone_cr_stays() -> None:
    chunk = split_lines(b"a\r\nb\rc\r\n")
    assert chunk.lines == ["a", "b\rc"]
    assert chunk.consumed == 8


def test_empty_lines_are_kept() -> None:
    assert split_lines(b"\n\nx\n").lines == ["", "", "x"]


def test_invalid_utf8_is_replaced_not_raised() -> None:
    chunk = split_lines(b"ok \xff\xfe bad\n")
    assert chunk.lines == ["ok \ufffd\ufffd bad"]


def test_a_long_line_is_split_with_a_marker_on_all_but_the_last_piece() -> None:
    chunk = split_lines(b"x" * 25 + b"\n", max_line=10)
    assert chunk.lines == ["x" * 10 + SPLIT_MARKER, "x" * 10 + SPLIT_MARKER, "x" * 5]


def test_a_run_without_newline_longer_than_the_limit_is_cut_at_a_character_boundary() -> None:
    data = "é".encode() * 8  # 16 bytes, two per character
    chunk = split_lines(data, max_line=5)
    assert chunk.consumed == 4
    assert chunk.lines == ["éé" + SPLIT_MARKER]


def test_short_lines_next_to_a_long_one_are_untouched() -> None:
    chunk = split_lines(b"a\n" + b"y" * 12 + b"\nb\n", max_line=10)
    assert chunk.lines == ["a", "y" * 10 + SPLIT_MARKER, "yy", "b"]


def test_the_long_line_probe_never_misses_a_long_line() -> None:
    import random

    from tailgate.files.lines import _may_hold_long_line

    rng = random.Random(7)
    for _ in range(2000):
        max_line = rng.randint(2, 40)
        text = "\n".join(
            "a" * rng.choice([0, 1, 5, max_line, max_line + 1, 3 * max_line])
            for _ in range(rng.randint(1, 8))
        )
        longest = max(map(len, text.split("\n")))
        if longest > max_line:
            assert _may_hold_long_line(text, max_line), (text, max_line)
