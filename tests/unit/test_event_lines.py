"""One Kubernetes Event as one log line: its text, its time and its place (pure)."""

from __future__ import annotations

from typing import Any

from tailgate.events.event_lines import event_line, event_time, lines_after


def event(rv: str, **fields: Any) -> dict[str, Any]:
    return {
        "metadata": {
            "name": "e",
            "resourceVersion": rv,
            "creationTimestamp": "2026-01-01T00:00:00Z",
        },
        "type": "Warning",
        "reason": "BackOff",
        "regarding": {"kind": "Pod", "name": "web-1"},
        "note": "Back-off restarting failed container",
        **fields,
    }


def test_an_event_is_type_reason_object_and_note() -> None:
    line = event_line(event("7"), max_line=1000)
    assert line is not None
    assert line.pieces == ["Warning BackOff Pod/web-1: Back-off restarting failed container"]
    assert line.rv == 7


def test_the_time_is_the_last_sighting_then_event_time_then_older_fields() -> None:
    series = {"count": 3, "lastObservedTime": "2026-01-01T00:00:09.500000Z"}
    assert event_time(event("1", series=series, eventTime="2026-01-01T00:00:01.000000Z")) == (
        "2026-01-01T00:00:09.500000Z"
    )
    assert event_time(event("1", eventTime="2026-01-01T00:00:01.000000Z")) == (
        "2026-01-01T00:00:01.000000Z"
    )
    assert event_time(event("1", deprecatedLastTimestamp="2026-01-01T00:00:02Z")) == (
        "2026-01-01T00:00:02Z"
    )
    assert event_time(event("1", eventTime="not a time")) == "2026-01-01T00:00:00Z"


def test_missing_fields_and_control_characters_never_break_the_line() -> None:
    line = event_line(
        event("3", type=None, reason="", regarding=None, note="a\nb\r\x00c\u2028d"), max_line=100
    )
    assert line is not None and line.pieces == ["Normal - ?/?: a b c d"]


def test_an_object_without_a_numeric_resource_version_is_no_line() -> None:
    assert event_line(event(""), max_line=100) is None
    assert event_line(event("12abc"), max_line=100) is None
    assert event_line(event("9" * 40), max_line=100) is None


def test_listed_events_past_a_position_come_in_resource_version_order() -> None:
    listed = [event("30", note="c"), event("10", note="a"), event("20", note="b"), event("x")]
    assert [line.rv for line in lines_after(listed, 10, max_line=100)] == [20, 30]
