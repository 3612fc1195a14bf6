"""A connection for ``Viewer`` without a socket: keeps what is written, and its frames.

``unsent`` stands for what the peer has not read yet (``get_write_buffer_size``); with
``stalled`` every write adds to it, as a peer that stopped reading would.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any


class Connection(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.stalled = False
        self.unsent = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written.append(bytes(data))
        if self.stalled:
            self.unsent += len(data)

    def get_write_buffer_size(self) -> int:
        return self.unsent

    def is_closing(self) -> bool:
        return False

    def frames(self) -> list[dict[str, Any]]:
        """Every frame written, decoded (one write may hold several frames)."""
        return [frame for data in self.written for frame in decoded_frames(data)]

    def lines(self) -> list[str]:
        """The log lines of every ``lines`` frame written, in order."""
        return [line for f in self.frames() if f["type"] == "lines" for line in f["lines"]]


def decoded_frames(data: bytes) -> list[dict[str, Any]]:
    """The server's WebSocket text frames in ``data`` (one write may hold several)."""
    out = []
    while data:
        size, head = data[1] & 0x7F, 2
        if size == 126:
            size, head = int.from_bytes(data[2:4]), 4
        elif size == 127:
            size, head = int.from_bytes(data[2:10]), 10
        out.append(json.loads(data[head : head + size]))
        data = data[head + size :]
    return out
