"""Search queries: literals stay literal, case folds unless asked, bad patterns are 400s."""

from __future__ import annotations

import pytest

from tailgate.history.errors import BadQuery, BadRegex
from tailgate.history.matching import hits_in_block
from tailgate.history.query import MAX_QUERY, compile_query


def matching(q: str, text: str, *, regex: bool = False, case: bool = False) -> list[bytes]:
    pattern = compile_query(q, regex=regex, case=case).pattern
    return [hit.raw for hit in hits_in_block(pattern, text.encode(), 0, 100)]


def test_a_literal_query_matches_its_characters_not_a_pattern() -> None:
    assert matching("a.c", "abc\na.c\n") == [b"a.c"]
    assert matching("(x", "(x)\nx\n") == [b"(x)"]


def test_matching_ignores_case_by_default_unicode_included() -> None:
    assert matching("error", "ERROR one\nok\nError two\n") == [b"Error two", b"ERROR one"]
    assert matching("ÉCOLE", "une école\n") == ["une école".encode()]


def test_case_1_matches_case_exactly() -> None:
    assert matching("error", "ERROR one\nerror two\n", case=True) == [b"error two"]


def test_a_regex_anchors_at_each_line_and_never_spans_two_lines() -> None:
    text = "start here\nnot start\nend\nstart\n"
    assert matching("^start", text, regex=True) == [b"start", b"start here"]
    assert matching("here$", text, regex=True) == [b"start here"]
    assert matching(r"here\s+not", text, regex=True) == []
    assert matching("[^x]*end", text, regex=True) == [b"end"]


@pytest.mark.parametrize(
    ("q", "reason"),
    [("(", "missing )"), (r"(a)\1", "invalid escape"), ("(?=a)", "invalid perl operator")],
)
def test_a_pattern_the_engine_refuses_is_a_bad_regex_with_its_reason(q: str, reason: str) -> None:
    with pytest.raises(BadRegex) as caught:
        compile_query(q, regex=True, case=False)
    assert caught.value.status == 400
    assert caught.value.code == "bad_regex"
    assert reason in caught.value.message


def test_the_same_text_as_a_literal_is_fine() -> None:
    assert matching(r"(a)\1", r"x (a)\1 y" + "\n") == [rb"x (a)\1 y"]


@pytest.mark.parametrize("q", ["", "x" * (MAX_QUERY + 1), "a\x00b"])
def test_an_empty_overlong_or_nul_query_is_refused(q: str) -> None:
    with pytest.raises(BadQuery):
        compile_query(q, regex=False, case=False)


def test_a_pattern_too_big_for_the_memory_cap_is_refused() -> None:
    with pytest.raises(BadRegex):
        compile_query("((((a{100}){100}){100}){100})", regex=True, case=False)


def test_a_catastrophic_backtracking_pattern_runs_in_one_pass() -> None:
    # With a backtracking engine this line takes longer than the age of the universe.
    line = "a" * 50_000 + "!"
    assert matching("(a+)+$", line + "\n", regex=True) == []
    assert matching("(a|aa)+b", line + "\n", regex=True) == []
