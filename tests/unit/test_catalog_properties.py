"""Property-based tests: whatever the catalog text, a Catalog or a ConfigError."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yarl import URL

from tailgate.catalog import Catalog, parse_catalog
from tailgate.catalog.configmap_keys import configmap_catalog, short_entries
from tailgate.errors import ConfigError

#: Few examples, no deadline: a shared, slow machine must not make these flaky.
PROPERTIES = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

IDS = st.one_of(
    st.sampled_from(["a", "app-error", ".", "..", "...", "x" * 63, "x" * 64, "Bad", "1", ""]),
    st.text(alphabet="abz09._-/% A\u00e9", max_size=8),
)
PATHS = st.one_of(
    st.sampled_from(["/var/log/a.log", "relative.log", "/", "", "/proc/self/environ", "/a\0b"]),
    st.text(max_size=12),
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=10)
)


def values(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=8,
    )


ANY_VALUE = values(SCALARS)
POD = st.fixed_dictionaries(
    {},
    optional={
        "namespace": st.one_of(st.sampled_from(["shop", "Shop", "-x"]), ANY_VALUE),
        "name": st.one_of(st.sampled_from(["web-0", "a.b", "A"]), ANY_VALUE),
        "container": st.one_of(st.sampled_from(["app", ""]), ANY_VALUE),
        "previous": st.one_of(st.booleans(), ANY_VALUE),
        "selector": st.one_of(
            st.sampled_from(["app=api", "env in (a,b)", "!legacy", "a=(", "x,,y"]),
            st.text(max_size=12),
        ),
    },
)
ENTRY = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(IDS, ANY_VALUE),
        "title": st.one_of(st.text(max_size=20), st.text(min_size=201, max_size=210), ANY_VALUE),
        "file": st.one_of(PATHS, ANY_VALUE),
        "follow": st.one_of(st.sampled_from(["auto", "poll", "never"]), ANY_VALUE),
        "allow": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "groups": st.lists(st.one_of(st.text(max_size=5), ANY_VALUE), max_size=3),
                    "users": st.lists(st.one_of(st.text(max_size=5), ANY_VALUE), max_size=3),
                },
            ),
            ANY_VALUE,
        ),
        "pod": st.one_of(POD, ANY_VALUE),
        "pods": st.one_of(POD, ANY_VALUE),
        "colour": ANY_VALUE,
    },
)
#: Entries that are mostly valid, so that accepted catalogs are common too.
GOOD_ENTRY = st.fixed_dictionaries(
    {
        "id": st.one_of(st.from_regex(r"[a-z0-9._-]{1,10}", fullmatch=True), IDS),
        "file": st.sampled_from(["/var/log/a.log", "/srv/logs/b", "relative.log"]),
    },
    optional={
        "title": st.text(max_size=20),
        "follow": st.sampled_from(["auto", "poll"]),
        "allow": st.fixed_dictionaries(
            {}, optional={"groups": st.lists(st.text(min_size=1, max_size=5), max_size=2)}
        ),
    },
)
DOCUMENTS = st.one_of(
    st.fixed_dictionaries({"logs": st.lists(GOOD_ENTRY, max_size=4)}),
    st.fixed_dictionaries({"logs": st.lists(st.one_of(GOOD_ENTRY, ENTRY), max_size=4)}),
    st.fixed_dictionaries({"logs": st.dictionaries(IDS, st.one_of(PATHS, ANY_VALUE), max_size=4)}),
    st.dictionaries(st.sampled_from(["logs", "other"]), ANY_VALUE, max_size=2),
    ANY_VALUE,
)


def parsed(text: str) -> Catalog | ConfigError:
    """The parser's answer; any other exception fails the property."""
    try:
        return parse_catalog(text, "c.yaml")
    except ConfigError as exc:
        assert exc.problems, "a ConfigError names at least one problem"
        assert all(p.startswith("c.yaml") for p in exc.problems)
        return exc


@PROPERTIES
@given(st.text(max_size=300))
def test_any_text_gives_a_catalog_or_a_config_error(text: str) -> None:
    parsed(text)


@PROPERTIES
@given(st.text(alphabet="logs:-id fle/\n\"'[]{},&*!?#|>.0a", max_size=200))
def test_text_made_of_yaml_punctuation_gives_a_catalog_or_a_config_error(text: str) -> None:
    parsed(text)


@PROPERTIES
@given(
    st.builds(
        lambda openings, depth: "".join(openings) * depth,
        st.lists(st.sampled_from(["[", "{a: ", "- ", "[{", "{? "]), min_size=1, max_size=3),
        st.integers(min_value=0, max_value=3000),
    ),
    st.sampled_from(["", "logs: ", "logs:\n"]),
)
def test_nesting_of_any_depth_gives_a_catalog_or_a_config_error(opening: str, prefix: str) -> None:
    parsed(prefix + opening)


@PROPERTIES
@given(DOCUMENTS, st.booleans())
def test_structured_documents_give_a_catalog_or_a_config_error(document: Any, flow: bool) -> None:
    result = parsed(yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True))
    if isinstance(result, Catalog):
        assert isinstance(document, dict) and "logs" in document
        for log_id, entry in result.entries.items():
            assert entry.id == log_id
            # Every accepted ID survives what a browser or client does to a URL path.
            for prefix in ("/ws/tail/", "/api/logs/"):
                url = URL("http://tailgate.example" + prefix + log_id)
                assert url.path == prefix + log_id


@PROPERTIES
@given(
    st.dictionaries(
        st.one_of(st.just("logs.yaml"), st.text(alphabet="abc.-_", min_size=1, max_size=5)),
        st.one_of(st.text(max_size=30), PATHS, st.just("logs:\n  - id: a\n    file: /a\n")),
        max_size=4,
    )
)
def test_any_configmap_data_gives_a_catalog_or_a_config_error(data: dict[str, str]) -> None:
    try:
        catalog = configmap_catalog(data, "shop/tailgate")
    except ConfigError as exc:
        assert exc.problems, "a ConfigError names at least one problem"
        assert all(p.startswith("shop/tailgate") for p in exc.problems)
        return
    assert set(short_entries(data)) <= set(catalog.entries)
