"""Pod cursors and the ring, without a loop or a socket: decoding, bounds, catching up."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import string

from hypothesis import given
from hypothesis import strategies as st

from tailgate.errors import BadCursor
from tailgate.pods.hub import Fetched, LineHub
from tailgate.pods.log_lines import Position
from tailgate.pods.pod_cursor import CURSOR_CHARS, LegacyCursor, PodCursor, log_tag
from tailgate.pods.read_again import lines_after
from tailgate.pods.resume import subscribe, subscribe_at
from tailgate.pods.ring import Ring, cut_base
from tailgate.streaming.line_filter import parse_filter
from tailgate.streaming.views import View
from tests.support.pod_viewer import PodViewer

NOW = 1_800_000_000 * 1_000_000_000


def lines(source: str | None, *stamps: int, text: str = "x") -> list[tuple[Position, str]]:
    position = Position()
    out = []
    for ts in stamps:
        position = position.after(ts)
        out.append((position, f"{source} {text}{ts}"))
    return out


@given(st.text(alphabet=string.printable, max_size=400))
def test_decoding_any_text_is_a_cursor_or_bad_cursor_never_another_exception(text: str) -> None:
    for candidate in (text, "k2." + text, "k1." + text):
        with contextlib.suppress(BadCursor):
            PodCursor.decode(candidate, now_ns=NOW)


@given(st.binary(max_size=180))
def test_decoding_any_bytes_after_the_prefix_never_raises_anything_but_bad_cursor(
    data: bytes,
) -> None:
    text = "k2." + base64.urlsafe_b64encode(data).decode().rstrip("=")
    try:
        decoded = PodCursor.decode(text, now_ns=NOW)
    except BadCursor:
        return
    assert isinstance(decoded, PodCursor)
    assert all(0 <= p.ts <= decoded.newest for p in decoded.positions.values())


@given(
    st.dictionaries(
        st.integers(0, 2**32 - 1),
        st.tuples(st.integers(0, NOW), st.integers(0, 2**40)),
        max_size=6,
    )
)
def test_a_cursor_round_trips_its_positions(raw: dict[int, tuple[int, int]]) -> None:
    positions = {key: Position(ts, count) for key, (ts, count) in raw.items()}
    newest = max((p.ts for p in positions.values()), default=0)
    cursor = PodCursor(5, 42, log_tag("api"), positions, newest)
    decoded = PodCursor.decode(cursor.encode(), now_ns=NOW)
    assert decoded == cursor


def test_a_cursor_of_many_pods_stays_short_and_keeps_those_furthest_behind() -> None:
    positions = {key: Position(NOW - key * 1_000_000, key) for key in range(1, 200)}
    text = PodCursor(1, 1, 2, positions, NOW).encode()
    assert len(text) <= CURSOR_CHARS
    decoded = PodCursor.decode(text, now_ns=NOW)
    assert isinstance(decoded, PodCursor)
    kept = set(decoded.positions)
    assert len(kept) > 10 and kept == set(range(199, 199 - len(kept), -1))


def test_a_cursor_in_the_future_or_an_old_k1_cursor_is_judged_plainly() -> None:
    future = PodCursor(1, 1, 2, {}, NOW + 2 * 3600 * 1_000_000_000).encode()
    try:
        PodCursor.decode(future, now_ns=NOW)
    except BadCursor as exc:
        assert "future" in str(exc)
    else:
        raise AssertionError("a cursor far in the future was accepted")
    legacy = PodCursor.decode("k1.0a0b0c0d.3.17.2", now_ns=NOW)
    assert legacy == LegacyCursor(Position(17, 2))


async def test_each_batch_of_one_flush_carries_the_cursor_at_its_own_end() -> None:
    hub = LineHub(capacity=10)
    viewer = PodViewer()
    viewer.catch_up(hub.subscribe(viewer, 0)[0])
    hub.publish("a", lines("a", 1, 2))  # with a loop, both wait for one flush
    hub.publish("b", lines("b", 3))
    hub.flush()
    first, second = (PodCursor.decode(f["cursor"], now_ns=NOW) for f in viewer.frames)
    assert isinstance(first, PodCursor) and isinstance(second, PodCursor)
    assert first.seq == 2 and second.seq == 3
    assert sorted(p.ts for p in first.positions.values()) == [2]  # b had not begun yet
    assert sorted(p.ts for p in second.positions.values()) == [2, 3]


async def test_one_flush_reaches_each_viewer_in_one_write_of_one_frame_per_source() -> None:
    hub = LineHub(capacity=10)
    viewer = PodViewer()
    viewer.catch_up(hub.subscribe(viewer, 0)[0])
    hub.publish("a", lines("a", 1, 2))  # with a loop, all three wait for one flush
    hub.publish("b", lines("b", 3))
    hub.publish("a", lines("a", 4)[-1:])
    hub.flush()
    assert viewer.writes == 1
    got = [(f["source"], f["lines"]) for f in viewer.frames]
    assert got == [("a", ["a x1", "a x2"]), ("b", ["b x3"]), ("a", ["a x4"])]


async def test_a_viewer_asking_for_sources_gets_one_flush_as_one_frame_ending_at_its_cursor() -> (
    None
):
    hub = LineHub(capacity=10)
    plain, together, filtered = PodViewer(), PodViewer(), PodViewer()
    together.view = View(sources=True)
    filtered.view = View(parse_filter({"filter": "x"}), sources=True)
    for viewer in (plain, together, filtered):
        viewer.catch_up(hub.subscribe(viewer, 0)[0])
    hub.publish("a", lines("a", 1, 2))
    hub.publish("b", lines("b", 3))
    hub.flush()
    (frame,) = together.frames
    assert frame["lines"] == ["a x1", "a x2", "b x3"]
    assert frame["sources"] == ["a", "a", "b"] and "source" not in frame
    assert frame["cursor"] == plain.frames[-1]["cursor"]  # where the whole flush ends
    # A filter's frames (context, matches) stay one source each.
    assert [f["source"] for f in filtered.frames] == ["a", "b"]
    hub.publish("a", lines("a", 4)[-1:])
    hub.flush()  # one batch alone: its frame names its one source, as for everyone
    assert together.frames[-1]["source"] == "a" and "sources" not in together.frames[-1]


async def test_a_viewer_that_refuses_a_flush_catches_up_every_batch_of_it_once() -> None:
    hub = LineHub(capacity=100)
    viewer = PodViewer(budget=5)
    subscriber, _ = hub.subscribe(viewer, 0)
    viewer.catch_up(subscriber)
    hub.publish("a", lines("a", 1))
    hub.flush()  # taken: the budget was free; spent now
    hub.publish("a", lines("a", 2)[-1:])
    hub.publish("b", lines("b", 3))
    hub.flush()  # refused whole: the viewer leaves before a's second line
    assert not subscriber.live and viewer.lines == ["a x1"]
    viewer.catch_up(subscriber)
    assert viewer.lines == ["a x1", "a x2", "b x3"] and viewer.missed == 0


def test_a_viewer_that_cannot_keep_up_catches_up_from_the_ring_with_the_notices() -> None:
    hub = LineHub(capacity=100, catch_up_bytes=20)
    viewer = PodViewer(budget=10)
    subscriber, _ = hub.subscribe(viewer, 0)
    viewer.catch_up(subscriber)
    hub.publish(None, lines(None, 1, 2, text="aaaaaaaaaa"))  # taken: the budget was free
    hub.notice("restarted", "the container restarted")  # refused: it left the live set
    hub.publish(None, lines(None, 5, 6, text="bbbbbbbbbb"))
    assert not subscriber.live
    while not subscriber.live:  # from the ring, 20 bytes of text at a time
        viewer.drained()
        viewer.step(subscriber)
    assert viewer.missed == 0
    got = [", ".join(f["lines"]) if f["type"] == "lines" else f["event"] for f in viewer.frames]
    assert got == ["None aaaaaaaaaa1, None aaaaaaaaaa2", "restarted", "None bbbbbbbbbb5",
                   "None bbbbbbbbbb6"]  # fmt: skip
    viewer.drained()
    hub.publish(None, [(Position(7, 1), "live")])
    assert viewer.frames[-1]["lines"] == ["live"]


def test_a_viewer_the_ring_moved_past_is_told_exactly_how_many_lines_it_missed() -> None:
    dropped: list[int] = []
    hub = LineHub(capacity=3, catch_up_bytes=10, on_drop=dropped.append)
    viewer = PodViewer(budget=10)
    subscriber, _ = hub.subscribe(viewer, 0)
    viewer.catch_up(subscriber)
    hub.publish(None, lines(None, 1, text="0123456789"))
    for ts in range(2, 10):
        hub.publish(None, [(Position(ts, 1), f"line {ts}")])
    assert viewer.lines == ["None 01234567891"]
    viewer.catch_up(subscriber)
    assert viewer.lines == ["None 01234567891", "line 7", "line 8", "line 9"]
    assert viewer.missed == 5 and dropped == [5]


def test_lines_published_while_a_new_viewer_sends_its_backlog_come_after_it_once() -> None:
    hub = LineHub(capacity=10)
    hub.publish(None, lines(None, 1, 2))
    viewer = PodViewer()
    subscriber, start = hub.subscribe(viewer, 2)
    hub.publish(None, lines(None, 3))  # before its task sent the backlog: not live yet
    assert viewer.frames == [] and not subscriber.live
    viewer.send(start.batches)
    viewer.catch_up(subscriber)
    hub.publish(None, [(Position(4, 1), "None x4")])
    assert viewer.lines == ["None x1", "None x2", "None x3", "None x4"]


def test_a_viewer_resumed_ahead_that_falls_behind_still_skips_the_lines_it_has() -> None:
    hub = LineHub(capacity=10)
    hub.start_source("a", Position())
    hub.publish("a", lines("a", 1))
    viewer = PodViewer(budget=0)  # takes nothing live
    subscriber, start = subscribe_at(
        hub, viewer, {"a": Position(3, 1)}, {}, default=Position(), floors={}, gaps=[]
    )
    assert start.batches == [] and subscriber.floors
    viewer.catch_up(subscriber)
    viewer.budget = 0
    hub.publish("a", [(Position(2, 1), "a x2"), (Position(3, 1), "a x3"), (Position(4, 1), "a x4")])
    assert not subscriber.live and viewer.lines == []
    viewer.catch_up(subscriber)
    assert viewer.lines == ["a x4"]


def test_the_ring_knows_from_where_it_holds_every_line_of_each_source() -> None:
    ring = Ring(capacity=3, limit_bytes=1000)
    ring.start_source("a", cut_base(10))
    ring.add_lines("a", [(Position(11, 1), "x", None), (Position(12, 1), "y", None)])
    ring.start_source("b", Position())
    assert ring.covers("a", Position(11, 0)) and not ring.covers("a", Position(10, 3))
    ring.add_lines("b", [(Position(5, 1), "p", None), (Position(6, 1), "q", None)])
    assert ring.covers("a", Position(11, 1)) and not ring.covers("a", Position(10, 9))
    assert ring.covers("b", Position())


def test_a_resume_with_fetched_lines_skips_what_the_stream_brings_again() -> None:
    hub = LineHub(capacity=10)
    hub.start_source("a", Position())
    hub.publish("a", lines("a", 1))
    fetched = {"a": Fetched([(Position(2, 1), "a x2", None), (Position(3, 1), "a x3", None)], True)}
    viewer = PodViewer()
    subscriber, start = subscribe_at(
        hub, viewer, {"a": Position(1, 1)}, fetched, default=Position(), floors={}, gaps=[]
    )
    viewer.send(start.batches)
    viewer.catch_up(subscriber)
    assert viewer.lines == ["a x2", "a x3"]
    assert start.gap is None
    hub.publish("a", [(Position(2, 1), "a x2"), (Position(3, 1), "a x3"), (Position(4, 1), "a x4")])
    assert viewer.lines == ["a x2", "a x3", "a x4"]
    assert not subscriber.floors
    hub.publish("a", [(Position(5, 1), "a x5")])  # past its floors: the shared frame
    assert viewer.lines[-1] == "a x5"


@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("publish"), st.sampled_from(["a", "b"]), st.integers(1, 6)),
            st.tuples(st.just("notice"), st.just(""), st.just(0)),
            st.tuples(st.just("take"), st.just(""), st.just(0)),
        ),
        max_size=60,
    ),
    st.integers(1, 40),
    st.integers(5, 120),
)
def test_a_slow_viewer_gets_every_line_once_in_order_or_a_count_of_what_it_missed(
    ops: list[tuple[str, str, int]], capacity: int, budget: int
) -> None:
    hub = LineHub(capacity=capacity, catch_up_bytes=budget)
    viewer = PodViewer(budget=budget)
    subscriber, _ = hub.subscribe(viewer, 0)
    published: list[str] = []
    ts = 0

    def take() -> None:
        viewer.drained()  # the client read what it had
        if not subscriber.live:
            viewer.step(subscriber)

    for op, source, count in ops:
        if op == "publish":
            batch = []
            for _ in range(count):
                ts += 1
                text = f"{source} {ts}"
                batch.append((Position(ts, 1), text))
                published.append(text)
            hub.publish(source, batch)
        elif op == "notice":
            hub.notice("joined", "a pod joined")
        else:
            take()
    viewer.catch_up(subscriber)
    received = viewer.lines
    assert len(received) == len(set(received))
    assert len(received) + viewer.missed == len(published)
    order = {text: i for i, text in enumerate(published)}
    assert [order[t] for t in received] == sorted(order[t] for t in received)


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 2)), min_size=1, max_size=40
    ),
    st.integers(0, 40),
    st.integers(1, 50),
)
def test_a_cursor_from_another_stream_resumes_each_source_exactly_or_says_gap(
    lines_spec: list[tuple[str, int]], cut: int, capacity: int
) -> None:
    here = LineHub(capacity=100, log_id="api")
    there = LineHub(capacity=capacity, log_id="api")
    viewer = PodViewer()
    viewer.catch_up(here.subscribe(viewer, 0)[0])
    positions: dict[str, Position] = {}
    published: list[tuple[str, str]] = []
    ts = 1_000
    cursor = None
    for n, (source, step) in enumerate(lines_spec):
        ts += step  # 0: the same timestamp again
        positions[source] = positions.get(source, Position()).after(ts)
        line = (positions[source], f"{source} {n}")
        here.publish(source, [line])
        there.publish(source, [line])
        published.append((source, line[1]))
        if n < cut:
            cursor = viewer.frames[-1]["cursor"]
    seen = min(cut, len(lines_spec)) if cursor else 0
    if cursor is None:
        return
    _, start = asyncio.run(subscribe(there, PodViewer(), 0, cursor))
    got = [(b.source, t) for b in start.batches for t in b.lines]
    want = published[seen:]
    for source in "abc":
        mine = [t for s, t in got if s == source]
        theirs = [t for s, t in want if s == source]
        if start.gap is None:
            assert mine == theirs
        else:
            assert mine == theirs[len(theirs) - len(mine) :]


@given(
    st.one_of(
        st.text(max_size=300),
        st.binary(max_size=150).map(
            lambda b: "k2." + base64.urlsafe_b64encode(b).decode().rstrip("=")
        ),
    )
)
def test_resolving_any_cursor_on_a_log_starts_the_viewer_somewhere_never_raises(
    text: str,
) -> None:
    hub = LineHub(capacity=5, log_id="api")
    hub.start_source("api-1/app", Position())
    hub.publish("api-1/app", lines("api-1/app", 1, 2, 3))
    _, start = asyncio.run(subscribe(hub, PodViewer(), 2, text))
    assert all(b.source in ("api-1/app", None) for b in start.batches)


def test_an_answer_read_again_is_skipped_by_count_only_when_it_holds_the_whole_second() -> None:
    def answer(*stamps: int) -> list[tuple[int, str | None, list[str]]]:
        return [(ts, None, [f"at {ts} #{i}"]) for i, ts in enumerate(stamps)]

    at = Position(10, 2)  # the cursor had two lines stamped 10
    whole = lines_after(answer(9, 10, 10, 10, 11), at, complete=True)
    assert [t for _, t, _ in whole.lines] == ["at 10 #3", "at 11 #4"] and whole.reached
    started_before = lines_after(answer(9, 10, 10, 10, 11), at, complete=False)
    assert started_before == whole
    cut = lines_after(answer(10, 10, 11, 12), at, complete=False)
    assert [t for _, t, _ in cut.lines] == ["at 11 #2", "at 12 #3"] and not cut.reached
    assert cut.lines[0][0] == Position(11, 1)
