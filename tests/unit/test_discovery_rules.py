"""The ``discover`` rules as read from a catalog: what is accepted, and every refusal."""

from __future__ import annotations

import pytest

from tailgate.catalog.model import WORKLOAD_KINDS, Allow, DiscoverRule
from tailgate.catalog.parsing import parse_catalog
from tailgate.errors import ConfigError


def rules_of(text: str) -> tuple[DiscoverRule, ...]:
    return parse_catalog(text, "c.yaml").rules


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_catalog(text, "c.yaml")
    return caught.value.problems


def test_a_rule_of_the_issue_is_read_with_its_defaults() -> None:
    (rule,) = rules_of(
        "discover:\n"
        "  - namespaces: [shop, 'team-*']\n"
        "    allow: {groups: ['{namespace}-devs', ops]}\n"
    )
    assert rule == DiscoverRule(
        namespaces=("shop", "team-*"),
        kinds=WORKLOAD_KINDS,
        id_template="{namespace}.{name}",
        allow=Allow(groups=("{namespace}-devs", "ops")),
    )


def test_events_companions_are_on_unless_a_rule_turns_them_off() -> None:
    on, off = rules_of("discover:\n  - namespaces: [a]\n  - namespaces: [b]\n    events: false\n")
    assert on.events and not off.events


def test_a_catalog_of_rules_alone_needs_no_logs_key() -> None:
    catalog = parse_catalog("discover:\n  - namespaceSelector: 'tailgate=on'\n")
    assert catalog.entries == {}
    assert catalog.rules[0].namespace_selector == "tailgate=on"


def test_kinds_are_kept_in_the_one_order_whatever_the_order_written() -> None:
    (rule,) = rules_of("discover:\n  - namespaces: [a]\n    kinds: [CronJob, Deployment]\n")
    assert rule.kinds == ("Deployment", "CronJob")


def test_an_id_template_may_use_namespace_name_and_kind() -> None:
    (rule,) = rules_of("discover:\n  - namespaces: [a]\n    id: 'k8s-{kind}.{name}'\n")
    assert rule.id_template == "k8s-{kind}.{name}"


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (
            "{kinds: [Deployment]}",
            "give one of 'namespaces' (names or globs) or 'namespaceSelector'",
        ),
        (
            "{namespaces: [a], namespaceSelector: 'x=y'}",
            "give one of 'namespaces' (names or globs) or 'namespaceSelector'",
        ),
        ("{namespaces: []}", "must be a non-empty list of namespace names or globs"),
        ("{namespaces: [Shop]}", "invalid namespace 'Shop'"),
        ("{namespaces: ['../etc']}", "invalid namespace '../etc'"),
        ("{namespaceSelector: 'a=(b'}", "must be a label selector"),
        ("{namespaces: [a], kinds: [Pod]}", "unknown kind 'Pod'"),
        ("{namespaces: [a], kinds: [Job, Job]}", "names a kind twice"),
        ("{namespaces: [a], id: '{namespace}'}", "needs {name}"),
        ("{namespaces: [a], id: '{name}/{x}'}", "fields are {namespace}, {name} and {kind} only"),
        ("{namespaces: [a], id: 'Logs-{name}'}", "text outside the fields must be a-z 0-9"),
        ("{namespaces: [a], id: '{name!r}'}", "must be an ID template"),
        ("{namespaces: [a], id: '{name'}", "must be an ID template"),
        ("{namespaces: [a], allow: {groups: ['{name}-devs']}}", "the only field names may use"),
        ("{namespaces: [a], colour: red}", "unknown key 'colour'"),
        ("{namespaces: [a], events: 'no'}", "events: must be true or false"),
    ],
)
def test_a_bad_rule_is_refused_with_a_clear_problem(rule: str, problem: str) -> None:
    problems = problems_of(f"discover:\n  - {rule}\n")
    assert any(problem in p for p in problems), problems
    assert all(p.startswith("c.yaml:2: discover[0]") for p in problems), problems


def test_discover_must_be_a_list_and_rules_are_bounded() -> None:
    assert problems_of("discover: {namespaces: [a]}\n") == [
        "c.yaml:1: discover: must be a list of rules"
    ]
    many = "discover:\n" + "  - {namespaces: [a]}\n" * 51
    assert problems_of(many) == ["c.yaml:2: discover: more than 50 rules"]
