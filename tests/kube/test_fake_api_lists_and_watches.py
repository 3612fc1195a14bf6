"""Lists and watches on the wire: resourceVersions, selectors, pagination and 410s."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from . import objects, workloads
from .fake_api import FakeKubeAPI

PODS = "/api/v1/namespaces/tailgate/pods"


async def read_events(response: aiohttp.ClientResponse, count: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(5):
        while len(events) < count:
            line = await response.content.readline()
            assert line, f"stream ended after {events}"
            events.append(json.loads(line))
    return events


async def test_list_items_omit_kind_and_carry_the_list_resource_version(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("b", "tailgate"))
    kube_api.create(objects.pod("a", "tailgate"))

    async with http.get(PODS) as response:
        body = await response.json()

    assert body["kind"] == "PodList"
    assert body["metadata"] == {"resourceVersion": str(kube_api.resource_version)}
    assert [item["metadata"]["name"] for item in body["items"]] == ["a", "b"]
    assert all("kind" not in item and "apiVersion" not in item for item in body["items"])


async def test_label_and_field_selectors_filter_lists(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("a", "tailgate", labels={"app": "api", "tier": "web"}))
    kube_api.create(objects.pod("b", "tailgate", labels={"app": "api"}))
    kube_api.create(
        objects.pod("c", "tailgate", labels={"app": "db"}, states={"app": "terminated"})
    )

    async def names(**params: str) -> list[str]:
        async with http.get(PODS, params=params) as response:
            assert response.status == 200, await response.text()
            return [i["metadata"]["name"] for i in (await response.json())["items"]]

    assert await names(labelSelector="app==api,tier") == ["a"]
    assert await names(labelSelector="app!=api") == ["c"]
    assert await names(labelSelector="app in (api, db),!tier") == ["b", "c"]
    assert await names(labelSelector="app notin (api)") == ["c"]
    assert await names(fieldSelector="metadata.name=b") == ["b"]
    assert await names(fieldSelector="status.phase=Running") == ["a", "b", "c"]
    assert await names(fieldSelector="metadata.namespace=other") == []


async def test_an_unsupported_field_label_is_a_bad_request(http: aiohttp.ClientSession) -> None:
    async with http.get(
        "/api/v1/namespaces/tailgate/configmaps", params={"fieldSelector": "status.phase=x"}
    ) as response:
        body = await response.json()
    assert response.status == 400
    assert body["message"] == "field label not supported: status.phase"


async def test_pages_are_a_consistent_snapshot_until_compaction(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    for name in ("a", "b", "c"):
        kube_api.create(objects.configmap(name, "tailgate"))
    url = "/api/v1/namespaces/tailgate/configmaps"
    async with http.get(url, params={"limit": "2"}) as response:
        first = await response.json()
    kube_api.delete("ConfigMap", "tailgate", "c")

    async with http.get(url, params={"limit": "2", "continue": first["metadata"]["continue"]}) as r:
        second = await r.json()
    kube_api.compact()
    async with http.get(url, params={"limit": "2", "continue": first["metadata"]["continue"]}) as r:
        expired = await r.json()

    assert [i["metadata"]["name"] for i in first["items"]] == ["a", "b"]
    assert first["metadata"]["remainingItemCount"] == 1
    assert [i["metadata"]["name"] for i in second["items"]] == ["c"]
    assert second["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    assert (r.status, expired["reason"], expired["code"]) == (410, "Expired", 410)


async def test_a_watch_without_resource_version_starts_with_synthetic_added_events(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("a", "tailgate"))
    async with http.get(PODS, params={"watch": "1"}) as response:
        assert response.headers["Content-Type"] == "application/json"
        [added] = await read_events(response, 1)
        kube_api.delete("Pod", "tailgate", "a")
        [deleted] = await read_events(response, 1)

    assert (added["type"], added["object"]["kind"]) == ("ADDED", "Pod")
    assert deleted["type"] == "DELETED"
    assert int(deleted["object"]["metadata"]["resourceVersion"]) == kube_api.resource_version


async def test_a_label_change_enters_and_leaves_a_selected_watch(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    pod = kube_api.create(objects.pod("a", "tailgate", labels={"app": "web"}))
    rv = pod["metadata"]["resourceVersion"]
    params = {"watch": "true", "labelSelector": "app=api", "resourceVersion": rv}
    async with http.get(PODS, params=params) as response:
        pod["metadata"]["labels"] = {"app": "api"}
        pod = kube_api.update(pod)
        pod["metadata"]["labels"] = {"app": "api", "v": "2"}
        pod = kube_api.update(pod)
        pod["metadata"]["labels"] = {"app": "web"}
        kube_api.update(pod)
        events = await read_events(response, 3)

    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]


async def test_a_watch_from_a_compacted_version_gets_an_expired_error_event(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    old = kube_api.create(objects.pod("a", "tailgate"))["metadata"]["resourceVersion"]
    kube_api.create(objects.pod("b", "tailgate"))
    kube_api.compact()

    params = {"watch": "true", "resourceVersion": old}
    async with http.get(PODS, params=params) as response:
        [error] = await read_events(response, 1)
        rest = await response.content.read()

    assert response.status == 200
    assert error == {
        "type": "ERROR",
        "object": {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": f"too old resource version: {old} ({kube_api.resource_version})",
            "reason": "Expired",
            "code": 410,
        },
    }
    assert rest == b""


async def test_bookmarks_go_only_to_watches_that_allow_them(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    rv = str(kube_api.resource_version)
    with_marks = {"watch": "true", "resourceVersion": rv, "allowWatchBookmarks": "true"}
    without = {"watch": "true", "resourceVersion": rv, "timeoutSeconds": "1"}
    async with http.get(PODS, params=with_marks) as marked, http.get(PODS, params=without) as plain:
        await kube_api.wait_until(lambda: kube_api.open_watches == 2)
        kube_api.send_bookmarks()
        [bookmark] = await read_events(marked, 1)
        assert await plain.content.read() == b""  # ended by timeoutSeconds, no bookmark

    assert bookmark["type"] == "BOOKMARK"
    assert bookmark["object"]["metadata"]["resourceVersion"] == rv


async def test_dropping_watches_ends_them_cleanly(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    async with http.get(PODS, params={"watch": "true"}) as response:
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        kube_api.drop_watches()
        async with asyncio.timeout(5):
            assert await response.content.read() == b""
    assert kube_api.open_watches == 0


async def test_a_forbidden_watch_is_a_403_status(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.forbid("watch", "pods")
    async with http.get(PODS, params={"watch": "true"}) as response:
        body = await response.json()
    assert response.status == 403
    assert body["message"] == (
        'pods is forbidden: User "system:serviceaccount:tailgate:tailgate" cannot watch '
        'resource "pods" in API group "" in the namespace "tailgate"'
    )


async def test_posting_an_event_to_a_missing_namespace_is_not_found(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    catalog = kube_api.create(objects.configmap("catalog", "tailgate"))
    body = objects.event("e", "nowhere", involved=catalog, reason="R", message="m")
    body["involvedObject"]["namespace"] = "nowhere"
    async with http.post("/api/v1/namespaces/nowhere/events", json=body) as response:
        status = await response.json()
    assert (response.status, status["message"]) == (404, 'namespaces "nowhere" not found')


async def test_discovery_describes_the_served_resources(http: aiohttp.ClientSession) -> None:
    async with http.get("/api") as api, http.get("/api/v1") as v1, http.get("/apis") as apis:
        assert (await api.json())["versions"] == ["v1"]
        names = {r["name"] for r in (await v1.json())["resources"]}
        groups = [g["preferredVersion"]["groupVersion"] for g in (await apis.json())["groups"]]
    assert {"configmaps", "pods", "pods/log", "events", "namespaces"} <= names
    assert groups == ["apps/v1", "batch/v1", "events.k8s.io/v1"]
    async with http.get("/apis/apps/v1") as apps, http.get("/apis/batch/v1") as batch:
        assert {r["name"] for r in (await apps.json())["resources"]} == {
            "deployments",
            "statefulsets",
            "daemonsets",
        }
        assert {r["name"] for r in (await batch.json())["resources"]} == {"jobs", "cronjobs"}
    async with http.get("/apis/apps/v1/namespaces/shop/jobs") as wrong_group:
        assert wrong_group.status == 404


async def test_workloads_list_across_namespaces_and_in_one(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(workloads.deployment("web", "shop"))
    kube_api.create(workloads.deployment("api", "team-a"))
    kube_api.create(workloads.cronjob("nightly", "shop"))

    async with (
        http.get("/apis/apps/v1/deployments") as every,
        http.get("/apis/apps/v1/namespaces/shop/deployments") as shop,
        http.get("/apis/batch/v1/cronjobs") as cronjobs,
    ):
        all_body, shop_body = await every.json(), await shop.json()
        cron_body = await cronjobs.json()

    assert all_body["kind"] == "DeploymentList" and all_body["apiVersion"] == "apps/v1"
    assert [i["metadata"]["namespace"] for i in all_body["items"]] == ["shop", "team-a"]
    assert [i["metadata"]["name"] for i in shop_body["items"]] == ["web"]
    assert cron_body["kind"] == "CronJobList" and cron_body["apiVersion"] == "batch/v1"


async def test_a_workload_watch_sees_changes_and_a_too_old_one_gets_410(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(workloads.deployment("web", "shop"))
    async with http.get("/apis/apps/v1/deployments") as listed:
        rv = (await listed.json())["metadata"]["resourceVersion"]
    params = {"watch": "true", "resourceVersion": rv}
    async with http.get("/apis/apps/v1/deployments", params=params) as watch:
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        changed = workloads.deployment("web", "shop", match_labels={"app": "web2"})
        kube_api.update(changed)
        kube_api.create(workloads.daemonset("agent", "shop"))  # another kind: not seen
        kube_api.delete("Deployment", "shop", "web")
        events = await read_events(watch, 2)
    assert [(e["type"], e["object"]["kind"]) for e in events] == [
        ("MODIFIED", "Deployment"),
        ("DELETED", "Deployment"),
    ]
    assert events[0]["object"]["spec"]["selector"] == {"matchLabels": {"app": "web2"}}

    kube_api.compact()
    async with http.get("/apis/apps/v1/deployments", params=params) as stale:
        (error,) = await read_events(stale, 1)
    assert error["type"] == "ERROR"
    assert error["object"]["code"] == 410 and error["object"]["reason"] == "Expired"


async def test_namespaces_watch_sees_label_changes(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.namespace("shop"))
    params = {"watch": "true", "labelSelector": "tailgate=on"}
    async with http.get("/api/v1/namespaces", params=params) as watch:
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        kube_api.update(objects.namespace("shop", labels={"tailgate": "on"}))
        kube_api.update(objects.namespace("shop"))
        events = await read_events(watch, 2)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "shop"),
        ("DELETED", "shop"),
    ]
