"""The pure parts: timestamps and resume positions, the ConfigMap's keys, the hub."""

from __future__ import annotations

import orjson

from tailgate.catalog.parsing import parse_catalog
from tailgate.k8s.catalog_data import catalog_document
from tailgate.k8s.hub import LineHub
from tailgate.k8s.log_lines import (
    PodCursor,
    Position,
    ResumeFilter,
    parse_line,
    parse_stamped_line,
    since_time,
)


def test_the_timestamp_prefix_is_parsed_and_stripped() -> None:
    ts, text = parse_line(b"2024-01-01T00:00:01.5Z hello\r", default_ts=0, max_line=100)
    assert ts == 1_704_067_201_500_000_000 and text == ["hello"]
    assert parse_line(b"no stamp", default_ts=7, max_line=100) == (7, ["no stamp"])
    assert since_time(1_704_067_201_500_000_000) == "2024-01-01T00:00:01Z"


def test_a_resume_filter_skips_exactly_what_was_seen_at_the_last_timestamp() -> None:
    seen = Position().after(5).after(5)
    assert seen == Position(5, 2)
    resume = ResumeFilter(seen)
    assert [resume.fresh(ts) for ts in (4, 5, 5, 5, 6, 3)] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]


def test_short_entries_and_logs_yaml_merge_and_other_keys_are_ignored() -> None:
    data = {
        "logs.yaml": "logs:\n  - id: web\n    pod: {namespace: shop, name: web-0}\n",
        "app": "/var/log/app.log",
        "README": "see the wiki",
    }
    text, origin = catalog_document(data, "ns/cm")
    assert sorted(parse_catalog(text, origin).entries) == ["app", "web"]
    text, origin = catalog_document({"logs.yaml": "logs: [1]\n", "a": "/a"}, "ns/cm")
    assert origin == "ns/cm/logs.yaml" and text == "logs: [1]\n"


def test_a_hub_serves_backlogs_cursors_and_bounded_queues() -> None:
    dropped: list[int] = []
    hub = LineHub(capacity=3, queue_bytes=10, on_drop=dropped.append)
    hub.publish(None, [(1, "a"), (2, "b"), (3, "c"), (4, "d")])
    _, start = hub.subscribe(2, None)
    assert [b.lines for b in start.batches] == [["c", "d"]]
    cursor = start.batches[-1].cursor
    assert PodCursor.decode(cursor).position == Position(4, 1)
    subscriber, _ = hub.subscribe(0, None)
    hub.publish("p/c", [(5, "eeee")])
    hub.publish("p/c", [(6, "ffff")])
    batches, missed = subscriber.take()
    assert missed == 1 and dropped == [1, 1] and [b.lines for b in batches] == [["ffff"]]
    _, resumed = hub.subscribe(10, cursor)
    assert [b.lines for b in resumed.batches] == [["eeee", "ffff"]] and resumed.gap is None
    _, old = hub.subscribe(10, PodCursor("00000000", 1, Position(1, 1)).encode())
    assert old.gap is not None


def test_the_stamp_is_kept_as_written_and_none_without_one() -> None:
    raw = b"2024-01-01T00:00:01.500000000Z hello"
    assert parse_stamped_line(raw, default_ts=0, max_line=100) == (
        1_704_067_201_500_000_000,
        "2024-01-01T00:00:01.500000000Z",
        ["hello"],
    )
    assert parse_stamped_line(b"2024-01-01T00:00:01Z", default_ts=0, max_line=100)[1] == (
        "2024-01-01T00:00:01Z"
    )
    assert parse_stamped_line(b"plain", default_ts=7, max_line=100) == (7, None, ["plain"])


def test_hub_frames_carry_stamps_parallel_to_lines_live_and_from_the_backlog() -> None:
    stamp = "2024-01-01T00:00:00.000000001Z"
    hub = LineHub(capacity=10)
    live, _ = hub.subscribe(0, None)
    hub.publish("p/c", [(1, "a"), (2, "b")], [stamp, None])
    hub.publish("p/c", [(3, "c")])  # without a loop, each publish is its own batch
    hub.publish(None, [(4, "d")], [stamp])
    batches, _ = live.take()
    frames = [orjson.loads(b.payload()) for b in batches]
    assert [f["lines"] for f in frames] == [["a", "b"], ["c"], ["d"]]
    assert frames[0]["source"] == "p/c" and frames[0]["timestamps"] == [stamp, None]
    assert "timestamps" not in frames[1]
    assert "source" not in frames[2] and frames[2]["timestamps"] == [stamp]
    _, start = hub.subscribe(10, None)
    backlog = [orjson.loads(b.payload()) for b in start.batches]
    assert [f["lines"] for f in backlog] == [["a", "b", "c"], ["d"]]
    assert backlog[0]["timestamps"] == [stamp, None, None]
