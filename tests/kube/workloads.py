"""Builders for apps/v1 and batch/v1 workloads, and what the API server fills in for Jobs.

Deployments, StatefulSets, DaemonSets, Jobs and CronJobs as a cluster holds them: a
selector, a pod template whose labels match it, and the status fields controllers
write. Every object passes the 1.32 OpenAPI schema (a test checks that). The Job
defaulting is the API server's own (``generateSelector``): a Job without
``manualSelector`` gets ``batch.kubernetes.io/controller-uid`` as its selector, and
its pods carry that label and ``batch.kubernetes.io/job-name``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .objects import DEFAULT_IMAGE, Obj

CONTROLLER_UID = "batch.kubernetes.io/controller-uid"
JOB_NAME = "batch.kubernetes.io/job-name"


def _template(labels: Mapping[str, str], containers: Sequence[str], restart: str) -> Obj:
    return {
        "metadata": {"labels": dict(labels)},
        "spec": {
            "containers": [{"name": c, "image": DEFAULT_IMAGE} for c in containers],
            "restartPolicy": restart,
        },
    }


def _selector(labels: Mapping[str, str], expressions: Sequence[Obj] = ()) -> Obj:
    selector: Obj = {"matchLabels": dict(labels)}
    if expressions:
        selector["matchExpressions"] = [dict(e) for e in expressions]
    return selector


def _workload(kind: str, group: str, name: str, namespace: str, spec: Obj) -> Obj:
    return {
        "apiVersion": f"{group}/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": spec,
    }


def deployment(
    name: str,
    namespace: str = "default",
    *,
    match_labels: Mapping[str, str] | None = None,
    match_expressions: Sequence[Obj] = (),
    pod_labels: Mapping[str, str] | None = None,
    containers: Sequence[str] = ("app",),
    replicas: int = 1,
) -> Obj:
    """A Deployment selecting ``app=NAME`` unless ``match_labels`` says otherwise."""
    labels = dict(match_labels if match_labels is not None else {"app": name})
    obj = _workload(
        "Deployment",
        "apps",
        name,
        namespace,
        {
            "replicas": replicas,
            "selector": _selector(labels, match_expressions),
            "template": _template(pod_labels or labels, containers, "Always"),
        },
    )
    obj["status"] = {"replicas": replicas, "readyReplicas": replicas, "observedGeneration": 1}
    return obj


def statefulset(
    name: str, namespace: str = "default", *, match_labels: Mapping[str, str] | None = None
) -> Obj:
    labels = dict(match_labels or {"app": name})
    obj = _workload(
        "StatefulSet",
        "apps",
        name,
        namespace,
        {
            "replicas": 1,
            "serviceName": name,
            "selector": _selector(labels),
            "template": _template(labels, ["app"], "Always"),
        },
    )
    obj["status"] = {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1}
    return obj


def daemonset(
    name: str, namespace: str = "default", *, match_labels: Mapping[str, str] | None = None
) -> Obj:
    labels = dict(match_labels or {"app": name})
    obj = _workload(
        "DaemonSet",
        "apps",
        name,
        namespace,
        {"selector": _selector(labels), "template": _template(labels, ["app"], "Always")},
    )
    obj["status"] = {
        "currentNumberScheduled": 1,
        "desiredNumberScheduled": 1,
        "numberMisscheduled": 0,
        "numberReady": 1,
    }
    return obj


def _job_spec(pod_labels: Mapping[str, str]) -> Obj:
    return {"backoffLimit": 0, "template": _template(pod_labels, ["app"], "Never")}


def cronjob(
    name: str,
    namespace: str = "default",
    *,
    pod_labels: Mapping[str, str] | None = None,
    schedule: str = "*/5 * * * *",
) -> Obj:
    """A CronJob whose Jobs' pods carry ``pod_labels`` (by default ``app=NAME``)."""
    labels = {"app": name} if pod_labels is None else dict(pod_labels)
    return _workload(
        "CronJob",
        "batch",
        name,
        namespace,
        {
            "schedule": schedule,
            "jobTemplate": {"metadata": {"labels": dict(labels)}, "spec": _job_spec(labels)},
        },
    )


def job(
    name: str,
    namespace: str = "default",
    *,
    pod_labels: Mapping[str, str] | None = None,
    owner: Obj | None = None,
) -> Obj:
    """A Job; with ``owner`` (a CronJob as the fake returned it), one the CronJob made.

    A CronJob's Job takes its job template's labels and pod template, as the CronJob
    controller makes it.
    """
    if owner is not None:
        template = owner["spec"]["jobTemplate"]
        labels = dict(template["spec"]["template"]["metadata"].get("labels") or {})
    else:
        labels = {"app": name} if pod_labels is None else dict(pod_labels)
    obj = _workload("Job", "batch", name, namespace, _job_spec(labels))
    obj["metadata"]["labels"] = dict(labels)
    if owner is not None:
        meta = owner["metadata"]
        obj["metadata"]["ownerReferences"] = [
            {
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "name": meta["name"],
                "uid": meta["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    return obj


def default_job_selector(obj: Obj) -> None:
    """What the API server does to a new Job (its uid already set): the generated selector."""
    spec = obj["spec"]
    if spec.get("manualSelector"):
        return
    uid = obj["metadata"]["uid"]
    name = obj["metadata"]["name"]
    spec["selector"] = {"matchLabels": {CONTROLLER_UID: uid}}
    labels = spec["template"].setdefault("metadata", {}).setdefault("labels", {})
    labels.update({CONTROLLER_UID: uid, JOB_NAME: name, "controller-uid": uid, "job-name": name})


def pod_labels_of(workload: Obj) -> dict[str, str]:
    """The labels a pod made by ``workload`` (a Deployment's or a Job's, as served) carries."""
    spec: Any = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"]["metadata"].get("labels") or {})
