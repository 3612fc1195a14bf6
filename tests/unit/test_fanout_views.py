"""The live set frames a batch once per view: shared by viewers asking the same filter.

Real ``Viewer``s over a transport that keeps what is written; no sockets, no files.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tailgate.streaming.fanout import LiveSet
from tailgate.streaming.line_filter import parse_filter
from tailgate.streaming.viewer import WRITE_HIGH, Viewer
from tailgate.streaming.views import TextBatch, View
from tests.support.connections import Connection


def viewer(**query: str) -> tuple[Viewer, Connection]:
    conn = Connection()
    v = Viewer(conn)
    v.hello(b'{"type":"hello"}')
    v.ask(View(parse_filter(query), levels="levels" in query.get("annotate", "")))
    return v, conn


def left_at() -> tuple[list[object], Any]:
    seen: list[object] = []
    return seen, seen.append


async def test_viewers_asking_the_same_filter_get_one_frame_built_once() -> None:
    live: LiveSet[Viewer, int] = LiveSet()
    (a, ca), (b, cb) = viewer(filter="err"), viewer(filter="err")
    (c, cc), (d, cd) = viewer(filter="warn"), viewer()
    for v in (a, b, c, d):
        live.join(v, lambda at: None)
    assert live.views == 3
    sent = live.fan_out_batch(TextBatch(["ok", "ERR one", "WARN two"], "c1"), 0)
    assert ca.written[1] is cb.written[1]  # the very same bytes
    assert ca.lines() == ["ERR one"] and cc.lines() == ["WARN two"]
    assert cd.lines() == ["ok", "ERR one", "WARN two"]
    assert (sent.viewers, sent.lines) == (4, 1 + 1 + 1 + 3)


async def test_a_viewer_behind_reads_the_batch_again_from_the_state_before_it() -> None:
    live: LiveSet[Viewer, int] = LiveSet()
    (fast, cf), (slow, cs) = viewer(filter="HIT", context="1"), viewer(filter="HIT", context="1")
    seen, hand_off = left_at()
    live.join(fast, lambda at: None)
    live.join(slow, hand_off)
    live.fan_out_batch(TextBatch(["a", "b"], "c1"), 1)
    cs.unsent = WRITE_HIGH + 1
    batch = TextBatch(["HIT", "c", "d"], "c2")
    live.fan_out_batch(batch, 2)
    assert seen == [2] and slow not in live
    # On its own from there, with the state the group had before the batch.
    cs.unsent = 0
    await slow.send_batch(batch)
    assert cs.lines() == cf.lines() == ["b", "HIT", "c"]
    assert cs.frames()[-1]["context"] == [0, 2]


async def test_the_first_viewer_of_a_view_brings_its_state_and_a_leaver_takes_a_copy() -> None:
    live: LiveSet[Viewer, int] = LiveSet()
    first, conn = viewer(filter="HIT", context="2")
    await first.send_batch(TextBatch(["x", "y"], "c0"))  # caught up on its own
    live.join(first, lambda at: None)
    assert first.run is None  # the group holds it now
    live.fan_out_batch(TextBatch(["HIT"], "c1"), 1)
    assert conn.lines() == ["x", "y", "HIT"]
    live.leave(first, 1)
    assert first.run is not None and first.run.after == 2
    assert live.views == 0


async def test_lines_left_out_are_counted_to_every_viewer_of_the_view() -> None:
    live: LiveSet[Viewer, int] = LiveSet()
    (a, ca), (b, cb) = viewer(filter="HIT"), viewer(filter="HIT")
    live.join(a, lambda at: None)
    live.join(b, lambda at: None)
    live.fan_out_batch(TextBatch(["x", "HIT", "y"], "c1"), 0)
    for conn in (ca, cb):
        kinds = [(f["type"], f.get("lines")) for f in conn.frames()]
        assert kinds == [("hello", None), ("lines", ["HIT"]), ("skipped", 2)]
        assert conn.frames()[-1]["cursor"] == "c1"


async def test_skipped_is_said_at_most_once_a_second_and_nothing_is_lost() -> None:
    v, conn = viewer(filter="HIT")
    for n in range(5):
        await v.send_batch(TextBatch(["x", "y"], f"c{n}"))
    said = [f for f in conn.frames() if f["type"] == "skipped"]
    assert [f["lines"] for f in said] == [2]
    # The rest is said when the second is up, with the cursor of the last batch.
    await asyncio.sleep(1.1)
    said = [f for f in conn.frames() if f["type"] == "skipped"]
    assert [f["lines"] for f in said] == [2, 8] and said[-1]["cursor"] == "c4"
    v.stop_timers()


async def test_a_notice_goes_to_every_view() -> None:
    live: LiveSet[Viewer, int] = LiveSet()
    (a, ca), (b, cb) = viewer(filter="HIT"), viewer()
    live.join(a, lambda at: None)
    live.join(b, lambda at: None)
    assert live.fan_out(b'{"type":"notice","event":"rotated"}', 0, 0) == 2
    assert ca.frames()[-1]["event"] == cb.frames()[-1]["event"] == "rotated"
