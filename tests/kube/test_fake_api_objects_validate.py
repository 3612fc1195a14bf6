"""Every object the builders make, and the fake serves, is a valid 1.32 object."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest

from . import objects, workloads
from .fake_api import FakeKubeAPI

VERSION = "1.32.0"


def built() -> list[dict[str, Any]]:
    web = objects.pod(
        "web",
        "tailgate",
        labels={"app": "web"},
        containers=["app", "sidecar"],
        states={"sidecar": "ContainerCreating"},
    )
    return [
        objects.namespace("tailgate"),
        objects.configmap("catalog", "tailgate", data={"catalog.yaml": "sources: []"}),
        web,
        objects.pod("done", states={"app": "terminated"}),
        objects.pod("crashy", states={"app": "CrashLoopBackOff"}, restart_counts={"app": 4}),
        objects.with_container_restarted(web, "app"),
        objects.with_container_started(web, "sidecar"),
        objects.with_container_terminated(web, "app", exit_code=137),
        objects.event("catalog.1", "tailgate", involved=web, reason="Loaded", message="ok"),
    ]


@pytest.mark.parametrize("obj", built(), ids=lambda o: f"{o['kind']}-{o['metadata']['name']}")
def test_built_objects_validate_strictly(obj: dict[str, Any]) -> None:
    kubernetes_validate.validate(obj, VERSION, strict=True)


async def test_objects_as_served_validate_strictly(kube_api: FakeKubeAPI) -> None:
    for number, obj in enumerate(built()):
        if obj["kind"] != "Namespace":
            obj["metadata"]["name"] += f"-{number}"
        kube_api.create(obj)
    for resource in ("namespaces", "configmaps", "pods", "events"):
        for served in kube_api.store.objects(resource):
            kubernetes_validate.validate(served, VERSION, strict=True)


def test_the_validator_rejects_a_container_status_without_an_image() -> None:
    pod = objects.pod("web")
    del pod["status"]["containerStatuses"][0]["image"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(pod, VERSION, strict=True)


def built_workloads() -> list[dict[str, Any]]:
    nightly = workloads.cronjob("nightly", "shop")
    nightly["metadata"]["uid"] = "0b6c6f7e-5d7a-4bd2-9a51-0e1d3a8a1c11"
    return [
        workloads.deployment(
            "web",
            "shop",
            match_expressions=[{"key": "tier", "operator": "In", "values": ["front"]}],
            pod_labels={"app": "web", "tier": "front"},
        ),
        workloads.statefulset("db", "shop"),
        workloads.daemonset("agent", "kube-system"),
        workloads.job("migrate", "shop"),
        nightly,
        workloads.job("nightly-28912345", "shop", owner=nightly),
    ]


@pytest.mark.parametrize(
    "obj", built_workloads(), ids=lambda o: f"{o['kind']}-{o['metadata']['name']}"
)
def test_built_workloads_validate_strictly(obj: dict[str, Any]) -> None:
    kubernetes_validate.validate(obj, VERSION, strict=True)


async def test_workloads_as_served_validate_and_jobs_get_the_generated_selector(
    kube_api: FakeKubeAPI,
) -> None:
    for obj in built_workloads():
        obj["metadata"].pop("uid", None)
        kube_api.create(obj)
    for resource in ("deployments", "statefulsets", "daemonsets", "jobs", "cronjobs"):
        for served in kube_api.store.objects(resource):
            kubernetes_validate.validate(served, VERSION, strict=True)
    job = kube_api.get("Job", "shop", "migrate")
    uid = job["metadata"]["uid"]
    assert job["apiVersion"] == "batch/v1"
    assert job["spec"]["selector"] == {"matchLabels": {workloads.CONTROLLER_UID: uid}}
    assert workloads.pod_labels_of(job)[workloads.JOB_NAME] == "migrate"
