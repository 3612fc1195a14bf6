"""kubernetes-asyncio against the fake, used the way the service will use it."""

from __future__ import annotations

import asyncio
import json

import pytest
from kubernetes_asyncio import client, watch
from kubernetes_asyncio.client.exceptions import ApiException

from . import objects
from .fake_api import FakeKubeAPI


async def test_a_configmap_lists_by_name_and_watches_from_the_list_resource_version(
    kube_api: FakeKubeAPI, kube_client: client.ApiClient
) -> None:
    core = client.CoreV1Api(kube_client)
    kube_api.create(objects.configmap("catalog", "tailgate", data={"v": "1"}))
    kube_api.create(objects.configmap("unrelated", "tailgate"))

    listed = await core.list_namespaced_config_map(
        "tailgate", field_selector="metadata.name=catalog"
    )
    assert [cm.metadata.name for cm in listed.items] == ["catalog"]
    assert listed.items[0].data == {"v": "1"}

    current = kube_api.get("ConfigMap", "tailgate", "catalog")
    kube_api.update({**current, "data": {"v": "2"}})
    kube_api.delete("ConfigMap", "tailgate", "catalog")
    seen = []
    async with watch.Watch() as w:
        async for event in w.stream(
            core.list_namespaced_config_map,
            "tailgate",
            field_selector="metadata.name=catalog",
            resource_version=listed.metadata.resource_version,
            timeout_seconds=1,
        ):
            seen.append((event["type"], event["object"].data))
            if event["type"] == "DELETED":
                break
    assert seen == [("MODIFIED", {"v": "2"}), ("DELETED", {"v": "2"})]


async def test_a_watch_that_ends_on_timeout_seconds_stops_cleanly(
    kube_api: FakeKubeAPI, kube_client: client.ApiClient
) -> None:
    core = client.CoreV1Api(kube_client)
    kube_api.create(objects.configmap("catalog", "tailgate"))
    events = []
    async with asyncio.timeout(5), watch.Watch() as w:
        async for event in w.stream(core.list_namespaced_config_map, "tailgate", timeout_seconds=1):
            events.append(event["type"])
    assert events == ["ADDED"]
    await kube_api.wait_until(lambda: kube_api.open_watches == 0)


async def test_a_compacted_resource_version_raises_410_after_one_retry(
    kube_api: FakeKubeAPI, kube_client: client.ApiClient
) -> None:
    core = client.CoreV1Api(kube_client)
    kube_api.create(objects.configmap("catalog", "tailgate"))
    listed = await core.list_namespaced_config_map("tailgate")
    kube_api.update(objects.configmap("catalog", "tailgate", data={"v": "2"}))
    kube_api.compact()
    before = len(kube_api.requests)

    with pytest.raises(ApiException) as raised:
        async with asyncio.timeout(5), watch.Watch() as w:
            async for _ in w.stream(
                core.list_namespaced_config_map,
                "tailgate",
                resource_version=listed.metadata.resource_version,
            ):
                pass

    assert raised.value.status == 410
    assert raised.value.reason.startswith("Expired: too old resource version")
    watches = [p for _, p in kube_api.requests[before:] if "watch=" in p]
    assert len(watches) == 2  # the client retried once with the same stale version


async def test_a_followed_log_reads_line_by_line_and_closing_it_closes_the_stream(
    kube_api: FakeKubeAPI, kube_client: client.ApiClient
) -> None:
    core = client.CoreV1Api(kube_client)
    kube_api.create(objects.pod("web", "tailgate", containers=["app", "sidecar"]))
    kube_api.append_log("tailgate", "web", "app", "old 1", "old 2", "old 3")

    response = await core.read_namespaced_pod_log(
        "web",
        "tailgate",
        container="app",
        follow=True,
        tail_lines=2,
        timestamps=True,
        _preload_content=False,
    )
    try:
        assert response.status == 200
        assert response.content_type == "text/plain"
        async with asyncio.timeout(5):
            assert (await response.content.readline()).endswith(b"Z old 2\n")
            assert (await response.content.readline()).endswith(b"Z old 3\n")
            kube_api.append_log("tailgate", "web", "app", "new")
            assert (await response.content.readline()).endswith(b"Z new\n")
        assert kube_api.open_log_streams == 1
    finally:
        response.close()
    await kube_api.wait_until(lambda: kube_api.open_log_streams == 0, timeout=1)


