"""What a container's status tells a log reader to do next, decided from a table."""

from __future__ import annotations

from typing import Any

import pytest

from tailgate.pods.pod_status import (
    ContainerStep,
    alive,
    container_status,
    container_step,
    has_previous,
)

RUNNING_A = {"containerID": "cri://a", "restartCount": 0, "state": {"running": {}}}
RUNNING_B = {"containerID": "cri://b", "restartCount": 1, "state": {"running": {}}}
EXITED_A = {"containerID": "cri://a", "restartCount": 0, "state": {"terminated": {}}}
EXITED_B = {"containerID": "cri://b", "restartCount": 1, "state": {"terminated": {}}}
PULLING = {"state": {"waiting": {"reason": "ImagePullBackOff"}}}
#: Crash-looping: waiting to start again, the ID of the exited container still given.
BACKING_OFF = {"containerID": "cri://a", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}


@pytest.mark.parametrize(
    ("status", "reading", "done", "step"),
    [
        (None, None, None, ContainerStep(waiting="no status yet")),
        ({}, "cri://a", None, ContainerStep(waiting="no status yet")),
        (PULLING, None, None, ContainerStep(waiting="ImagePullBackOff")),
        (BACKING_OFF, "cri://a", "cri://a", ContainerStep(waiting="CrashLoopBackOff")),
        ({"state": {"running": {}}}, None, None, ContainerStep(waiting="no status yet")),
        (RUNNING_A, None, None, ContainerStep(cid="cri://a")),
        (RUNNING_A, "cri://a", None, ContainerStep(cid="cri://a")),
        (RUNNING_B, "cri://a", None, ContainerStep(cid="cri://b", restarted=True, restarts=1)),
        (RUNNING_B, "cri://a", "cri://a", ContainerStep(cid="cri://b", restarted=True, restarts=1)),
        (EXITED_A, None, None, ContainerStep(cid="cri://a", terminated=True)),
        (EXITED_A, "cri://a", None, ContainerStep(cid="cri://a", terminated=True)),
        (
            EXITED_A,
            "cri://a",
            "cri://a",
            ContainerStep(cid="cri://a", terminated=True, read_already=True),
        ),
        (
            EXITED_B,
            "cri://a",
            "cri://a",
            ContainerStep(cid="cri://b", restarted=True, restarts=1, terminated=True),
        ),
    ],
)
def test_each_container_status_leads_to_its_step(
    status: dict[str, Any] | None, reading: str | None, done: str | None, step: ContainerStep
) -> None:
    assert container_step(status, reading=reading, done=done) == step


@pytest.mark.parametrize(
    ("pod", "expected"),
    [
        ({}, True),
        ({"status": {"phase": "Pending"}}, True),
        ({"status": {"phase": "Running"}}, True),
        ({"status": {"phase": "Unknown"}}, True),
        ({"status": {"phase": "Succeeded"}}, False),
        ({"status": {"phase": "Failed"}}, False),
        ({"metadata": {"deletionTimestamp": "2024-01-01T00:00:00Z"}}, False),
        ({"metadata": None, "status": None}, True),
    ],
)
def test_only_pods_neither_deleted_nor_finished_stay_in_a_set(
    pod: dict[str, Any], expected: bool
) -> None:
    assert alive(pod) is expected


def test_a_container_status_is_found_among_init_regular_and_ephemeral_containers() -> None:
    pod = {
        "status": {
            "initContainerStatuses": [{"name": "setup", "restartCount": 0}],
            "containerStatuses": [{"name": "app", "restartCount": 2}],
            "ephemeralContainerStatuses": [{"name": "debug", "restartCount": 0}],
        }
    }
    assert [container_status(pod, name) for name in ("setup", "app", "debug")] == [
        {"name": "setup", "restartCount": 0},
        {"name": "app", "restartCount": 2},
        {"name": "debug", "restartCount": 0},
    ]
    assert container_status(pod, "other") is None
    assert container_status({}, "app") is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, False),
        ({}, False),
        ({"lastState": {}}, False),
        ({"lastState": {"terminated": {"exitCode": 1}}}, True),
    ],
)
def test_a_previous_log_exists_only_after_an_earlier_instance_exited(
    status: dict[str, Any] | None, expected: bool
) -> None:
    assert has_previous(status) is expected
