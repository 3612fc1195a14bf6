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
from tailgate.pods.resume import subscribe
from tailgate.pods.ring import Ring, cut_base

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
    live, _ = hub.subscribe(0)
    hub.publish("a", lines("a", 1, 2))  # with a loop, both wait for one flush
    hub.publish("b", lines("b", 3))
    hub.flush()
    batches, _ = live.take()
    first, second = (PodCursor.decode(b.cursor, now_ns=NOW) for b in batches)
    assert isinstance(first, PodCursor) and isinstance(second, PodCursor)
    assert first.seq == 2 and second.seq == 3
    assert sorted(p.ts for p in first.positions.values()) == [2]  # b had not begun yet
    assert sorted(p.ts for p in second.positions.values()) == [2, 3]


def test_a_viewer_whose_queue_fills_catches_up_from_the_ring_with_the_notices() -> None:
    hub = LineHub(capacity=100, queue_bytes=20)
    viewer, _ = hub.subscribe(0)
    hub.publish(None, lines(None, 1, 2, text="aaaaaaaaaa"))
    hub.notice("restarted", "the container restarted")
    hub.publish(None, lines(None, 5, 6, text="bbbbbbbbbb"))
    assert viewer.behind is not None
    taken, missed = viewer.take()
    while viewer.behind is not None:  # from the ring, a queue's worth at a time
        more, lost = viewer.take()
        taken += more
        missed += lost
    assert missed == 0
    got = [line for b in taken for line in (b.lines or [b.payload().decode()])]
    assert got[:2] == ["None aaaaaaaaaa1", "None aaaaaaaaaa2"]
    assert "restarted" in got[2]
    assert got[3:] == ["None bbbbbbbbbb5", "None bbbbbbbbbb6"]
    hub.publish(None, [(Position(7, 1), "live")])
    assert [b.lines for b in viewer.take()[0]] == [["live"]]


def test_a_viewer_the_ring_moved_past_is_told_exactly_how_many_lines_it_missed() -> None:
    dropped: list[int] = []
    hub = LineHub(capacity=3, queue_bytes=10, on_drop=dropped.append)
    viewer, _ = hub.subscribe(0)
    hub.publish(None, lines(None, 1, text="0123456789"))
    for ts in range(2, 10):
        hub.publish(None, [(Position(ts, 1), f"line {ts}")])
    first, missed = viewer.take()
    assert [b.lines for b in first] == [["None 01234567891"]] and missed == 0
    rest, missed = viewer.take()
    while viewer.behind is not None:
        more, _ = viewer.take()
        rest += more
    assert [line for b in rest for line in b.lines] == ["line 7", "line 8", "line 9"]
    assert missed == 5 and dropped == [5]


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
    viewer, start = hub.subscribe_at(
        {"a": Position(1, 1)}, fetched, default=Position(), floors={}, gaps=[]
    )
    assert [line for b in start.batches for line in b.lines] == ["a x2", "a x3"]
    assert start.gap is None
    hub.publish("a", [(Position(2, 1), "a x2"), (Position(3, 1), "a x3"), (Position(4, 1), "a x4")])
    batches, _ = viewer.take()
    assert [line for b in batches for line in b.lines] == ["a x4"]
    assert not viewer.floors


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
    ops: list[tuple[str, str, int]], capacity: int, queue_bytes: int
) -> None:
    hub = LineHub(capacity=capacity, queue_bytes=queue_bytes)
    viewer, _ = hub.subscribe(0)
    published: list[str] = []
    received: list[str] = []
    missed = 0
    ts = 0

    def take() -> None:
        nonlocal missed
        batches, lost = viewer.take()
        missed += lost
        received.extend(line for b in batches for line in b.lines)

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
    while viewer.pending:
        take()
    assert len(received) == len(set(received))
    assert len(received) + missed == len(published)
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
    viewer, _ = here.subscribe(0)
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
            batches, _ = viewer.take()
            cursor = batches[-1].cursor if batches else cursor
    seen = min(cut, len(lines_spec)) if cursor else 0
    if cursor is None:
        return
    _, start = asyncio.run(subscribe(there, 0, cursor))
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
    _, start = asyncio.run(subscribe(hub, 2, text))
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