async def test_a_followed_log_ends_when_the_api_server_drops_it(
    kube_api: FakeKubeAPI, kube_client: client.ApiClient
) -> None:
    core = client.CoreV1Api(kube_client)
    kube_api.create(objects.pod("web", "tailgate"))
    response = await core.read_namespaced_pod_log(
        "web", "tailgate", follow=True, _preload_content=False
    )
    try:
        kube_api.drop_log_streams()
        async with asyncio.timeout(5):
            assert await response.content.read() == b""
    finally:
        response.close()
    assert kube_api.open_log_streams == 0


async def test_log_errors_come_back_as_status_objects_to_parse(
    kube_api: FakeKubeAPI, kube_client: client.ApiClient
) -> None:
    core = client.CoreV1Api(kube_client)
    kube_api.create(
        objects.pod("web", "tailgate", containers=["app", "c"], states={"c": "ContainerCreating"})
    )

    async def status_of(name: str, **kwargs: object) -> tuple[int, dict[str, object]]:
        response = await core.read_namespaced_pod_log(
            name, "tailgate", _preload_content=False, **kwargs
        )
        async with response:
            return response.status, json.loads(await response.read())

    assert await status_of("nope") == (
        404,
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": 'pods "nope" not found',
            "reason": "NotFound",
            "details": {"name": "nope", "kind": "pods"},
            "code": 404,
        },
    )
    code, body = await status_of("web")
    assert (code, body["reason"], body["message"]) == (
        400,
        "BadRequest",
        "a container name must be specified for pod web, choose one of: [app c]",
    )
    code, body = await status_of("web", container="c")
    assert body["message"] == 'container "c" in pod "web" is waiting to start: ContainerCreating'
    code, body = await status_of("web", container="app", previous=True)
    assert body["message"] == 'previous terminated container "app" in pod "web" not found'


async def test_api_errors_raise_api_exceptions_carrying_the_status(
    kube_api: FakeKubeAPI, kube_client: client.ApiClient
) -> None:
    core = client.CoreV1Api(kube_client)
    kube_api.create(objects.configmap("catalog", "tailgate"))
    kube_api.forbid("list", "configmaps", "tailgate")

    with pytest.raises(ApiException) as missing:
        await core.read_namespaced_config_map("nope", "tailgate")
    with pytest.raises(ApiException) as forbidden:
        await core.list_namespaced_config_map("tailgate")

    assert missing.value.status == 404
    assert json.loads(missing.value.body)["message"] == 'configmaps "nope" not found'
    assert forbidden.value.status == 403
    assert json.loads(forbidden.value.body)["message"] == (
        'configmaps is forbidden: User "system:serviceaccount:tailgate:tailgate" cannot list '
        'resource "configmaps" in API group "" in the namespace "tailgate"'
    )


async def test_an_event_recorded_on_a_configmap_is_stored_and_listable(
    kube_api: FakeKubeAPI, kube_client: client.ApiClient
) -> None:
    core = client.CoreV1Api(kube_client)
    catalog = kube_api.create(objects.configmap("catalog", "tailgate"))
    body = objects.event(
        "catalog.1", "tailgate", involved=catalog, reason="Invalid", message="bad entry"
    )
    body["type"] = "Warning"

    created = await core.create_namespaced_event("tailgate", body)
    listed = await core.list_namespaced_event(
        "tailgate", field_selector="involvedObject.name=catalog,reason=Invalid"
    )

    assert created.metadata.uid
    assert [e.message for e in listed.items] == ["bad entry"]
    assert listed.items[0].involved_object.uid == catalog["metadata"]["uid"]
    assert kube_api.get("Event", "tailgate", "catalog.1")["type"] == "Warning"


async def test_since_time_goes_through_call_api_query_params(
    kube_api: FakeKubeAPI, kube_client: client.ApiClient
) -> None:
    kube_api.create(objects.pod("web", "tailgate"))
    kube_api.append_log("tailgate", "web", "app", "old", at=1_704_067_200_000_000_000)
    kube_api.append_log("tailgate", "web", "app", "new", at=1_704_067_260_000_000_000)

    response = await kube_client.call_api(
        "/api/v1/namespaces/{namespace}/pods/{name}/log",
        "GET",
        path_params={"namespace": "tailgate", "name": "web"},
        query_params=[("sinceTime", "2024-01-01T00:00:30Z"), ("timestamps", "true")],
        _preload_content=False,
    )
    async with response:
        assert await response.read() == b"2024-01-01T00:01:00.000000000Z new\n"
