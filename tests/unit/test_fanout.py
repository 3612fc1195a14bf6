"""The live end of a shared source, from its rules: no sockets, no files, no event loop.

Viewers here are real ``Viewer``s over a transport that keeps what is written, so
the live set's rules meet the real queue rules (flood limit, pause, order).
"""

from __future__ import annotations

import pytest

from tailgate.streaming.fanout import LiveSet
from tailgate.streaming.frames import lines_payload, ws_text_frame
from tailgate.streaming.pacing import FanoutPacer, PacerFleet
from tailgate.streaming.viewer import WRITE_HIGH, Viewer
from tests.auth.clock import FakeClock
from tests.support.connections import Connection


class Clock:
    """Gives the readings it was given, in order."""

    def __init__(self, *readings: float) -> None:
        self.readings = list(readings)

    def __call__(self) -> float:
        return self.readings.pop(0)


def viewer() -> tuple[Viewer, Connection]:
    conn = Connection()
    v = Viewer(conn)
    v.hello(b'{"type":"hello"}')
    return v, conn


class Told:
    """What a hand-off told, in order."""

    def __init__(self) -> None:
        self.heard: list[int | None] = []

    def __call__(self, at: int | None) -> None:
        self.heard.append(at)


def batch(*lines: str) -> bytes:
    return lines_payload(list(lines), "c")


def test_one_frame_reaches_every_live_viewer_and_counts_who_took_it() -> None:
    live: LiveSet[Viewer, int] = LiveSet()
    (a, conn_a), (b, conn_b) = viewer(), viewer()
    live.join(a, Told())
    live.join(b, Told())
    assert live.fan_out(batch("one", "two"), 2, 0) == 2
    assert conn_a.lines() == conn_b.lines() == ["one", "two"]
    assert conn_a.written[-1] == ws_text_frame(batch("one", "two"))
    assert a.lines_sent == 2


def test_nobody_live_means_no_frame_and_no_pacing() -> None:
    live: LiveSet[Viewer, int] = LiveSet(clock=Clock(100.0))
    assert live.fan_out(batch("x"), 1, 0) == 0
    assert live.delay() == 0.0


def test_a_viewer_that_cannot_take_a_frame_leaves_at_the_position_before_it() -> None:
    live: LiveSet[Viewer, int] = LiveSet()
    (fast, fast_conn), (slow, slow_conn) = viewer(), viewer()
    told_fast, told_slow = Told(), Told()
    live.join(fast, told_fast)
    live.join(slow, told_slow)
    live.fan_out(batch("1"), 1, 0)
    slow_conn.unsent = WRITE_HIGH + 1  # its peer stopped reading
    assert live.fan_out(batch("2"), 1, 1) == 1
    assert told_slow.heard == [1]
    assert told_fast.heard == []
    assert slow not in live and fast in live
    # Out of the set, it hears nothing more from it: it catches up on its own.
    slow_conn.unsent = 0
    live.fan_out(batch("3"), 1, 2)
    assert slow_conn.lines() == ["1"]
    assert fast_conn.lines() == ["1", "2", "3"]


def test_a_viewer_that_catches_up_joins_again_and_misses_nothing() -> None:
    live: LiveSet[Viewer, int] = LiveSet()
    v, conn = viewer()
    told = Told()
    live.join(v, told)
    conn.unsent = WRITE_HIGH + 1
    live.fan_out(batch("1"), 1, 0)
    assert told.heard == [0]
    # It reads line 1 from the source itself, then stands at the live end again.
    conn.unsent = 0
    v.control(batch("1"))
    live.join(v, told)
    live.fan_out(batch("2"), 1, 1)
    assert conn.lines() == ["1", "2"]


def test_a_paused_viewer_is_refused_so_it_leaves_and_loses_nothing() -> None:
    live: LiveSet[Viewer, int] = LiveSet()
    v, conn = viewer()
    told = Told()
    live.join(v, told)
    v.pause()
    live.fan_out(batch("while paused"), 1, 7)
    assert told.heard == [7]
    assert conn.lines() == []


@pytest.mark.parametrize(
    ("act", "heard", "result"),
    [
        ("leave", [5], True),
        ("drop", [None], True),
        ("close", [None], None),
    ],
)
def test_every_way_out_tells_the_hand_off_exactly_once(
    act: str, heard: list[int | None], result: bool | None
) -> None:
    live: LiveSet[Viewer, int] = LiveSet()
    v, _ = viewer()
    told = Told()
    live.join(v, told)
    if act == "leave":
        assert live.leave(v, 5) is result
    elif act == "drop":
        assert live.drop(v) is result
    else:
        live.close()
    assert told.heard == heard
    assert not live
    # A second way out finds nobody and tells nobody.
    assert live.leave(v, 6) is False
    assert live.drop(v) is False
    live.close()
    assert told.heard == heard


