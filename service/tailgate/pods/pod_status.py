"""What a pod's status and its containers' statuses mean to a log reader: pure.

The kubelet reports a container as waiting, running or terminated, with an ID that
changes on every restart. A reader follows one container ID at a time: a new ID
means the container restarted (say so, read the new one from its first line), an
exited container is read to its end once and then waited on, and one that has not
started yet (no ID) is waited on with the kubelet's reason. These decisions are
made here, from the status alone, so they can be checked from a table;
``container_log`` does the reading and waiting they call for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Where a pod's status lists its containers, in the order the spec does.
STATUS_KEYS = ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")
#: Pods in these phases have finished for good: no container of theirs runs again.
FINISHED_PHASES = ("Succeeded", "Failed")


def alive(pod: Mapping[str, Any]) -> bool:
    """Whether a pod belongs in a ``pods`` set: not being deleted, not finished for good."""
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    return (pod.get("status") or {}).get("phase") not in FINISHED_PHASES


def container_status(pod: Mapping[str, Any], container: str) -> dict[str, Any] | None:
    """The status the pod reports for ``container`` (None before the kubelet has one)."""
    status = pod.get("status") or {}
    for key in STATUS_KEYS:
        for item in status.get(key) or []:
            if item.get("name") == container:
                return dict(item)
    return None


def has_previous(status: Mapping[str, Any] | None) -> bool:
    """Whether an earlier instance of the container exited, so a previous log exists."""
    return bool(((status or {}).get("lastState") or {}).get("terminated"))


@dataclass(frozen=True, slots=True)
class ContainerStep:
    """What to do next with one container, from its status and what was read of it."""

    #: The container ID to read; None while the container has not started.
    cid: str | None = None
    #: Why it has not started (the kubelet's reason), when ``cid`` is None.
    waiting: str | None = None
    #: A new container replaced the one read so far: its lines start afresh.
    restarted: bool = False
    #: The status's restart count, for the ``restarted`` notice.
    restarts: int = 0
    #: It exited and was read to its end already: wait for the pod to change.
    read_already: bool = False
    #: It exited: read to its end instead of following.
    terminated: bool = False


def container_step(
    status: Mapping[str, Any] | None, *, reading: str | None, done: str | None
) -> ContainerStep:
    """The next step for a container whose status is ``status``.

    ``reading`` is the container ID read so far (None before the first), ``done``
    the ID of an exited container already read to its end.
    """
    status = status or {}
    state = status.get("state") or {}
    started = "running" in state or "terminated" in state
    cid = status.get("containerID") if started else None
    if cid is None:
        return ContainerStep(waiting=(state.get("waiting") or {}).get("reason") or "no status yet")
    return ContainerStep(
        cid=cid,
        restarted=reading is not None and cid != reading,
        restarts=status.get("restartCount", 0),
        read_already=cid == done,
        terminated="terminated" in state,
    )
