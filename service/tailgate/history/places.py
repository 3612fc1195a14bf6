"""Positions in a log's history, as the tokens clients send back: pure, no I/O.

A position is a byte offset in one file of the log, named by device and inode (so a
rotated file is still found under its new name), with a checksum of the bytes before
it, exactly like a tail cursor. In a plain file it *is* a tail cursor (``f1.``),
which the WebSocket accepts as it is. Inside a compressed copy the offset counts the
inflated bytes, which no tail can open, so it has a prefix of its own (``z1.``) and
is accepted by the history calls only.

Tokens are client input: they are parsed by a strict pattern here and checked
against the log's own files where they are resolved (``log_files.py``), so a forged
token can name no other file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import BadCursor
from ..files.cursor import FileCursor, checksum
from .errors import BadPosition

__all__ = ["MAX_TOKEN", "Place", "checksum"]

#: Longer tokens are refused before any parsing.
MAX_TOKEN = 100

_COMPRESSED = re.compile(r"z1\.(\d{1,20})\.(\d{1,20})\.(\d{1,20})\.([0-9a-f]{8})", re.ASCII)


@dataclass(frozen=True, slots=True)
class Place:
    """Just before ``offset`` in the file ``(dev, ino)``; ``compressed``: inflated bytes."""

    dev: int
    ino: int
    offset: int
    check: int
    compressed: bool = False

    def encode(self) -> str:
        if self.compressed:
            return f"z1.{self.dev}.{self.ino}.{self.offset}.{self.check:08x}"
        return FileCursor(self.dev, self.ino, self.offset, self.check).encode()

    @classmethod
    def decode(cls, text: str, what: str = "before") -> Place:
        """A token as sent by a client; ``BadPosition`` naming ``what`` when malformed."""
        if len(text) > MAX_TOKEN:
            raise BadPosition(f"{what} is not a position this server hands out")
        match = _COMPRESSED.fullmatch(text)
        if match is not None:
            dev, ino, offset, check = match.groups()
            return cls(int(dev), int(ino), int(offset), int(check, 16), compressed=True)
        try:
            cursor = FileCursor.decode(text)
        except BadCursor:
            raise BadPosition(f"{what} is not a position this server hands out") from None
        return cls(cursor.dev, cursor.ino, cursor.offset, cursor.check)

    @classmethod
    def at(cls, dev: int, ino: int, offset: int, before: bytes, *, compressed: bool) -> Place:
        """The position ``offset`` whose preceding bytes end with ``before``."""
        return cls(dev, ino, offset, checksum(before), compressed)
