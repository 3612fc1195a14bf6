"""Every source's position, kept in order too, so cursors cost the same for 1,000 pods as for 1.

A pods log makes a cursor for every batch it hands out, and a cursor names the
sources furthest behind (as many as fit, ``pod_cursor``) and the newest timestamp
of any. Working those out from a plain dict is a pass over every source per batch:
with 1,000 pods at 5 lines/s that is five million steps a second, more than a core.
Here the positions are also kept sorted (a list kept in order with ``bisect``: one
source moves per update, and moving a pointer in a list of a few thousand is cheaper
than any tree in Python), so both answers take a slice.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator, MutableMapping

from .log_lines import Position
from .pod_cursor import source_hash

Source = str | None

#: Sources a cursor is made from: more than fit in one (``pod_cursor``: 27 at most),
#: with room for a resumed viewer's floors (as many) to raise some out of the way
#: (``subscriber._raised``), so the ones a cursor keeps are the same as from all.
CURSOR_SOURCES = 64


class SourcePositions(MutableMapping[Source, Position]):
    def __init__(self) -> None:
        self._by_source: dict[Source, Position] = {}
        #: Position and cursor hash by id, for the cursors made from every batch.
        self._by_id: dict[int, Position] = {}
        self._hash_of: dict[int, int] = {}
        #: (ts, count, id) of every source, in order; ids break ties and name the source.
        self._order: list[tuple[int, int, int]] = []
        self._ids: dict[Source, int] = {}
        self._sources: dict[int, Source] = {}
        self._next_id = 0
        #: Source by the hash cursors name it by.
        self._hashed: dict[int, Source] = {}

    def __getitem__(self, source: Source) -> Position:
        return self._by_source[source]

    def __setitem__(self, source: Source, position: Position) -> None:
        old = self._by_source.get(source)
        if old is None:
            key = self._ids[source] = self._next_id
            self._sources[key] = source
            self._next_id += 1
            hashed = self._hash_of[key] = source_hash(source)
            self._hashed[hashed] = source
        else:
            key = self._ids[source]
            self._remove(old, key)
        self._by_source[source] = position
        self._by_id[key] = position
        insort(self._order, (position.ts, position.count, key))

    def __delitem__(self, source: Source) -> None:
        position = self._by_source.pop(source)
        key = self._ids.pop(source)
        del self._sources[key]
        del self._by_id[key]
        self._remove(position, key)
        self._hashed.pop(self._hash_of.pop(key), None)

    def _remove(self, position: Position, key: int) -> None:
        at = bisect_left(self._order, (position.ts, position.count, key))
        del self._order[at]

    def __iter__(self) -> Iterator[Source]:
        return iter(self._by_source)

    def __len__(self) -> int:
        return len(self._by_source)

    def __contains__(self, source: object) -> bool:
        return source in self._by_source

    def by_hash(self, key: int) -> Position | None:
        """The position of the source a cursor names ``key``, if it is here."""
        if key not in self._hashed:
            return None
        return self._by_source.get(self._hashed[key])

    def newest(self) -> int:
        """The newest timestamp of any source (0 without sources)."""
        return self._order[-1][0] if self._order else 0

    def furthest_behind(self, count: int) -> dict[int, Position]:
        """The ``count`` sources furthest behind, in order, with their positions, each
        by the hash cursors name it by (what ``PodCursor`` takes)."""
        by_id, hash_of = self._by_id, self._hash_of
        return {hash_of[key]: by_id[key] for _, _, key in self._order[:count]}
