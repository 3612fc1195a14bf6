"""The fake serves events.k8s.io/v1 Events as the real API server does: one stored Event,
seen through core/v1 and events.k8s.io/v1, listed and watched with resourceVersions."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import kubernetes_validate

from . import objects, workloads
from .event_views import event_v1
from .fake_api import FakeKubeAPI
from .test_fake_api_lists_and_watches import read_events

EVENTS = "/apis/events.k8s.io/v1/namespaces/shop/events"


def _record(kube_api: FakeKubeAPI, name: str, reason: str = "ScalingReplicaSet") -> dict[str, Any]:
    web = kube_api.create(workloads.deployment("web", "shop"))
    return kube_api.record_event(
        event_v1(name, "shop", regarding=web, reason=reason, note=f"{name} happened")
    )


async def test_an_event_recorded_through_core_v1_is_listed_as_events_k8s_io_v1(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    web = kube_api.create(workloads.deployment("web", "shop"))
    core = kube_api.create(
        objects.event("e1", "shop", involved=web, reason="Scaled", message="up to 3")
    )

    async with http.get(EVENTS) as response:
        body = await response.json()

    assert body["kind"] == "EventList" and body["apiVersion"] == "events.k8s.io/v1"
    [item] = body["items"]
    assert item["regarding"]["name"] == "web" and item["note"] == "up to 3"
    assert item["deprecatedCount"] == 1 and item["eventTime"] is None
    assert item["metadata"]["uid"] == core["metadata"]["uid"]
    kubernetes_validate.validate(
        {"kind": "Event", "apiVersion": "events.k8s.io/v1", **item}, "1.32.0", strict=True
    )


async def test_a_field_selector_on_regarding_narrows_the_list_and_others_are_refused(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    _record(kube_api, "about-web")
    db = kube_api.create(workloads.statefulset("db", "shop"))
    kube_api.record_event(event_v1("about-db", "shop", regarding=db, reason="Created", note="x"))

    query = {"fieldSelector": "regarding.kind=Deployment,regarding.name=web"}
    async with http.get(EVENTS, params=query) as response:
        names = [i["metadata"]["name"] for i in (await response.json())["items"]]
    async with http.get(EVENTS, params={"fieldSelector": "involvedObject.name=web"}) as refused:
        status = await refused.json()

    assert names == ["about-web"]
    assert refused.status == 400
    assert status["message"] == "field label not supported: involvedObject.name"


async def test_a_watch_sees_an_event_added_and_its_series_bumped(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    async with http.get(EVENTS) as response:
        rv = (await response.json())["metadata"]["resourceVersion"]
    query = {"watch": "true", "resourceVersion": rv}
    async with http.get(EVENTS, params=query) as response:
        added = _record(kube_api, "e1")
        bumped = kube_api.bump_event("shop", "e1", observed="2026-12-02T09:00:05.000000Z")
        events = await read_events(response, 2)

    assert [e["type"] for e in events] == ["ADDED", "MODIFIED"]
    assert (
        events[0]["object"]["metadata"]["resourceVersion"] == added["metadata"]["resourceVersion"]
    )
    assert events[1]["object"]["series"] == {
        "count": 2,
        "lastObservedTime": "2026-12-02T09:00:05.000000Z",
    }
    assert bumped["metadata"]["resourceVersion"] > added["metadata"]["resourceVersion"]


async def test_a_cluster_wide_watch_from_a_compacted_version_is_gone(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    _record(kube_api, "e1")
    old = kube_api.resource_version
    kube_api.compact()

    query = {"watch": "true", "resourceVersion": str(old - 1)}
    async with http.get("/apis/events.k8s.io/v1/events", params=query) as response:
        [error] = await read_events(response, 1)

    assert error["type"] == "ERROR"
    assert error["object"]["code"] == 410 and error["object"]["reason"] == "Expired"


async def test_discovery_lists_the_events_group_and_its_resource(
    http: aiohttp.ClientSession,
) -> None:
    async with http.get("/apis") as response:
        groups = [g["name"] for g in (await response.json())["groups"]]
    async with http.get("/apis/events.k8s.io/v1") as response:
        resources = (await response.json())["resources"]

    assert "events.k8s.io" in groups
    assert [(r["name"], r["kind"], r["namespaced"]) for r in resources] == [
        ("events", "Event", True)
    ]


async def test_an_event_created_through_events_k8s_io_is_read_through_core_v1(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    web = kube_api.create(workloads.deployment("web", "shop"))
    body = event_v1("e2", "shop", regarding=web, reason="Scaled", note="down to 1")

    async with http.post(EVENTS, data=json.dumps(body)) as response:
        created = await response.json()
    core = kube_api.get("Event", "shop", "e2")

    assert response.status == 201 and created["note"] == "down to 1"
    assert core["message"] == "down to 1" and core["involvedObject"]["name"] == "web"
