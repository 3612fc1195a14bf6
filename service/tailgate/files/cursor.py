"""Resume cursors for file tails: pure encoding and decoding.

A cursor names the exact place a viewer has reached: which file (device and inode, so
a rotated file is still recognised under its new name), the byte offset just after the
last line delivered, and a checksum of the bytes before that offset. The checksum
catches a file truncated and rewritten past the offset, which offsets alone cannot.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from ..errors import BadCursor

__all__ = ["CHECK_BYTES", "BadCursor", "FileCursor", "checksum"]

#: How many bytes before the offset the checksum covers.
CHECK_BYTES = 32

_PATTERN = re.compile(r"f1\.(\d{1,20})\.(\d{1,20})\.(\d{1,20})\.([0-9a-f]{8})", re.ASCII)


@dataclass(frozen=True, slots=True)
class FileCursor:
    dev: int
    ino: int
    offset: int
    check: int

    def encode(self) -> str:
        return f"f1.{self.dev}.{self.ino}.{self.offset}.{self.check:08x}"

    @classmethod
    def decode(cls, text: str) -> FileCursor:
        match = _PATTERN.fullmatch(text)
        if match is None:
            raise BadCursor("the cursor is malformed; reconnect without it")
        dev, ino, offset, check = match.groups()
        return cls(int(dev), int(ino), int(offset), int(check, 16))


def checksum(before: bytes) -> int:
    """Checksum of the (up to CHECK_BYTES) bytes that precede an offset."""
    return zlib.crc32(before[-CHECK_BYTES:])
