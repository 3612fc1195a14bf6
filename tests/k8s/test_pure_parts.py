"""The pure parts: timestamps and resume positions, cursors, the hub."""

from __future__ import annotations

import orjson

from tailgate.pods.hub import LineHub
from tailgate.pods.log_lines import (
    Position,
    ResumeFilter,
    parse_line,
    parse_stamped_line,
    since_time,
)
from tailgate.pods.pod_cursor import PodCursor, source_hash
from tests.support.pod_viewer import PodViewer


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


def at(*stamps: int) -> list[tuple[Position, str]]:
    """Lines "a", "b", ... stamped as given, each with the position after it."""
    position = Position()
    out = []
    for i, ts in enumerate(stamps):
        position = position.after(ts)
        out.append((position, chr(ord("a") + i)))
    return out


def test_a_hub_serves_backlogs_and_resumes_its_own_cursors_by_line_number() -> None:
    hub = LineHub(capacity=3)
    hub.publish(None, at(1, 2, 3, 4))
    _, start = hub.subscribe(PodViewer(), 2)
    assert [b.lines for b in start.batches] == [["c", "d"]]
    cursor = start.batches[-1].cursor
    decoded = PodCursor.decode(cursor)
    assert isinstance(decoded, PodCursor)
    assert decoded.positions == {source_hash(None): Position(4, 1)} and decoded.seq == 4
    resumed = hub.subscribe_seq(PodViewer(), decoded.seq - 1)
    assert resumed is not None and [b.lines for b in resumed[1].batches] == [["d"]]
    assert hub.subscribe_seq(PodViewer(), 0) is None  # the ring no longer holds line 1


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
    live = PodViewer()
    live.catch_up(hub.subscribe(live, 0)[0])
    a, b, c, d = at(1, 2, 3, 4)
    hub.publish("p/c", [a, b], [stamp, None])
    hub.publish("p/c", [c])  # without a loop, each publish is its own batch
    hub.publish(None, [d], [stamp])
    frames = live.frames
    assert [f["lines"] for f in frames] == [["a", "b"], ["c"], ["d"]]
    assert frames[0]["source"] == "p/c" and frames[0]["timestamps"] == [stamp, None]
    assert "timestamps" not in frames[1]
    assert "source" not in frames[2] and frames[2]["timestamps"] == [stamp]
    _, start = hub.subscribe(PodViewer(), 10)
    backlog = [orjson.loads(b.payload()) for b in start.batches]
    assert [f["lines"] for f in backlog] == [["a", "b", "c"], ["d"]]
    assert backlog[0]["timestamps"] == [stamp, None, None]
