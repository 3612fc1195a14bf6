"""Catalog entries for Kubernetes Events: ``events``, validated with line numbers."""

from __future__ import annotations

import pytest

from tailgate.catalog.model import EventsSpec
from tailgate.catalog.parsing import parse_catalog
from tailgate.errors import ConfigError
from tailgate.events.event_stream import field_selector


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_catalog(text, "c.yaml")
    return info.value.problems


def test_events_entries_parse_into_their_spec_and_selector() -> None:
    catalog = parse_catalog(
        "logs:\n"
        "  - id: shop-events\n"
        "    events: {namespace: shop}\n"
        "  - id: web-events\n"
        "    events: {namespace: shop, involved: {kind: Deployment, name: web}}\n"
        "  - id: pod-events\n"
        "    events: {namespace: shop, involved: {name: web-0.x}}\n"
    )
    shop, web, pod = (
        catalog.entries[i].source for i in ("shop-events", "web-events", "pod-events")
    )
    assert shop == EventsSpec("shop")
    assert web == EventsSpec("shop", "Deployment", "web")
    assert pod == EventsSpec("shop", None, "web-0.x")
    assert catalog.entries["web-events"].kind == "events"
    assert isinstance(shop, EventsSpec) and field_selector(shop) is None
    assert isinstance(web, EventsSpec)
    assert field_selector(web) == "regarding.kind=Deployment,regarding.name=web"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("events: {}", "c.yaml:3: logs[0].events: missing 'namespace'"),
        ("events: {namespace: Shop}", "logs[0].events.namespace: invalid namespace 'Shop'"),
        ("events: {namespace: shop, extra: 1}", "logs[0].events: unknown key 'extra'"),
        ("events: {namespace: shop, involved: {}}", "logs[0].events.involved: give 'kind'"),
        # A selector is built from these: nothing that could add a term gets through.
        (
            "events: {namespace: shop, involved: {kind: 'Pod,type=Normal'}}",
            "logs[0].events.involved.kind: invalid kind 'Pod,type=Normal'",
        ),
        (
            "events: {namespace: shop, involved: {name: 'web,reason=x'}}",
            "logs[0].events.involved.name: invalid name 'web,reason=x'",
        ),
        ("events: shop", "logs[0].events"),
        ("file: /x\n    events: {namespace: shop}", "give only one of"),
    ],
)
def test_every_bad_events_entry_is_a_problem_with_its_line(body: str, fragment: str) -> None:
    found = problems(f"logs:\n  - id: a\n    {body}\n")
    assert any(fragment in p for p in found), found
