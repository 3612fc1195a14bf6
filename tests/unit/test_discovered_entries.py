"""Rules and the cluster's workloads to entries, watch plans and merges: no cluster needed."""

from __future__ import annotations

from tailgate.catalog.discovered import discovered_entries, merged, watch_plan
from tailgate.catalog.model import (
    Allow,
    Catalog,
    DiscoverRule,
    EventsSpec,
    LogEntry,
    PodSpec,
    PodsSpec,
    Workload,
)
from tailgate.catalog.workload_pods import pod_selector
from tests.kube import workloads


def rule(*namespaces: str, **kw: object) -> DiscoverRule:
    """A rule without ``events`` companions unless asked: most tests are of the logs."""
    kw.setdefault("events", False)
    return DiscoverRule(namespaces=namespaces, **kw)  # type: ignore[arg-type]


def served(obj: dict[str, object], uid: str = "u-1") -> dict[str, object]:
    """``obj`` as the API server returns it (a uid; a Job's generated selector)."""
    obj["metadata"]["uid"] = uid  # type: ignore[index]
    if obj["kind"] == "Job":
        workloads.default_job_selector(obj)
    return obj


def test_names_and_globs_choose_namespaces_and_each_workload_is_a_pods_entry() -> None:
    found = {
        "Deployment": [
            workloads.deployment("web", "shop"),
            workloads.deployment("api", "team-a"),
            workloads.deployment("api", "teams"),
            workloads.deployment("other", "elsewhere"),
        ]
    }
    entries, problems = discovered_entries(
        [rule("shop", "team-*", allow=Allow(groups=("{namespace}-devs", "ops")))], found, {}
    )
    assert problems == []
    assert sorted(entries) == ["shop.web", "team-a.api"]
    web = entries["shop.web"]
    assert web == LogEntry(
        "shop.web",
        "Deployment shop/web",
        PodsSpec("shop", "app=web"),
        Allow(groups=("shop-devs", "ops")),
        workload=Workload("Deployment", "shop", "web"),
    )


def test_a_namespace_selector_takes_the_namespaces_it_selects_now() -> None:
    found = {"StatefulSet": [workloads.statefulset("db", "a"), workloads.statefulset("db", "b")]}
    rules = [DiscoverRule(namespace_selector="tailgate=on", events=False)]
    entries, _ = discovered_entries(rules, found, {"tailgate=on": frozenset({"b"})})
    assert list(entries) == ["b.db"]


