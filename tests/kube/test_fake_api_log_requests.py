"""Log request rules (container choice, instance choice, filters), without a server."""

from __future__ import annotations

import pytest

from . import objects
from .log_requests import (
    LogOptions,
    choose_container,
    format_timestamp,
    parse_time_ns,
    render,
    resolve_container_id,
    select_lines,
)
from .statuses import StatusError


def test_timestamps_always_have_nine_fractional_digits() -> None:
    assert format_timestamp(1_704_067_200_000_000_000) == "2024-01-01T00:00:00.000000000Z"
    assert format_timestamp(1_704_067_200_123_456_789) == "2024-01-01T00:00:00.123456789Z"


def test_since_time_accepts_offsets_and_fractions() -> None:
    assert parse_time_ns("2024-01-01T01:00:00.5+01:00") == 1_704_067_200_500_000_000
    assert parse_time_ns("2024-01-01T00:00:00Z") == 1_704_067_200_000_000_000


def test_the_only_container_is_chosen_when_none_is_named() -> None:
    assert choose_container(objects.pod("web"), "") == "app"


def test_naming_no_container_of_several_lists_them_all() -> None:
    pod = objects.pod("web", containers=["app", "sidecar"])
    with pytest.raises(StatusError) as raised:
        choose_container(pod, "")
    assert raised.value.message == (
        "a container name must be specified for pod web, choose one of: [app sidecar]"
    )


def test_an_unknown_container_is_not_valid_for_the_pod() -> None:
    with pytest.raises(StatusError) as raised:
        choose_container(objects.pod("web"), "nope")
    assert raised.value.message == "container nope is not valid for pod web"


def test_previous_reads_the_last_terminated_instance() -> None:
    pod = objects.pod("web", restart_counts={"app": 2})
    current = resolve_container_id(pod, "app", previous=False)
    previous = resolve_container_id(pod, "app", previous=True)
    assert current == objects.container_id("default", "web", "app", 2)
    assert previous == objects.container_id("default", "web", "app", 1)


def test_a_crash_looping_container_serves_its_last_run() -> None:
    pod = objects.pod("web", states={"app": "CrashLoopBackOff"}, restart_counts={"app": 3})
    assert resolve_container_id(pod, "app", False) == objects.container_id(
        "default", "web", "app", 2
    )


def test_options_that_conflict_are_invalid() -> None:
    with pytest.raises(StatusError) as raised:
        LogOptions.from_query({"sinceSeconds": "5", "sinceTime": "2024-01-01T00:00:00Z"}, "web", 0)
    assert raised.value.code == 422
    assert "at most one of `sinceTime` or `sinceSeconds` may be specified" in raised.value.message


def test_tail_applies_before_since() -> None:
    lines = [(1, b"a"), (2, b"b"), (3, b"c")]
    options = LogOptions(tail_lines=2, since_ns=3)
    assert render(select_lines(lines, options), timestamps=False) == b"c\n"
