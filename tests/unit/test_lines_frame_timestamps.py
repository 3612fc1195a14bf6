"""The ``lines`` frame's optional per-line timestamps (pod logs), docs/protocol.md."""

from __future__ import annotations

import json

from tailgate.streaming.frames import lines_payload


def test_a_pod_lines_frame_carries_source_and_timestamps_parallel_to_its_lines() -> None:
    stamps = ["2024-01-01T00:00:00.123456789Z", None]
    payload = lines_payload(["one", "two"], "k1.0a0b0c0d.2.5.1", source="p/c", timestamps=stamps)
    assert json.loads(payload) == {
        "type": "lines",
        "lines": ["one", "two"],
        "cursor": "k1.0a0b0c0d.2.5.1",
        "source": "p/c",
        "timestamps": stamps,
    }


def test_a_lines_frame_without_timestamps_has_no_timestamps_key() -> None:
    assert "timestamps" not in json.loads(lines_payload(["a"], "f1.1.2.3.00000000"))
    assert "source" not in json.loads(lines_payload(["a"], "f1.1.2.3.00000000"))
