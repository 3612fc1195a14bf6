"""Catalog documents cost what their size says: no alias bombs, no deep nesting."""

from __future__ import annotations

import itertools

import pytest

from tailgate.catalog import parse_catalog
from tailgate.catalog.yaml_document import MAX_CATALOG_CHARS, MAX_DEPTH
from tailgate.errors import ConfigError


def alias_bomb(levels: int) -> str:
    """A "billion laughs" document: each level lists the previous one nine times."""
    names = "abcdefghijklmnopqrstuvwxyz"[:levels]
    lines = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    for before, name in itertools.pairwise(names):
        refs = ",".join([f"*{before}"] * 9)
        lines.append(f"{name}: &{name} [{refs}]")
    lines.append(f"logs: *{names[-1]}")
    return "\n".join(lines) + "\n"


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_catalog(text, "c.yaml")
    return info.value.problems


def test_an_alias_bomb_is_refused_at_the_line_of_its_first_alias() -> None:
    # Five levels (59,049 values) keep the old exponential walk short enough to fail
    # rather than hang; tests/integration has the nine levels of the report.
    assert problems(alias_bomb(5)) == [
        "c.yaml:2: the alias *a is not allowed: a catalog cannot use YAML aliases; "
        "write the value out"
    ]


def test_a_shared_allow_list_through_an_alias_is_refused_too() -> None:
    found = problems(
        "logs:\n"
        "  - id: a\n    file: /a\n    allow: &ops {groups: [ops]}\n"
        "  - id: b\n    file: /b\n    allow: *ops\n"
    )
    assert len(found) == 1
    assert found[0].startswith("c.yaml:7: the alias *ops is not allowed")


def test_an_anchor_without_an_alias_is_harmless() -> None:
    catalog = parse_catalog("logs:\n  - &first\n    id: a\n    file: /a\n")
    assert list(catalog.entries) == ["a"]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        "logs: " + "{a: " * 100_000,
        "logs:\n" + "".join(" " * depth + "-\n" for depth in range(1000)),
    ],
    ids=["flow sequences", "unclosed flow mappings", "block sequences"],
)
def test_deep_nesting_is_refused_instead_of_exhausting_the_stack(text: str) -> None:
    (problem,) = problems(text)
    assert f"nested more than {MAX_DEPTH} levels deep" in problem
    assert problem.startswith("c.yaml:")


def test_the_deepest_value_of_a_valid_catalog_is_well_within_the_depth_limit() -> None:
    catalog = parse_catalog(
        "logs:\n  - id: a\n    file: /a\n    allow: {groups: [ops], users: [alice]}\n"
    )
    assert catalog.entries["a"].allow is not None


def test_a_document_over_the_size_limit_is_refused_before_it_is_parsed() -> None:
    text = "logs: []\n" + "#" * MAX_CATALOG_CHARS
    (problem,) = problems(text)
    assert problem == "c.yaml: larger than 8 MiB; split the catalog"


def test_a_second_document_in_the_stream_is_refused_with_its_line() -> None:
    (problem,) = problems("logs: []\n---\nlogs: []\n")
    assert problem.startswith("c.yaml:2: not valid YAML")
