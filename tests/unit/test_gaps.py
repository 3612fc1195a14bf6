"""Gap notices: one frame shape for every source, its cause and what is known of the loss."""

from __future__ import annotations

import orjson
import pytest

from tailgate.streaming import gaps


@pytest.mark.parametrize(
    ("gap", "fields"),
    [
        (gaps.fell_behind(12), {"cause": "behind", "lines": 12}),
        (gaps.truncated_before_read("/l/app.log", 40), {"cause": "truncated", "bytes": 40}),
        (gaps.rotated_away("/l/app.log", 3, 0), {"cause": "rotated_away", "files": 3, "bytes": 0}),
        (gaps.cursor_lost("starting anew"), {"cause": "cursor"}),
    ],
)
def test_each_gap_is_a_notice_with_its_cause_and_only_the_counts_known(
    gap: gaps.Gap, fields: dict[str, object]
) -> None:
    frame = orjson.loads(gap.payload())
    assert frame.pop("type") == "notice" and frame.pop("event") == "gap"
    assert frame.pop("message") == gap.message and gap.message
    assert frame == fields


def test_the_messages_say_what_was_lost_and_where_it_is() -> None:
    assert "12 lines were skipped" in gaps.fell_behind(12).message
    assert "they are in its copy" in gaps.truncated_before_read("/l/app.log", 40).message
    assert "40 bytes of them are in its rotated copies" in gaps.rotated_away("/l/a", 2, 40).message
    assert "rotated copies" not in gaps.rotated_away("/l/a", 2, 0).message
