"""Which pods are a workload's: its label selector, as a ``pods`` entry's ``selector``.

A ``pods`` entry follows the pods of one label selector string, so a discovered
workload only needs its ``spec.selector`` written as one: ``matchLabels`` as
``key=value`` and ``matchExpressions`` as ``key in (a,b)``, ``key notin (a,b)``,
``key`` and ``!key``, which the API server reads exactly as the structured form.

A CronJob has no selector of its own; its pods are those of the Jobs it makes. A Job
the CronJob controller makes gets a generated selector (its own uid), so following
Jobs by that would change the entry (and end its tails) with every run. Instead a
CronJob's pods are those carrying its job template's pod labels *and* the
``batch.kubernetes.io/controller-uid`` label, which only the Job controller sets:
pods of Jobs made from that template, across runs. A Job a CronJob owns (by its
controller owner reference) is therefore no entry of its own.

Pure functions of the objects as the API server sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .pod_specs import valid_selector

Obj = dict[str, Any]

#: Set by the Job controller on every pod of a Job (Kubernetes 1.27 and later).
CONTROLLER_UID = "batch.kubernetes.io/controller-uid"
_OPERATORS = {"In": "in", "NotIn": "notin"}


class NoSelector(ValueError):
    """The workload's pods cannot be told by labels; the message says why."""


def selector_string(selector: Mapping[str, Any]) -> str:
    """A structured label selector as the query string form; raises NoSelector."""
    terms = []
    labels = selector.get("matchLabels") or {}
    if not isinstance(labels, Mapping):
        raise NoSelector("its selector's matchLabels is not a mapping")
    terms += [f"{key}={value}" for key, value in sorted(labels.items())]
    for expression in selector.get("matchExpressions") or []:
        if not isinstance(expression, Mapping):
            raise NoSelector("its selector has a malformed matchExpression")
        key, operator = expression.get("key", ""), expression.get("operator", "")
        values = expression.get("values") or []
        if operator in _OPERATORS and values:
            terms.append(f"{key} {_OPERATORS[operator]} ({','.join(map(str, values))})")
        elif operator == "Exists":
            terms.append(str(key))
        elif operator == "DoesNotExist":
            terms.append(f"!{key}")
        else:
            raise NoSelector(f"its selector has an operator tailgate cannot read: {operator!r}")
    text = ",".join(terms)
    if not text:
        raise NoSelector("its selector is empty, which would select every pod of the namespace")
    if not valid_selector(text):
        raise NoSelector(f"its selector {text!r} is not a valid label selector")
    return text


def pod_selector(kind: str, workload: Obj) -> str:
    """The label selector of the pods ``workload`` (of ``kind``) runs; raises NoSelector."""
    spec = workload.get("spec") or {}
    if kind != "CronJob":
        return selector_string(spec.get("selector") or {})
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    if job_spec.get("manualSelector") and job_spec.get("selector"):
        return selector_string(job_spec["selector"])
    labels = ((job_spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not labels:
        raise NoSelector("its job template's pods carry no labels to tell them by")
    return selector_string({"matchLabels": labels}) + f",{CONTROLLER_UID}"


def made_by_cronjob(workload: Obj) -> bool:
    """True for a Job whose controller is a CronJob: its pods are the CronJob's entry's."""
    for owner in (workload.get("metadata") or {}).get("ownerReferences") or []:
        if (
            isinstance(owner, Mapping)
            and owner.get("controller")
            and owner.get("kind") == ("CronJob")
        ):
            return True
    return False


def title(kind: str, namespace: str, name: str) -> str:
    return f"{kind} {namespace}/{name}"
