"""The real kubectl against the fake: if kubectl is happy, the wire format is right."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from . import objects, workloads
from .event_views import event_v1
from .fake_api import FakeKubeAPI

#: kubectl from the PATH, else the one tests/setup.d/50-helm.sh unpacks.
KUBECTL = shutil.which("kubectl") or str(
    Path(__file__).resolve().parents[2] / ".tools" / "helm4" / "kubectl"
)

pytestmark = pytest.mark.skipif(
    not os.access(KUBECTL, os.X_OK), reason="no kubectl: run bash tests/setup.sh"
)

Kubectl = Callable[..., Awaitable[asyncio.subprocess.Process]]


@pytest.fixture
async def kubectl(kube_api: FakeKubeAPI, tmp_path: Path) -> AsyncIterator[Kubectl]:
    """Start `kubectl --server=<fake> ARGS...` with no kubeconfig; killed after the test."""
    started: list[asyncio.subprocess.Process] = []
    env = {"KUBECONFIG": "/dev/null", "HOME": str(tmp_path), "PATH": os.environ["PATH"]}

    async def run(*args: str) -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(
            KUBECTL,
            f"--server={kube_api.url}",
            f"--cache-dir={tmp_path / 'cache'}",
            *args,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        started.append(process)
        return process

    yield run
    for process in started:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def finish(process: asyncio.subprocess.Process) -> tuple[int, str, str]:
    async with asyncio.timeout(10):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_kubectl_gets_a_configmap_as_json(kube_api: FakeKubeAPI, kubectl: Kubectl) -> None:
    created = kube_api.create(objects.configmap("catalog", "tailgate", data={"a.yaml": "x: 1"}))

    code, out, err = await finish(
        await kubectl("get", "configmap", "catalog", "-n", "tailgate", "-o", "json")
    )

    assert code == 0, err
    got = json.loads(out)
    assert got["kind"] == "ConfigMap"
    assert got["data"] == {"a.yaml": "x: 1"}
    assert got["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


async def test_kubectl_lists_pods_by_label(kube_api: FakeKubeAPI, kubectl: Kubectl) -> None:
    kube_api.create(objects.pod("api-1", "tailgate", labels={"app": "api"}))
    kube_api.create(objects.pod("api-2", "tailgate", labels={"app": "api"}))
    kube_api.create(objects.pod("web-1", "tailgate", labels={"app": "web"}))
    kube_api.create(objects.pod("api-9", "other", labels={"app": "api"}))

    code, out, err = await finish(
        await kubectl("get", "pods", "-l", "app=api", "-n", "tailgate", "-o", "name")
    )

    assert code == 0, err
    assert out.split() == ["pod/api-1", "pod/api-2"]


async def test_kubectl_reports_a_missing_pod_in_the_real_wording(kubectl: Kubectl) -> None:
    code, _, err = await finish(await kubectl("get", "pod", "nope", "-n", "default"))

    assert code == 1
    assert err.strip() == 'Error from server (NotFound): pods "nope" not found'


async def test_kubectl_reports_a_forbidden_log_in_the_real_wording(
    kube_api: FakeKubeAPI, kubectl: Kubectl
) -> None:
    kube_api.create(objects.pod("web", "tailgate"))
    kube_api.forbid("get", "pods/log", "tailgate")

    code, _, err = await finish(await kubectl("logs", "web", "-n", "tailgate"))

    assert code == 1
    assert err.strip() == (
        'Error from server (Forbidden): pods "web" is forbidden: User '
        '"system:serviceaccount:tailgate:tailgate" cannot get resource "pods/log" '
        'in API group "" in the namespace "tailgate"'
    )


async def test_kubectl_follows_a_log_with_timestamps_until_the_container_ends(
    kube_api: FakeKubeAPI, kubectl: Kubectl
) -> None:
    kube_api.create(objects.pod("web", "tailgate", containers=["app", "sidecar"]))
    kube_api.append_log("tailgate", "web", "app", "before", at=1_700_000_000_000_000_001)

    process = await kubectl("logs", "-f", "--timestamps", "web", "-c", "app", "-n", "tailgate")
    await kube_api.wait_until(lambda: kube_api.open_log_streams == 1, timeout=10)
    kube_api.append_log("tailgate", "web", "app", "during 1", "during 2")
    kube_api.terminate_container("tailgate", "web", "app")
    code, out, err = await finish(process)

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "2023-11-14T22:13:20.000000001Z before"
    assert [line.split(" ", 1)[1] for line in lines] == ["before", "during 1", "during 2"]
    assert all(line[:30].endswith("Z") and line[19] == "." for line in lines)
    assert kube_api.open_log_streams == 0


async def test_kubectl_watch_sees_a_pod_being_added(
    kube_api: FakeKubeAPI, kubectl: Kubectl
) -> None:
    kube_api.create(objects.pod("first", "tailgate"))
    process = await kubectl("get", "pods", "-w", "-n", "tailgate", "-o", "name")
    assert process.stdout is not None

    async with asyncio.timeout(10):
        assert await process.stdout.readline() == b"pod/first\n"
        await kube_api.wait_until(lambda: kube_api.open_watches == 1, timeout=10)
        kube_api.create(objects.pod("second", "tailgate"))
        assert await process.stdout.readline() == b"pod/second\n"

    watch_requests = [path for _, path in kube_api.requests if "watch=true" in path]
    assert watch_requests, kube_api.requests
    assert "resourceVersion=" in watch_requests[0]


async def test_kubectl_reads_an_injected_500_as_the_api_server_s_internal_error(
    kube_api: FakeKubeAPI, kubectl: Kubectl
) -> None:
    kube_api.faults.fail(500, times=20, where="/pods")

    code, _, err = await finish(await kubectl("get", "pods", "-n", "tailgate"))

    assert code == 1
    assert "Error from server (InternalError)" in err
    assert "has prevented the request from succeeding" in err


async def test_kubectl_waits_as_told_by_retry_after_and_then_succeeds(
    kube_api: FakeKubeAPI, kubectl: Kubectl
) -> None:
    kube_api.create(objects.pod("api-1", "tailgate"))
    kube_api.faults.fail(429, times=1, where="/pods", retry_after=1)

    code, out, err = await finish(await kubectl("get", "pods", "-n", "tailgate", "-o", "name"))

    assert code == 0, err
    assert out.split() == ["pod/api-1"]
    assert kube_api.faults.injected == {429: 1}
    assert len([p for _, p in kube_api.requests if "/pods" in p]) >= 2  # it came back


async def test_kubectl_gets_deployments_in_every_namespace_as_json(
    kube_api: FakeKubeAPI, kubectl: Kubectl
) -> None:
    kube_api.create(workloads.deployment("web", "shop"))
    kube_api.create(workloads.deployment("api", "team-a"))

    code, out, err = await finish(await kubectl("get", "deploy", "-A", "-o", "json"))

    assert code == 0, err
    got = json.loads(out)
    assert got["kind"] == "List"
    assert [(i["kind"], i["apiVersion"]) for i in got["items"]] == [("Deployment", "apps/v1")] * 2
    assert [i["metadata"]["namespace"] + "/" + i["metadata"]["name"] for i in got["items"]] == [
        "shop/web",
        "team-a/api",
    ]
    assert [path for _, path in kube_api.requests if path.startswith("/apis/apps/v1/deploy")]


async def test_kubectl_lists_jobs_and_cronjobs_with_their_owners(
    kube_api: FakeKubeAPI, kubectl: Kubectl
) -> None:
    nightly = kube_api.create(workloads.cronjob("nightly", "shop"))
    kube_api.create(workloads.job("nightly-1", "shop", owner=nightly))

    code, out, err = await finish(await kubectl("get", "cronjobs,jobs", "-n", "shop", "-o", "json"))

    assert code == 0, err
    items = json.loads(out)["items"]
    assert [(i["kind"], i["metadata"]["name"]) for i in items] == [
        ("CronJob", "nightly"),
        ("Job", "nightly-1"),
    ]
    owner = items[1]["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["uid"]) == ("CronJob", nightly["metadata"]["uid"])


async def test_kubectl_watch_sees_a_statefulset_added_and_deleted(
    kube_api: FakeKubeAPI, kubectl: Kubectl
) -> None:
    kube_api.create(workloads.statefulset("db", "shop"))
    process = await kubectl("get", "statefulsets", "-w", "-n", "shop", "-o", "name")
    assert process.stdout is not None

    async with asyncio.timeout(10):
        assert await process.stdout.readline() == b"statefulset.apps/db\n"
        await kube_api.wait_until(lambda: kube_api.open_watches == 1, timeout=10)
        kube_api.create(workloads.statefulset("cache", "shop"))
        assert await process.stdout.readline() == b"statefulset.apps/cache\n"
        kube_api.delete("StatefulSet", "shop", "db")
        assert await process.stdout.readline() == b"statefulset.apps/db\n"  # its deletion


async def test_kubectl_lists_namespaces_by_label(kube_api: FakeKubeAPI, kubectl: Kubectl) -> None:
    kube_api.create(objects.namespace("shop", labels={"tailgate": "on"}))
    kube_api.create(objects.namespace("quiet"))

    code, out, err = await finish(await kubectl("get", "ns", "-l", "tailgate=on", "-o", "name"))

    assert code == 0, err
    assert out.split() == ["namespace/shop"]


async def test_kubectl_reports_forbidden_deployments_with_their_api_group(
    kube_api: FakeKubeAPI, kubectl: Kubectl
) -> None:
    kube_api.forbid("list", "deployments", "shop")

    code, _, err = await finish(await kubectl("get", "deploy", "-n", "shop"))

    assert code == 1
    assert err.strip() == (
        "Error from server (Forbidden): deployments.apps is forbidden: User "
        '"system:serviceaccount:tailgate:tailgate" cannot list resource "deployments" '
        'in API group "apps" in the namespace "shop"'
    )


async def test_kubectl_gets_events_k8s_io_events_as_json(
    kube_api: FakeKubeAPI, kubectl: Kubectl
) -> None:
    web = kube_api.create(workloads.deployment("web", "shop"))
    kube_api.record_event(
        event_v1("web.1", "shop", regarding=web, reason="ScalingReplicaSet", note="up to 2")
    )

    code, out, err = await finish(
        await kubectl("get", "events.v1.events.k8s.io", "-n", "shop", "-o", "json")
    )

    assert code == 0, err
    [item] = json.loads(out)["items"]
    assert item["apiVersion"] == "events.k8s.io/v1"
    assert (item["regarding"]["kind"], item["note"]) == ("Deployment", "up to 2")


async def test_kubectl_watch_sees_an_events_k8s_io_event_added(
    kube_api: FakeKubeAPI, kubectl: Kubectl
) -> None:
    web = kube_api.create(workloads.deployment("web", "shop"))
    kube_api.record_event(event_v1("first", "shop", regarding=web, reason="A", note="a"))
    process = await kubectl("get", "events.v1.events.k8s.io", "-w", "-n", "shop", "-o", "name")
    assert process.stdout is not None

    async with asyncio.timeout(10):
        assert await process.stdout.readline() == b"event.events.k8s.io/first\n"
        await kube_api.wait_until(lambda: kube_api.open_watches == 1, timeout=10)
        kube_api.record_event(event_v1("second", "shop", regarding=web, reason="B", note="b"))
        assert await process.stdout.readline() == b"event.events.k8s.io/second\n"
