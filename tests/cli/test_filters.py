"""The terminal client's line filter: what ``--grep``, ``--invert`` and ``--levels`` show,
and the query that would ask the server for the same."""

from __future__ import annotations

import pytest

from tailgate.client.filters import LineFilter, level_of, parse_levels


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("2024-01-01 ERROR db down", "error"),
        ("level=warn msg=slow", "warn"),
        ('{"level":"info","msg":"ok"}', "info"),
        ("WARNING: disk 91%", "warn"),
        ("[crit] out of memory", "fatal"),
        ("INFO retrying after error", "info"),
        ("GET / 200", None),
        ("terrorism is not a level", None),
    ],
)
def test_the_first_level_word_of_a_line_is_its_level(line: str, level: str | None) -> None:
    assert level_of(line) == level


@pytest.mark.parametrize(
    ("grep", "invert", "levels", "shown"),
    [
        (None, False, None, ["GET / 200", "ERROR db", "warn: slow", "POST /x 500"]),
        ("^GET|^POST", False, None, ["GET / 200", "POST /x 500"]),
        ("^GET|^POST", True, None, ["ERROR db", "warn: slow"]),
        (None, False, "error,warning", ["ERROR db", "warn: slow"]),
        ("db", True, "error,warn", ["warn: slow"]),
    ],
)
def test_a_filter_shows_the_lines_its_flags_ask_for(
    grep: str | None, invert: bool, levels: str | None, shown: list[str]
) -> None:
    lines = ["GET / 200", "ERROR db", "warn: slow", "POST /x 500"]
    wanted = LineFilter.build(grep, invert, levels)
    assert [line for line in lines if wanted.shows(line)] == shown


def test_the_filter_travels_as_the_websocket_query_the_server_will_read() -> None:
    assert LineFilter.build(None, False, None).query() == {}
    assert LineFilter.build("a+b", True, "warn,error").query() == {
        "filter": "a+b",
        "regex": "1",
        "invert": "1",
        "levels": "warn,error",
    }


@pytest.mark.parametrize(
    ("grep", "invert", "levels", "problem"),
    [
        ("(", False, None, "not a regular expression"),
        ("x" * 1001, False, None, "longer than 1000"),
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
