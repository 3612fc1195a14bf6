"""Server-to-client frames of the tail protocol (docs/protocol.md), built as bytes.

Frames are encoded once and then written as they are to every viewer that needs
them; a WebSocket frame header for an unmasked server frame does not depend on the
connection, so ``ws_text_frame`` builds the whole frame once for a fan-out.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

import orjson

PROTOCOL_VERSION = 1
#: The longest resume cursor of any source; a longer ``cursor`` query is a ``bad_cursor``.
MAX_CURSOR = 256

_dumps = orjson.dumps


def _kept(obj: Any) -> bytes:
    """``obj`` as JSON, for a frame that may be held for the whole tail.

    orjson's result keeps the 4 KiB buffer it was written into; a copy is exactly as
    large as its bytes, which matters for frames every open tail holds (its hello,
    its source's state notice).
    """
    return bytes(memoryview(_dumps(obj)))


def lines_payload(
    lines: list[str],
    cursor: str,
    source: str | None = None,
    timestamps: list[str | None] | None = None,
    *,
    levels: Sequence[str | None] | None = None,
    context: list[int] | None = None,
    sources: list[str | None] | None = None,
) -> bytes:
    """A ``lines`` frame; ``timestamps`` (pod logs) and ``levels`` are parallel to ``lines``.

    ``sources``, parallel to ``lines`` too, instead of ``source``: the lines of a
    ``pods`` log's sources in one frame, for a viewer that asked (``annotate=sources``).

    ``levels`` (streaming/levels.py, worked out once for every viewer the frame is
    written to) goes beside the lines when a viewer asked for it (``annotate=levels``,
    docs/protocol.md); ``context`` lists the lines that are there as context of a
    filter's match, not as matches.
    """
    tail = b',"cursor":' + _dumps(cursor)
    if source is not None:
        tail += b',"source":' + _dumps(source)
    if sources is not None:
        tail += b',"sources":' + _dumps(sources)
    if timestamps is not None:
        tail += b',"timestamps":' + _dumps(timestamps)
    if levels is not None:
        tail += b',"levels":' + _dumps(levels)
    if context is not None:
        tail += b',"context":' + _dumps(context)
    return b'{"type":"lines","lines":' + _dumps(lines) + tail + b"}"


def notice_payload(event: str, message: str, **extra: Any) -> bytes:
    return _kept({"type": "notice", "event": event, "message": message, **extra})


def error_payload(code: str, message: str) -> bytes:
    return _kept({"type": "error", "code": code, "message": message})


def hello_payload(log_id: str, title: str, kind: str, **extra: Any) -> bytes:
    log = {"id": log_id, "title": title, "kind": kind}
    return _kept({"type": "hello", "protocol": PROTOCOL_VERSION, "log": log, **extra})


def ws_text_frame(payload: bytes) -> bytes:
    """A complete, unmasked, uncompressed WebSocket text frame (RFC 6455 5.2)."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 65536:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload
