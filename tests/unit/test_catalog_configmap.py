"""A ConfigMap's keys as a catalog: logs.yaml and short entries, read by the one parser."""

from __future__ import annotations

import pytest

from tailgate.catalog.configmap_keys import CatalogParts, configmap_catalog
from tailgate.catalog.model import FileSpec
from tailgate.catalog.yaml_document import MAX_CATALOG_CHARS, MAX_DEPTH
from tailgate.errors import ConfigError

from .test_catalog_yaml_document import alias_bomb

WEB = "logs:\n  - id: web\n    pod: {namespace: shop, name: web-0}\n"


def problems(data: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        configmap_catalog(data, "ns/cm")
    assert info.value.problems, "a ConfigError names at least one problem"
    return info.value.problems


def test_short_entries_and_logs_yaml_merge_and_other_keys_are_ignored() -> None:
    data = {"logs.yaml": WEB, "app": "/var/log/app.log", "README": "see the wiki"}
    catalog = configmap_catalog(data, "ns/cm")
    assert sorted(catalog.entries) == ["app", "web"]
    assert catalog.entries["app"].source == FileSpec("/var/log/app.log")


@pytest.mark.parametrize(
    ("data", "ids"),
    [
        ({}, []),
        ({"README": "notes", "multi": "/a\n/b"}, []),
        ({"a": " /var/log/a.log \n"}, ["a"]),
        ({"logs.yaml": "logs: []\n"}, []),
        ({"logs.yaml": "logs: {x: /x.log}\n", "y": "/y.log"}, ["x", "y"]),
    ],
)
def test_the_catalog_holds_exactly_what_the_keys_give(data: dict[str, str], ids: list[str]) -> None:
    assert sorted(configmap_catalog(data, "ns/cm").entries) == ids


def test_problems_in_logs_yaml_keep_its_lines_beside_short_entries() -> None:
    assert problems({"logs.yaml": "logs: [1]\n", "a": "/a"}) == [
        "ns/cm/logs.yaml:1: logs[0]: must be a mapping with at least 'id' and 'file'"
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"Bad": "/a.log"}, "ns/cm: key 'Bad': invalid id 'Bad'"),
        ({"..": "/a.log"}, "ns/cm: key '..': invalid id '..'"),
        ({"a": "/a\0b"}, "ns/cm: key 'a': must not contain NUL characters"),
        (
            {"logs.yaml": WEB, "web": "/w.log"},
            "ns/cm: key 'web': duplicate id 'web' (first at line 2",
        ),
    ],
)
def test_a_short_entry_problem_names_its_key(data: dict[str, str], problem: str) -> None:
    (got,) = problems(data)
    assert got.startswith(problem)


def test_problems_in_both_parts_are_all_listed() -> None:
    got = problems({"logs.yaml": "logs:\n  - id: Up\n    file: /u\n", "Bad": "/b"})
    assert [p.split(": ")[0] for p in got] == ["ns/cm/logs.yaml:2", "ns/cm"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (alias_bomb(9), "ns/cm/logs.yaml:2: the alias *a is not allowed"),
        ("logs: " + "[" * (MAX_DEPTH + 1), "ns/cm/logs.yaml:1: nested more than"),
        ("#" * (MAX_CATALOG_CHARS + 1), "ns/cm/logs.yaml: larger than"),
        ("", "ns/cm/logs.yaml: the catalog is empty"),
    ],
)
def test_logs_yaml_has_the_limits_of_a_catalog_file(text: str, problem: str) -> None:
    (got,) = problems({"logs.yaml": text, "app": "/var/log/app.log"})
    assert got.startswith(problem)


def test_parts_compare_equal_when_the_catalog_would_read_the_same() -> None:
    before = CatalogParts.of({"logs.yaml": WEB, "a": "/a", "README": "one"})
    assert before == CatalogParts.of({"a": "/a ", "README": "two", "logs.yaml": WEB})
    assert before != CatalogParts.of({"logs.yaml": WEB, "a": "/b"})


@pytest.mark.parametrize(
    ("data", "origin"),
    [
        ({"a": "/a"}, "ns/cm"),
        ({"logs.yaml": WEB}, "ns/cm/logs.yaml"),
        ({"logs.yaml": WEB, "a": "/a"}, "ns/cm (logs.yaml and short entries)"),
    ],
)
def test_the_origin_names_the_parts_in_use(data: dict[str, str], origin: str) -> None:
    assert CatalogParts.of(data).origin("ns/cm") == origin