def test_match_expressions_become_the_selector_the_api_server_reads() -> None:
    deployment = workloads.deployment(
        "web",
        "shop",
        match_labels={"app": "web", "tier": "front"},
        match_expressions=[
            {"key": "track", "operator": "In", "values": ["stable", "canary"]},
            {"key": "env", "operator": "NotIn", "values": ["test"]},
            {"key": "team", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"},
        ],
    )
    assert pod_selector("Deployment", deployment) == (
        "app=web,tier=front,track in (stable,canary),env notin (test),team,!legacy"
    )


def test_a_cronjob_is_its_jobs_pods_and_its_jobs_are_no_entries_of_their_own() -> None:
    nightly = served(workloads.cronjob("nightly", "shop"))
    found = {
        "CronJob": [nightly],
        "Job": [
            served(workloads.job("nightly-1", "shop", owner=nightly), "u-2"),
            served(workloads.job("migrate", "shop"), "u-3"),
        ],
    }
    entries, problems = discovered_entries([rule("shop")], found, {})
    assert problems == []
    assert entries["shop.nightly"].source == PodsSpec(
        "shop", "app=nightly,batch.kubernetes.io/controller-uid"
    )
    assert entries["shop.migrate"].source == PodsSpec(
        "shop", "batch.kubernetes.io/controller-uid=u-3"
    )
    assert sorted(entries) == ["shop.migrate", "shop.nightly"]


def test_a_cronjob_whose_pods_carry_no_labels_is_a_problem_not_every_job() -> None:
    bare = served(workloads.cronjob("bare", "shop", pod_labels={}))
    entries, problems = discovered_entries([rule("shop")], {"CronJob": [bare]}, {})
    assert entries == {}
    assert problems == [
        "CronJob shop/bare is not listed: its job template's pods carry no labels to tell them by"
    ]


def test_two_workloads_with_one_id_keep_the_first_and_say_so() -> None:
    found = {
        "Deployment": [workloads.deployment("web", "shop")],
        "StatefulSet": [workloads.statefulset("web", "shop")],
    }
    entries, problems = discovered_entries([rule("shop")], found, {})
    assert entries["shop.web"].title == "Deployment shop/web"
    assert problems == [
        "StatefulSet shop/web would be log 'shop.web', which Deployment shop/web already is; "
        "only the first is listed"
    ]
    with_kind, none = discovered_entries([rule("shop", id_template="{kind}.{name}")], found, {})
    assert sorted(with_kind) == ["deployment.web", "statefulset.web"] and none == []


def test_an_id_too_long_for_a_workload_is_a_problem_of_that_workload_only() -> None:
    long_name = "w" * 60
    found = {
        "DaemonSet": [workloads.daemonset(long_name, "shop"), workloads.daemonset("ok", "shop")]
    }
    entries, problems = discovered_entries([rule("shop")], found, {})
    assert list(entries) == ["shop.ok"]
    assert len(problems) == 1 and "is not a valid log ID" in problems[0]


def test_the_first_rule_that_takes_a_workload_makes_its_entry() -> None:
    found = {"Deployment": [workloads.deployment("web", "shop")]}
    rules = [rule("shop", id_template="first.{name}"), rule("sh*", id_template="second.{name}")]
    entries, _ = discovered_entries(rules, found, {})
    assert list(entries) == ["first.web"]


def test_explicit_entries_win_over_discovered_ones_and_the_clash_is_said() -> None:
    explicit = Catalog({"shop.web": LogEntry("shop.web", "web", PodSpec("shop", "web-0"))})
    entries, _ = discovered_entries(
        [rule("shop")], {"Deployment": [workloads.deployment("web", "shop")]}, {}
    )
    catalog, problems = merged(explicit, entries)
    assert catalog.entries == explicit.entries
    assert problems == [
        "Deployment shop/web would be log 'shop.web', which an explicit entry of the catalog "
        "already is; the explicit entry stays"
    ]


def test_named_namespaces_are_watched_there_and_globs_and_selectors_everywhere() -> None:
    plan = watch_plan(
        [
            rule("shop", "web", kinds=("Deployment", "Job")),
            rule("team-*", kinds=("Job",)),
            DiscoverRule(namespace_selector="tailgate=on", kinds=("CronJob",)),
        ]
    )
    assert plan.workloads == {
        ("Deployment", "shop"),
        ("Deployment", "web"),
        ("Job", ""),
        ("CronJob", ""),
    }
    assert plan.namespace_selectors == {"tailgate=on"}


def test_each_workload_gets_an_events_companion_about_it_with_the_same_allow() -> None:
    allow = Allow(groups=("{namespace}-devs",))
    found = {
        "Deployment": [served(workloads.deployment("web", "shop"))],
        "CronJob": [served(workloads.cronjob("nightly", "shop"), "u-2")],
    }
    entries, problems = discovered_entries([rule("shop", allow=allow, events=True)], found, {})
    assert problems == []
    assert sorted(entries) == ["shop.nightly", "shop.nightly.events", "shop.web", "shop.web.events"]
    companion = entries["shop.web.events"]
    assert companion.source == EventsSpec("shop", "Deployment", "web")
    assert companion.title == "Deployment shop/web: events"
    assert companion.allow == entries["shop.web"].allow == Allow(groups=("shop-devs",))
    assert companion.workload == Workload("Deployment", "shop", "web")
    assert companion.count == ()
    assert entries["shop.nightly.events"].source == EventsSpec("shop", "CronJob", "nightly")
    assert DiscoverRule(namespaces=("shop",)).events, "companions are on by default"


def test_a_companion_whose_id_would_be_too_long_is_a_problem_and_its_workload_stays() -> None:
    name = "w" * (63 - len("shop.") - 3)
    found = {"Deployment": [served(workloads.deployment(name, "shop"))]}
    entries, problems = discovered_entries([rule("shop", events=True)], found, {})
    assert sorted(entries) == [f"shop.{name}"]
    assert len(problems) == 1 and "events: false" in problems[0]


def test_a_companion_s_id_taken_by_another_workload_keeps_the_first() -> None:
    found = {
        "Deployment": [served(workloads.deployment("web", "shop"))],
        "StatefulSet": [served(workloads.statefulset("web.events", "shop"), "u-2")],
    }
    entries, problems = discovered_entries([rule("shop", events=True)], found, {})
    assert entries["shop.web.events"].source == EventsSpec("shop", "Deployment", "web")
    assert any("'shop.web.events'" in p and "only the first" in p for p in problems)
