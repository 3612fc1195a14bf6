"""A line found in a log's history, with the two positions a client can use."""

from __future__ import annotations

from dataclasses import dataclass

from .places import Place


@dataclass(frozen=True, slots=True)
class Found:
    """One line: its bytes, the position just after it and the one just before it.

    ``after`` is the match's ``cursor`` (a tail opened there starts with the next
    line); ``at`` continues a search or a read-back before the line.
    """

    raw: bytes
    after: Place
    at: Place
    source: str | None


def place_in(
    dev: int, ino: int, offset: int, data: bytes, base: int, earlier: bytes, *, compressed: bool
) -> Place:
    """The position ``offset``, where ``data`` starts at ``base`` and ``earlier`` precedes it.

    The checksum covers the bytes just before ``offset``, which may begin in
    ``earlier`` (the last bytes read before ``data``).
    """
    rel = offset - base
    before = data[rel - 32 : rel] if rel >= 32 else (earlier + data[:rel])[-32:]
    return Place.at(dev, ino, offset, before, compressed=compressed)
