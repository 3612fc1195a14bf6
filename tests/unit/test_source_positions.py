"""Sources kept in order: the same cursors as from every position, for many pods at once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tailgate.pods.batches import mark
from tailgate.pods.log_lines import Position
from tailgate.pods.pod_cursor import PodCursor, source_hash
from tailgate.pods.positions import CURSOR_SOURCES, SourcePositions
from tailgate.pods.subscriber import _raised

PROPERTIES = settings(max_examples=100, deadline=None)

#: (source number, timestamp, count) updates, then sources removed.
UPDATES = st.lists(
    st.tuples(st.integers(0, 150), st.integers(0, 10**12), st.integers(0, 3)),
    min_size=1,
    max_size=400,
)


def _apply(
    updates: list[tuple[int, int, int]], removed: set[int]
) -> tuple[SourcePositions, dict[str | None, Position]]:
    kept = SourcePositions()
    plain: dict[str | None, Position] = {}
    for number, ts, count in updates:
        source = f"api-{number}/app"
        kept[source] = plain[source] = Position(ts, count)
    for number in removed:
        source = f"api-{number}/app"
        if source in plain:
            del kept[source], plain[source]
    return kept, plain


@PROPERTIES
@given(UPDATES, st.sets(st.integers(0, 150), max_size=40))
def test_order_newest_and_lookups_follow_every_update(
    updates: list[tuple[int, int, int]], removed: set[int]
) -> None:
    kept, plain = _apply(updates, removed)
    assert dict(kept) == plain and len(kept) == len(plain)
    assert kept.newest() == max((p.ts for p in plain.values()), default=0)
    behind = kept.furthest_behind(10)
    assert len(behind) == min(10, len(plain))
    worst = sorted((p.ts, p.count) for p in plain.values())[: len(behind)]
    assert [(p.ts, p.count) for p in behind.values()] == worst  # in order, furthest first
    assert all(kept.by_hash(key) == position for key, position in behind.items())
    for source, position in plain.items():
        assert kept.by_hash(source_hash(source)) == position
    assert kept.by_hash(source_hash("gone/app")) is None


@PROPERTIES
@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=300, unique=True))
def test_a_cursor_from_the_sources_furthest_behind_is_the_cursor_from_all(
    stamps: list[int],
) -> None:
    kept, plain = _apply([(i, ts, 1) for i, ts in enumerate(stamps)], set())
    whole = mark(1, 7, 9, plain)
    part = PodCursor(1, 7, 9, kept.furthest_behind(CURSOR_SOURCES), kept.newest())
    assert part.encode() == whole.encode()


@PROPERTIES
@given(
    st.lists(st.integers(10**9, 10**12), min_size=70, max_size=300, unique=True),
    st.dictionaries(st.integers(0, 299), st.integers(0, 2 * 10**12), max_size=27),
)
def test_a_resumed_viewer_s_floors_raise_a_partial_cursor_as_they_raise_a_whole_one(
    stamps: list[int], raised: dict[int, int]
) -> None:
    kept, plain = _apply([(i, ts, 1) for i, ts in enumerate(stamps)], set())
    floors = {
        source_hash(f"api-{n}/app"): Position(ts, 1) for n, ts in raised.items() if n < len(stamps)
    }
    whole = _raised(mark(1, 7, 9, plain), floors)
    part = _raised(PodCursor(1, 7, 9, kept.furthest_behind(CURSOR_SOURCES), kept.newest()), floors)
    assert part.encode() == whole.encode()


@PROPERTIES
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), max_size=40))
def test_a_cursor_is_the_same_whatever_order_its_positions_come_in(
    positions: list[tuple[int, int]],
) -> None:
    # Ties of timestamps too: a cursor lists sources by timestamp, then hash.
    keyed = {source_hash(f"api-{n}/app"): Position(ts, c) for n, (ts, c) in enumerate(positions)}
    ordered = dict(sorted(keyed.items(), key=lambda kv: (kv[1].ts, kv[0])))
    backwards = dict(reversed(list(ordered.items())))
    cursors = {PodCursor(1, 7, 9, p, 6).encode() for p in (keyed, ordered, backwards)}
    assert len(cursors) == 1
