"""The terminal client's line filter: the flags it accepts, and the query that asks the
server for the same (the server filters at the source)."""

from __future__ import annotations

import pytest

from tailgate.client.filters import LineFilter, parse_levels


def test_the_filter_travels_as_the_websocket_query_the_server_reads() -> None:
    assert LineFilter.build(None, False, None).query() == {}
    # grep's semantics: a regular expression, case-sensitive.
    assert LineFilter.build("a+b", True, "warn,error").query() == {
        "filter": "a+b",
        "regex": "1",
        "case": "1",
        "invert": "1",
        "levels": "warn,error",
    }
    assert LineFilter.build(None, False, "crit").query() == {"levels": "fatal"}


@pytest.mark.parametrize(
    ("grep", "invert", "levels", "problem"),
    [
        ("", False, None, "needs a pattern"),
        ("x" * 1001, False, None, "longer than 1000"),
        ("a\x00", False, None, "NUL"),
        (None, True, None, "--invert needs --grep"),
        (None, False, "loud", "unknown level 'loud'"),
        (None, False, " , ", "at least one level"),
    ],
)
def test_bad_flags_are_refused_with_a_sentence(
    grep: str | None, invert: bool, levels: str | None, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        LineFilter.build(grep, invert, levels)


def test_levels_take_aliases_and_any_case() -> None:
    assert parse_levels("ERROR, Warning,crit") == {"error", "warn", "fatal"}
