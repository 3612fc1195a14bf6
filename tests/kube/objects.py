"""Builders for valid Kubernetes objects, and the pod status changes a kubelet makes.

Tests build their ConfigMaps, Pods and Events here instead of writing dicts by hand, so
every object the fake serves passes the 1.32 OpenAPI schema (a test checks that) and
carries what real clients expect, down to `imageID` and `containerID` in container
statuses. The `with_container_*` functions are pure: they return a changed copy of a pod,
the way the kubelet would report a container starting, restarting or exiting.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

Obj = dict[str, Any]

DEFAULT_IMAGE = "registry.example.com/tailgate/app:1.0.0"
WAITING_REASONS = ("ContainerCreating", "PodInitializing", "CrashLoopBackOff")


def timestamp(at: datetime | None = None) -> str:
    """The second-precision RFC 3339 form used in object metadata and statuses."""
    return (at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def container_id(namespace: str, pod: str, container: str, attempt: int) -> str:
    """A stable containerd ID, one per (container, attempt): what the kubelet reports."""
    return "containerd://" + _digest(namespace, pod, container, str(attempt))


def image_id(image: str) -> str:
    repository = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return f"{repository}@sha256:{_digest(image)}"


def namespace(name: str, *, labels: Mapping[str, str] | None = None) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "labels": {"kubernetes.io/metadata.name": name, **(labels or {})},
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def configmap(
    name: str,
    namespace: str = "default",
    *,
    data: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> Obj:
    metadata: Obj = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = dict(labels)
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": dict(data or {})}


def container_status(
    name: str,
    *,
    namespace: str,
    pod: str,
    image: str = DEFAULT_IMAGE,
    state: str = "running",
    restart_count: int = 0,
    started_at: datetime | None = None,
    exit_code: int = 0,
) -> Obj:
    """A containerStatus in state `running`, `terminated` or one of WAITING_REASONS."""
    status: Obj = {
        "name": name,
        "image": image,
        "imageID": "",
        "ready": False,
        "restartCount": restart_count,
        "started": False,
        "lastState": {},
    }
    if restart_count:
        status["lastState"] = {
            "terminated": _terminated(
                container_id(namespace, pod, name, restart_count - 1), 1, "Error", started_at
            )
        }
    if state in WAITING_REASONS:
        status["state"] = {"waiting": {"reason": state}}
        if state == "CrashLoopBackOff":
            status["imageID"] = image_id(image)
            status["state"]["waiting"]["message"] = (
                f"back-off 10s restarting failed container={name} pod={pod}"
            )
        return status
    status["imageID"] = image_id(image)
    status["containerID"] = container_id(namespace, pod, name, restart_count)
    if state == "running":
        status.update(ready=True, started=True)
        status["state"] = {"running": {"startedAt": timestamp(started_at)}}
    elif state == "terminated":
        status["state"] = {
            "terminated": _terminated(
                status["containerID"],
                exit_code,
                "Completed" if exit_code == 0 else "Error",
                started_at,
            )
        }
    else:
        raise ValueError(f"unknown container state {state!r}")
    return status


def _terminated(cid: str, exit_code: int, reason: str, started_at: datetime | None) -> Obj:
    return {
        "containerID": cid,
        "exitCode": exit_code,
        "reason": reason,
        "startedAt": timestamp(started_at),
        "finishedAt": timestamp(),
    }


def pod(
    name: str,
    namespace: str = "default",
    *,
    labels: Mapping[str, str] | None = None,
    containers: Iterable[str] = ("app",),
    states: Mapping[str, str] | None = None,
    images: Mapping[str, str] | None = None,
    restart_counts: Mapping[str, int] | None = None,
    node_name: str = "node-1",
    pod_ip: str = "10.244.1.17",
) -> Obj:
    """A scheduled pod whose containers are `running` unless `states` says otherwise."""
    names = list(containers)
    states = states or {}
    images = images or {}
    restart_counts = restart_counts or {}
    statuses = [
        container_status(
            c,
            namespace=namespace,
            pod=name,
            image=images.get(c, DEFAULT_IMAGE),
            state=states.get(c, "running"),
            restart_count=restart_counts.get(c, 0),
        )
        for c in names
    ]
    metadata: Obj = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = dict(labels)
    result: Obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {
            "containers": [
                {
                    "name": c,
                    "image": images.get(c, DEFAULT_IMAGE),
                    "imagePullPolicy": "IfNotPresent",
                    "resources": {},
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                }
                for c in names
            ],
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": True,
            "nodeName": node_name,
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "serviceAccount": "default",
            "serviceAccountName": "default",
            "terminationGracePeriodSeconds": 30,
        },
        "status": {
            "hostIP": "10.0.0.11",
            "hostIPs": [{"ip": "10.0.0.11"}],
            "podIP": pod_ip,
            "podIPs": [{"ip": pod_ip}],
            "qosClass": "BestEffort",
            "startTime": timestamp(),
            "containerStatuses": statuses,
        },
    }
    return refresh_pod_status(result)


def event(
    name: str,
    namespace: str,
    *,
    involved: Obj,
    reason: str,
    message: str,
    type_: str = "Normal",
    component: str = "tailgate",
) -> Obj:
    """A core/v1 Event about `involved` (an object as the fake returned it)."""
    meta = involved["metadata"]
    now = timestamp()
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": namespace},
        "involvedObject": {
            "apiVersion": involved.get("apiVersion", "v1"),
            "kind": involved["kind"],
            "name": meta["name"],
            "namespace": meta.get("namespace", namespace),
            **({"uid": meta["uid"]} if "uid" in meta else {}),
            **({"resourceVersion": meta["resourceVersion"]} if "resourceVersion" in meta else {}),
        },
        "reason": reason,
        "message": message,
        "type": type_,
        "source": {"component": component},
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "reportingComponent": component,
        "reportingInstance": f"{component}-0",
    }


def _find_status(pod_obj: Obj, container: str) -> Obj:
    status: Obj
    for status in pod_obj["status"]["containerStatuses"]:
        if status["name"] == container:
            return status
    raise KeyError(f"pod {pod_obj['metadata']['name']} has no container {container}")


def with_container_started(pod_obj: Obj, container: str) -> Obj:
    """The container left its waiting state and is running (attempt = restartCount)."""
    result = copy.deepcopy(pod_obj)
    meta = result["metadata"]
    status = _find_status(result, container)
    status["containerID"] = container_id(
        meta["namespace"], meta["name"], container, status["restartCount"]
    )
    status["imageID"] = image_id(status["image"])
    status.update(ready=True, started=True, state={"running": {"startedAt": timestamp()}})
    return refresh_pod_status(result)


def with_container_terminated(
    pod_obj: Obj, container: str, exit_code: int = 0, reason: str | None = None
) -> Obj:
    result = copy.deepcopy(pod_obj)
    status = _find_status(result, container)
    running = status["state"].get("running", {})
    terminated = _terminated(
        status["containerID"],
        exit_code,
        reason or ("Completed" if exit_code == 0 else "Error"),
        None,
    )
    terminated["startedAt"] = running.get("startedAt", terminated["startedAt"])
    status.update(ready=False, started=False, state={"terminated": terminated})
    return refresh_pod_status(result)


def with_container_restarted(pod_obj: Obj, container: str, exit_code: int = 1) -> Obj:
    """The running container exited and the kubelet started its next attempt."""
    result = with_container_terminated(pod_obj, container, exit_code)
    status = _find_status(result, container)
    status["lastState"] = {"terminated": status["state"]["terminated"]}
    status["restartCount"] += 1
    return with_container_started(result, container)


def refresh_pod_status(pod_obj: Obj) -> Obj:
    """Derive phase and conditions from the container statuses, as the kubelet does."""
    status = pod_obj["status"]
    containers = status["containerStatuses"]
    all_ready = all(c["ready"] for c in containers)
    if containers and all("terminated" in c["state"] for c in containers):
        failed = any(c["state"]["terminated"]["exitCode"] != 0 for c in containers)
        if pod_obj["spec"].get("restartPolicy") != "Always":
            status["phase"] = "Failed" if failed else "Succeeded"
        else:
            status["phase"] = "Running"
    elif any("running" in c["state"] or "terminated" in c["state"] for c in containers):
        status["phase"] = "Running"
    else:
        status["phase"] = "Pending"
    now = status.get("startTime") or timestamp()

    def condition(kind: str, ok: bool) -> Obj:
        return {
            "type": kind,
            "status": "True" if ok else "False",
            "lastProbeTime": None,
            "lastTransitionTime": now,
        }

    status["conditions"] = [
        condition("PodReadyToStartContainers", True),
        condition("Initialized", True),
        condition("Ready", all_ready),
        condition("ContainersReady", all_ready),
        condition("PodScheduled", True),
    ]
    return pod_obj