def test_fan_outs_are_paced_by_what_they_cost() -> None:
    # A fan-out from 100.000 to 100.004 (4 ms), then a look at once and one after 5 ms.
    clock = Clock(100.0, 100.004, 100.004, 100.009)
    live: LiveSet[Viewer, int] = LiveSet(FanoutPacer(duty=0.5, max_delay=0.02), clock=clock)
    v, _ = viewer()
    live.join(v, Told())
    live.fan_out(batch("x"), 1, 0)
    assert live.delay() == pytest.approx(0.004)
    assert live.delay() == 0.0


def test_spacing_stops_at_the_ceiling_however_long_a_fan_out_took() -> None:
    pacer = FanoutPacer(duty=0.5, max_delay=0.02)
    pacer.record(10.0, 10.005)
    assert pacer.delay(10.005) == pytest.approx(0.005)
    pacer.record(20.0, 21.0)
    assert pacer.delay(21.0) == pytest.approx(0.02)


def test_a_quick_fan_out_to_many_viewers_is_spaced_by_each_viewer_it_reached() -> None:
    pacer = FanoutPacer(duty=0.5, max_delay=0.02, per_viewer=0.0001)
    pacer.record(10.0, 10.000_1, viewers=50)  # 0.1 ms measured; 50 viewers count 5 ms
    assert pacer.delay(10.000_1) == pytest.approx(0.005)
    pacer.record(20.0, 20.000_1, viewers=1)
    assert pacer.delay(20.000_1) == pytest.approx(0.000_1)
    pacer.record(30.0, 30.000_1, viewers=1000)
    assert pacer.delay(30.000_1) == pytest.approx(0.02)


def test_the_live_set_paces_by_the_viewers_that_took_the_frame() -> None:
    clock = Clock(5.0, 5.0, 5.0)
    live: LiveSet[Viewer, int] = LiveSet(FanoutPacer(per_viewer=0.001), clock=clock)
    for _ in range(3):
        v, _ = viewer()
        live.join(v, Told())
    refusing, conn = viewer()
    conn.unsent = WRITE_HIGH + 1
    live.join(refusing, Told())
    assert live.fan_out(batch("x"), 1, 0) == 3
    assert live.delay() == pytest.approx(0.003)


def test_sources_sharing_the_loop_space_their_batches_by_how_many_fan_out() -> None:
    ticks = FakeClock(0.0)
    fleet = PacerFleet(window=1.0, clock=ticks)
    alone = FanoutPacer(duty=0.5, max_delay=0.02, per_viewer=0.0001, fleet=fleet)
    alone.record(10.0, 10.0, viewers=10)  # 1 ms for ten viewers: spaced 1 ms, as before
    assert alone.delay(10.0) == pytest.approx(0.001)

    pacers = [FanoutPacer(per_viewer=0.0001, fleet=fleet, shared_max_delay=1.0) for _ in range(9)]
    for pacer in pacers:
        pacer.record(10.0, 10.0, viewers=10)
    # Ten sources of 1 ms each: spaced 19 ms, so that together they take half the loop.
    assert pacers[-1].delay(10.0) == pytest.approx(0.019)

    ticks.now = 1.5  # the next window remembers the ten of the last one
    alone.record(20.0, 20.0, viewers=10)
    assert alone.delay(20.0) == pytest.approx(0.019)
    capped = FanoutPacer(per_viewer=0.0001, fleet=fleet, shared_max_delay=0.01)
    capped.record(20.0, 20.0, viewers=10)
    assert capped.delay(20.0) == pytest.approx(0.01)

    ticks.now = 10.0  # the others went quiet long ago: alone again
    alone.record(30.0, 30.0, viewers=10)
    assert alone.delay(30.0) == pytest.approx(0.001)


def test_a_pacer_outside_any_fleet_paces_as_if_alone() -> None:
    pacers = [FanoutPacer(per_viewer=0.0001) for _ in range(5)]
    for pacer in pacers:
        pacer.record(1.0, 1.0, viewers=10)
    assert pacers[-1].delay(1.0) == pytest.approx(0.001)
