"""Catalog documents: both forms accepted, every problem reported with its line."""

from __future__ import annotations

import pytest

from tailgate.catalog import Allow, FileSpec, parse_catalog
from tailgate.catalog.model import Catalog, LogEntry
from tailgate.errors import ConfigError


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_catalog(text, "c.yaml")
    return info.value.problems


def test_the_full_form_gives_entries_with_titles_and_allow_lists() -> None:
    catalog = parse_catalog(
        """
logs:
  - id: app-error
    title: App error log
    file: /var/log/app/error.log
    allow:
      groups: [ops]
      users: [alice@example.com]
  - id: access
    file: /var/log/app/access.log
    follow: poll
""",
        "c.yaml",
    )
    assert list(catalog.entries) == ["app-error", "access"]
    entry = catalog.entries["app-error"]
    assert entry.title == "App error log"
    assert entry.source == FileSpec("/var/log/app/error.log")
    assert entry.allow == Allow(groups=("ops",), users=("alice@example.com",))
    assert entry.kind == "file"
    access = catalog.entries["access"]
    assert access.title == "access"
    assert access.source.follow == "poll"
    assert access.allow is None


def test_the_short_form_maps_ids_to_paths() -> None:
    catalog = parse_catalog('logs: {"1": /ops/coffee/error.log, 2: /ops/coffee/access.log}')
    assert catalog.entries["1"].source.path == "/ops/coffee/error.log"
    assert catalog.entries["2"].source.path == "/ops/coffee/access.log"


def test_an_empty_log_list_is_a_valid_catalog() -> None:
    assert len(parse_catalog("logs: []")) == 0
    assert len(parse_catalog("logs:")) == 0


def test_every_problem_is_listed_with_its_line() -> None:
    found = problems(
        """logs:
  - id: Bad_ID
    file: /a
  - id: ok
    file: relative/path
  - id: ok2
  - id: dup
    file: /b
  - id: dup
    file: /c
    colour: red
"""
    )
    assert any(p.startswith("c.yaml:2: logs[0].id: invalid id 'Bad_ID'") for p in found)
    assert any(p.startswith("c.yaml:5: logs[1].file: must be an absolute path") for p in found)
    assert any(p.startswith("c.yaml:6: logs[2]: missing 'file'") for p in found)
    assert any(
        "duplicate id 'dup' (first at line 7)" in p and p.startswith("c.yaml:9:") for p in found
    )
    assert any(p.startswith("c.yaml:11: logs[4]: unknown key 'colour'") for p in found)
    assert len(found) == 5


def test_yaml_syntax_errors_name_the_line() -> None:
    (problem,) = problems("logs:\n  - id: a\n    file: [unclosed\n")
    assert problem.startswith("c.yaml:")
    assert "not valid YAML" in problem


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("- a\n- b\n", "must be a mapping"),
        ("other: 1\n", "unknown key 'other'"),
        ("logs: 5\n", "must be a list of entries or a mapping"),
        ("logs:\n  - id: a\n    file: /a\n    follow: sometimes\n", "must be one of auto, poll"),
        ("logs:\n  - id: a\n    file: /a\n    allow: [ops]\n", "'groups' and/or 'users'"),
        ("logs:\n  - id: a\n    file: /a\n    allow: {teams: [x]}\n", "unknown key 'teams'"),
        ("logs:\n  - id: a\n    file: /a\n    allow: {groups: ops}\n", "must be a list of names"),
        ("logs:\n  - id: a\n    file: /a\n    allow: {users: ['', bob]}\n", "non-empty text"),
        ("logs:\n  - id: " + "a" * 64 + "\n    file: /a\n", "invalid id"),
        ("logs:\n  - just a string\n", "must be a mapping"),
        ('logs: {"x": null}\n', "must be a file path"),
    ],
)
def test_each_kind_of_mistake_has_its_own_message(text: str, fragment: str) -> None:
    assert any(fragment in p for p in problems(text))


def test_changed_ids_are_those_removed_or_pointing_elsewhere() -> None:
    old = Catalog(
        {
            "a": LogEntry("a", "A", FileSpec("/a")),
            "b": LogEntry("b", "B", FileSpec("/b")),
            "c": LogEntry("c", "C", FileSpec("/c")),
        }
    )
    new = Catalog(
        {
            "a": LogEntry("a", "A renamed", FileSpec("/a"), Allow(groups=("ops",))),
            "b": LogEntry("b", "B", FileSpec("/b2")),
            "d": LogEntry("d", "D", FileSpec("/d")),
        }
    )
    assert old.changed_ids(new) == {"b", "c"}


def test_a_repeated_key_is_refused_instead_of_silently_winning() -> None:
    found = problems("logs:\n  - id: a\n    file: /a\n    file: /b\n")
    assert found == ["c.yaml:4: duplicate key 'file' (first at line 3)"]


@pytest.mark.parametrize("log_id", [".", ".."])
def test_ids_that_a_url_path_resolves_away_are_refused(log_id: str) -> None:
    found = problems(f'logs:\n  - id: "{log_id}"\n    file: /a\n')
    assert found == [
        f"c.yaml:2: logs[0].id: invalid id {log_id!r}: '.' and '..' cannot be reached in a URL path"
    ]
    (short,) = problems(f'logs: {{"{log_id}": /a}}\n')
    assert "cannot be reached in a URL path" in short


def test_ids_made_of_dots_other_than_dot_segments_are_kept() -> None:
    assert list(parse_catalog("logs:\n  - id: '...'\n    file: /a\n").entries) == ["..."]


def test_a_flood_of_problems_lists_the_first_hundred_and_counts_the_rest() -> None:
    text = "logs:\n" + "- 1\n" * 100_000
    found = problems(text)
    assert len(found) == 101
    assert found[0] == "c.yaml:2: logs[0]: must be a mapping with at least 'id' and 'file'"
    assert found[-1] == "c.yaml: and 99900 more problem(s)"


def test_a_problem_past_the_hundredth_is_still_counted() -> None:
    text = "logs:\n" + "- 1\n" * 100 + "- {id: ok, file: /a, colour: red}\n"
    found = problems(text)
    assert found[-1] == "c.yaml: and 1 more problem(s)"


def test_count_names_patterns_in_order() -> None:
    catalog = parse_catalog(
        """
logs:
  - id: app
    file: /var/log/app.log
    count:
      errors: "ERROR|FATAL"
      timeouts: timed out
""",
        "c.yaml",
    )
    assert catalog.entries["app"].count == (("errors", "ERROR|FATAL"), ("timeouts", "timed out"))


@pytest.mark.parametrize(
    ("count", "problem"),
    [
        ('{errors: "(a"}', "bad regex"),
        ('{errors: "(a)\\\\1"}', "bad regex"),
        ("{Errors: x}", "a counter name is 1-40 characters"),
        ("{errors: x, errors: y}", "duplicate"),
        ("{errors: [x]}", "must be a pattern"),
        ("{}", "must be a mapping of counter names"),
        ("[x]", "must be a mapping of counter names"),
    ],
)
def test_a_bad_count_is_a_catalog_problem(count: str, problem: str) -> None:
    found = problems(f"logs:\n  - id: app\n    file: /var/log/app.log\n    count: {count}\n")
    assert any(problem in p for p in found), found
