"""Pod log cursors: where a viewer stands in every pod of a log, in a form any replica reads.

A cursor has to outlive the server that handed it out: rolling updates move every
viewer to another replica, which has its own stream of the log and its own line
numbers. So besides the stream (``epoch``) and line number (``seq``) that let the
same stream resume exactly, a cursor carries the position of every source (one
``POD/CONTAINER`` of a ``pods`` log, or the single container of a ``pod`` log) by
the kubelet's timestamps: what any replica, or the API server itself, can find
again. Sources are named by a short hash of their label, so a cursor can only
point into pods the resolving log already follows: a forged cursor cannot name a
pod outside the log's namespace and selector. The log itself is named by a hash
of its ID, so a cursor of another log is recognised as such.

Layout (``k2.`` then base64url, no padding)::

    epoch u32 | seq u64 | log tag u32 | newest ts u64 | entries...
    entry: source hash u32 | varint (newest ts - ts) | varint count

``seq`` 0 means "by positions only". Cursors are kept under ``CURSOR_CHARS``; a log
with more sources than fit keeps the ones furthest behind, and the rest resume from
the cursor's newest timestamp. ``k1.`` cursors (one merged position) still decode,
as ``LegacyCursor``. Pure; decoding is defensive: anything else is ``BadCursor``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import BadCursor
from ..streaming.frames import MAX_CURSOR
from .log_lines import Position

#: Longest cursor handed out: the protocol's limit, past which cursors are refused.
CURSOR_CHARS = MAX_CURSOR
#: A cursor positioned later than this far ahead of the clock is forged or broken.
FUTURE_SLACK_NS = 3600 * 1_000_000_000
_HEADER = struct.Struct(">IQIQ")
_HASH = struct.Struct(">I")
_MAX_U63 = (1 << 63) - 1
#: Bytes for entries in a cursor, and the fewest one takes (a hash, two one-byte varints).
_ROOM = (CURSOR_CHARS - 3) * 3 // 4 - _HEADER.size
_SMALLEST_ENTRY = _HASH.size + 2
_LEGACY = re.compile(r"k1\.([0-9a-f]{8})\.(\d{1,20})\.(\d{1,20})\.(\d{1,9})", re.ASCII)


@functools.lru_cache(maxsize=65536)
def source_hash(source: str | None) -> int:
    """The short name a cursor gives a source (``None``: a ``pod`` log's only source)."""
    digest = hashlib.blake2b((source or "").encode(), digest_size=4).digest()
    value: int = _HASH.unpack(digest)[0]
    return value


def log_tag(log_id: str) -> int:
    value: int = _HASH.unpack(hashlib.blake2b(log_id.encode(), digest_size=4).digest())[0]
    return value


@dataclass(frozen=True, slots=True)
class PodCursor:
    """A place in a pod log: the stream and line number, and every source's position."""

    epoch: int
    seq: int
    log: int
    #: Position by source hash.
    positions: dict[int, Position] = field(default_factory=dict)
    #: The newest timestamp of any source (sources left out resume from here).
    newest: int = 0

    def encode(self) -> str:
        # Every batch of a pod log carries one: this is on the relay's hot path, so the
        # entries are written in place, into one buffer.
        newest = self.newest
        out = bytearray(_HEADER.pack(self.epoch, self.seq, self.log, newest))
        full = _HEADER.size + _ROOM
        pack, put = _HASH.pack, out.append
        # Furthest behind first: those are the ones the newest timestamp would misplace.
        for key, position in _furthest_behind_first(self.positions):
            start = len(out)
            if full - start < _SMALLEST_ENTRY:
                break
            out += pack(key)
            for value in (newest - position.ts, min(position.count, _MAX_U63)):
                if value < 0x80:
                    put(value if value > 0 else 0)
                    continue
                while value >= 0x80:  # a varint, seven bits a byte, least first
                    put((value & 0x7F) | 0x80)
                    value >>= 7
                put(value)
            if len(out) > full:
                del out[start:]
                break
        return "k2." + base64.urlsafe_b64encode(out).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, *, now_ns: int | None = None) -> PodCursor | LegacyCursor:
        if text.startswith("k1."):
            return LegacyCursor.decode(text)
        if not text.startswith("k2.") or len(text) > 4 * CURSOR_CHARS:
            raise BadCursor("the cursor is malformed or not from a pod log; starting anew")
        body = text[3:]
        try:
            data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise BadCursor("the cursor is malformed; starting anew") from None
        if len(data) < _HEADER.size:
            raise BadCursor("the cursor is truncated; starting anew")
        epoch, seq, log, newest = _HEADER.unpack_from(data)
        limit = (time.time_ns() if now_ns is None else now_ns) + FUTURE_SLACK_NS
        if newest > limit or seq > _MAX_U63:
            raise BadCursor("the cursor points into the future; starting anew")
        positions: dict[int, Position] = {}
        at = _HEADER.size
        while at < len(data):
            if at + _HASH.size > len(data):
                raise BadCursor("the cursor is truncated; starting anew")
            (key,) = _HASH.unpack_from(data, at)
            delta, at = _read_varint(data, at + _HASH.size)
            count, at = _read_varint(data, at)
            if delta > newest:
                raise BadCursor("the cursor is malformed; starting anew")
            positions[key] = Position(newest - delta, count)
        return cls(epoch, seq, log, positions, newest)


@dataclass(frozen=True, slots=True)
class LegacyCursor:
    """A ``k1.`` cursor: one position merged over every source of the log."""

    position: Position

    @classmethod
    def decode(cls, text: str) -> LegacyCursor:
        match = _LEGACY.fullmatch(text)
        if match is None:
            raise BadCursor("the cursor is malformed or not from a pod log; starting anew")
        _, _, ts, count = match.groups()
        if int(ts) > _MAX_U63:
            raise BadCursor("the cursor is malformed; starting anew")
        return cls(Position(int(ts), int(count)))


def _furthest_behind_first(positions: dict[int, Position]) -> Iterable[tuple[int, Position]]:
    """``positions`` by timestamp, then hash; as they are when already in that order
    (a hub's marks come from ``SourcePositions.furthest_behind``, in order), for the
    check costs a tenth of the sort."""
    last = -1
    for position in positions.values():
        if position.ts <= last:
            return sorted(positions.items(), key=lambda kv: (kv[1].ts, kv[0]))
        last = position.ts
    return positions.items()


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for shift in range(0, 63, 7):
        if at >= len(data):
            raise BadCursor("the cursor is truncated; starting anew")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
    raise BadCursor("the cursor is malformed; starting anew")
