"""Discovery rules against the fake API server: workloads come and go as the cluster does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tailgate.catalog.model import Catalog
from tests.kube import workloads
from tests.kube.event_views import event_v1
from tests.kube.fake_api import FakeKubeAPI
from tests.support.tails import wait_for

from .conftest import NS, KubeServer, kube_server, objects

RULES = "discover:\n  - namespaces: [shop, 'team-*']\n    allow: {groups: ['{namespace}-devs']}\n"


async def catalog_where(
    server: KubeServer, holds: Callable[[Catalog], bool], timeout: float = 5.0
) -> Catalog:
    """The catalog in force once ``holds`` is true of it, awaiting each change."""
    changed = asyncio.Event()
    server.store.subscribe(lambda _old, _new: changed.set())
    async with asyncio.timeout(timeout):
        while not holds(server.store.current):
            await changed.wait()
            changed.clear()
    return server.store.current


def has(*ids: str) -> Callable[[Catalog], bool]:
    return lambda catalog: all(i in catalog.entries for i in ids)


def lacks(*ids: str) -> Callable[[Catalog], bool]:
    return lambda catalog: not any(i in catalog.entries for i in ids)


def pod_of(kube: FakeKubeAPI, workload: dict[str, Any], name: str) -> None:
    """A running pod the workload (as served) made, with one line in its log."""
    namespace = workload["metadata"]["namespace"]
    kube.create(objects.pod(name, namespace, labels=workloads.pod_labels_of(workload)))
    kube.append_log(namespace, name, "app", f"hello from {name}")


async def api_logs(server: KubeServer) -> list[dict[str, str]]:
    async with server.session.get(f"{server.base_url}/api/logs") as response:
        assert response.status == 200
        logs: list[dict[str, str]] = (await response.json())["logs"]
        return logs


async def test_workloads_in_named_and_globbed_namespaces_are_listed_with_namespace_and_kind(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(workloads.deployment("web", "shop"))
    kube_api.create(workloads.statefulset("db", "team-a"))
    kube_api.create(workloads.daemonset("agent", "kube-system"))
    catalog = RULES + "logs:\n  - {id: app, file: /var/log/app.log}\n"
    async with kube_server(kube_api, tmp_path, catalog=catalog) as server:
        assert await api_logs(server) == [
            {"id": "app", "title": "app", "kind": "file"},
            {
                "id": "shop.web",
                "title": "Deployment shop/web",
                "kind": "Deployment",
                "namespace": "shop",
            },
            {
                "id": "shop.web.events",
                "title": "Deployment shop/web: events",
                "kind": "Deployment",
                "namespace": "shop",
            },
            {
                "id": "team-a.db",
                "title": "StatefulSet team-a/db",
                "kind": "StatefulSet",
                "namespace": "team-a",
            },
            {
                "id": "team-a.db.events",
                "title": "StatefulSet team-a/db: events",
                "kind": "StatefulSet",
                "namespace": "team-a",
            },
        ]
        assert server.store.current.entries["team-a.db"].allow.groups == ("team-a-devs",)  # type: ignore[union-attr]
    # Globs need every namespace: each kind is listed (before serving) across all of them.
    listed = [path for _, path in kube_api.requests if "watch=true" not in path]
    assert listed.count("/apis/apps/v1/deployments") == 1
    assert listed.count("/apis/batch/v1/cronjobs") == 1
    assert not [path for path in listed if path.startswith("/apis/apps/v1/namespaces/")]


async def test_a_namespace_selector_follows_the_labels_of_namespaces(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.namespace("shop"))
    kube_api.create(workloads.deployment("web", "shop"))
    catalog = "discover:\n  - namespaceSelector: 'tailgate=on'\n    kinds: [Deployment]\n"
    async with kube_server(kube_api, tmp_path, catalog=catalog) as server:
        assert lacks("shop.web")(server.store.current)
        kube_api.update(objects.namespace("shop", labels={"tailgate": "on"}))
        await catalog_where(server, has("shop.web"))
        kube_api.update(objects.namespace("shop"))
        await catalog_where(server, lacks("shop.web"))


async def test_workloads_come_change_and_go_and_a_deleted_ones_tail_closes_4410(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    async with kube_server(kube_api, tmp_path, catalog=RULES) as server:
        web = kube_api.create(workloads.deployment("web", NS))
        pod_of(kube_api, web, "web-1")
        await catalog_where(server, has("shop.web"))
        tail = await server.tail("shop.web")
        assert await tail.read_lines(1) == ["hello from web-1"]

        kube_api.update(workloads.deployment("web", NS, match_labels={"app": "web", "v": "2"}))
        changed = await catalog_where(
            server, lambda c: "v=2" in getattr(c.entries["shop.web"].source, "selector", "")
        )
        assert changed.entries["shop.web"].source.selector == "app=web,v=2"  # type: ignore[union-attr]
        await tail.expect_close(4410)

        tail = await server.tail("shop.web")
        kube_api.delete("Deployment", NS, "web")
        await catalog_where(server, lacks("shop.web"))
        await tail.expect_close(4410)


async def test_a_cronjobs_log_is_the_pods_of_the_jobs_it_owns(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    nightly = kube_api.create(workloads.cronjob("nightly", NS))
    run = kube_api.create(workloads.job("nightly-28900000", NS, owner=nightly))
    pod_of(kube_api, run, "nightly-28900000-x1")
    kube_api.create(objects.pod("stray", NS, labels={"app": "nightly"}))  # no Job's pod
    kube_api.append_log(NS, "stray", "app", "not a job's line")
    async with kube_server(kube_api, tmp_path, catalog=RULES) as server:
        assert list(server.store.current.entries) == ["shop.nightly", "shop.nightly.events"]
        tail = await server.tail("shop.nightly")
        assert await tail.read_lines(1) == ["hello from nightly-28900000-x1"]
        later = kube_api.create(workloads.job("nightly-28900005", NS, owner=nightly))
        pod_of(kube_api, later, "nightly-28900005-x2")
        lines = await tail.read_lines(2)
        assert sorted(lines) == ["hello from nightly-28900000-x1", "hello from nightly-28900005-x2"]
        assert list(server.store.current.entries) == ["shop.nightly", "shop.nightly.events"]


async def test_an_explicit_entry_wins_and_the_clash_is_a_warning_event(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    text = RULES + "logs:\n  - id: shop.web\n    pod: {namespace: shop, name: web-0}\n"
    kube_api.create(objects.configmap("tailgate", NS, data={"logs.yaml": text}))
    kube_api.create(workloads.deployment("web", NS))
    async with kube_server(kube_api, tmp_path, configmap="shop/tailgate") as server:
        assert server.store.current.entries["shop.web"].kind == "pod"
        await kube_api.wait_until(lambda: bool(kube_api.store.list("events", NS)))
        (event,) = kube_api.store.list("events", NS)
        assert (event["type"], event["reason"]) == ("Warning", "CatalogProblem")
        assert "Deployment shop/web would be log 'shop.web'" in event["message"]
        assert "the explicit entry stays" in event["message"]


async def test_a_410_on_the_workload_watch_lists_again_and_loses_nothing(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(workloads.deployment("old", NS))
    kube_api.create(workloads.deployment("kept", NS))
    catalog = "discover:\n  - namespaces: [shop]\n    kinds: [Deployment]\n    events: false\n"
    deployments = "/apis/apps/v1/namespaces/shop/deployments"
    async with kube_server(kube_api, tmp_path, catalog=catalog) as server:
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        kube_api.create(objects.configmap("unrelated", NS))  # history moves past the list
        kube_api.expire_watches()
        kube_api.create(workloads.deployment("new", NS))
        kube_api.delete("Deployment", NS, "old")
        await catalog_where(server, lambda c: sorted(c.entries) == ["shop.kept", "shop.new"])
        lists = [p for _, p in kube_api.requests if p.startswith(deployments) and "watch" not in p]
        assert len(lists) == 2


async def test_a_bad_rule_keeps_the_last_good_catalog_and_says_why(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.configmap("tailgate", NS, data={"logs.yaml": RULES}))
    kube_api.create(workloads.deployment("web", NS))
    async with kube_server(kube_api, tmp_path, configmap="shop/tailgate") as server:
        assert list(server.store.current.entries) == ["shop.web", "shop.web.events"]
        bad = "discover:\n  - namespaces: [shop]\n    kinds: [Pod]\n"
        kube_api.update(objects.configmap("tailgate", NS, data={"logs.yaml": bad}))
        await kube_api.wait_until(lambda: bool(kube_api.store.list("events", NS)))
        (event,) = kube_api.store.list("events", NS)
        assert event["reason"] == "CatalogRejected"
        assert "discover[0].kinds: unknown kind 'Pod'" in event["message"]
        assert list(server.store.current.entries) == ["shop.web", "shop.web.events"]
        kube_api.create(workloads.deployment("api", NS))  # the last good rules still apply
        await catalog_where(server, has("shop.api"))


async def test_a_rule_moving_to_a_cluster_wide_watch_keeps_its_workloads_and_their_tails(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    named = "discover:\n  - namespaces: [shop]\n    kinds: [Deployment]\n"
    globbed = "discover:\n  - namespaces: ['sh*']\n    kinds: [Deployment]\n"
    kube_api.create(objects.configmap("tailgate", NS, data={"logs.yaml": named}))
    web = kube_api.create(workloads.deployment("web", NS))
    pod_of(kube_api, web, "web-1")
    async with kube_server(kube_api, tmp_path, configmap="shop/tailgate") as server:
        tail = await server.tail("shop.web")
        assert await tail.read_lines(1) == ["hello from web-1"]
        kube_api.update(objects.configmap("tailgate", NS, data={"logs.yaml": globbed}))
        await catalog_where(server, lambda c: c.rules[0].namespaces == ("sh*",))
        everywhere = "/apis/apps/v1/deployments"
        await kube_api.wait_until(
            lambda: any(p.startswith(everywhere + "?watch") for _, p in kube_api.requests)
        )
        kube_api.append_log(NS, "web-1", "app", "still here")
        assert await tail.read_lines(2) == ["hello from web-1", "still here"]
        assert "shop.web" in server.store.current.entries


async def test_a_rule_with_count_counts_every_workload_it_makes_watched_or_not(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    web = kube_api.create(workloads.deployment("web", "shop"))
    pod_of(kube_api, web, "web-1")
    catalog = 'discover:\n  - namespaces: [shop]\n    count: {errors: "ERROR"}\n'
    async with kube_server(kube_api, tmp_path, catalog=catalog) as server:
        await catalog_where(server, has("shop.web"))
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
        kube_api.append_log("shop", "web-1", "app", "ERROR one", "ok", "ERROR two")
        await wait_for(
            lambda: (
                server.metric("tailgate_log_matches_total", log_id="shop.web", pattern="errors")
                == 2
            )
        )
        assert server.metric("tailgate_log_lines_total", log_id="shop.web") == 3


async def test_a_rule_s_failing_list_is_counted_and_shown_until_it_works_again(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(workloads.deployment("web", "shop"))
    kube_api.create(workloads.statefulset("db", "shop"))
    kube_api.forbid("list", "deployments")
    async with kube_server(kube_api, tmp_path, catalog=RULES) as server:
        await catalog_where(server, has("shop.db"))
        assert "shop.web" not in server.store.current.entries
        await wait_for(
            lambda: (
                server.metric(
                    "tailgate_discovery_errors_total", resource="deployments", reason="forbidden"
                )
                >= 1
            )
        )
        assert server.metric("tailgate_discovery_watches_failing") == 1
        kube_api.allow_all()
        await catalog_where(server, has("shop.web", "shop.db"), timeout=15.0)
        assert server.metric("tailgate_discovery_watches_failing") == 0


async def test_a_workload_s_events_companion_streams_the_events_about_it_only(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    web = kube_api.create(workloads.deployment("web", "shop"))
    api = kube_api.create(workloads.deployment("api", "shop"))
    kube_api.record_event(
        event_v1("e1", "shop", regarding=web, reason="ScalingReplicaSet", note="up to 3")
    )
    kube_api.record_event(event_v1("e2", "shop", regarding=api, reason="Scaled", note="not web"))
    async with kube_server(kube_api, tmp_path, catalog=RULES) as server:
        await catalog_where(server, has("shop.web.events", "shop.api.events"))
        tail = await server.tail("shop.web.events")
        assert await tail.read_lines(1) == ["Normal ScalingReplicaSet Deployment/web: up to 3"]
        await kube_api.wait_until(lambda: kube_api.open_watches >= 1)
        kube_api.record_event(event_v1("e3", "shop", regarding=api, reason="Scaled", note="no"))
        kube_api.record_event(event_v1("e4", "shop", regarding=web, reason="Scaled", note="web"))
        assert await tail.read_lines(2) == [
            "Normal ScalingReplicaSet Deployment/web: up to 3",
            "Normal Scaled Deployment/web: web",
        ]
        await tail.close()


async def test_a_rule_with_events_false_makes_no_companions(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(workloads.deployment("web", "shop"))
    catalog = "discover:\n  - namespaces: [shop]\n    events: false\n"
    async with kube_server(kube_api, tmp_path, catalog=catalog) as server:
        await catalog_where(server, has("shop.web"))
        assert sorted(server.store.current.entries) == ["shop.web"]
