"""Reading a gzipped rotated copy, which can only be inflated from its start.

A compressed copy is inflated forward, in 1 MiB steps, and the newest wanted lines
before the position asked for are kept as it goes. Inflated bytes count against
the request's budget like bytes read (a small file can inflate to gigabytes), and
the deadline is looked at after every step; a copy not inflated in time is given
up whole rather than answered out of order.
"""

from __future__ import annotations

import gzip
import logging
import os
import time
import zlib
from collections import deque
from dataclasses import dataclass
from typing import Any

from ..files.cursor import CHECK_BYTES, checksum
from ..files.handle import FileHandle
from .errors import BadPosition
from .found import Found, place_in
from .matching import hits_in_block
from .places import Place

log = logging.getLogger(__name__)

STEP = 1024 * 1024
#: A line longer than this is cut where a step ends.
MAX_CARRY = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Scan:
    """The lines found (newest first), the bytes inflated, whether the copy was finished."""

    found: list[Found]
    inflated: int
    complete: bool


def scan_compressed(
    handle: FileHandle,
    *,
    before: Place | None,
    pattern: Any,
    need: int,
    budget: int,
    deadline: float,
    source: str | None,
) -> Scan:
    """The last ``need`` lines holding a match before ``before`` (or the copy's end)."""
    limit = before.offset if before is not None else None
    kept: deque[Found] = deque(maxlen=need)
    pos = 0
    buf = b""
    earlier = b""
    dev, ino = handle.dev, handle.ino
    stream = gzip.GzipFile(fileobj=os.fdopen(os.dup(handle.fd), "rb"))
    try:
        while True:
            if pos + len(buf) >= budget or time.monotonic() >= deadline:
                return Scan([], pos + len(buf), False)
            try:
                chunk = stream.read(STEP)
            except (OSError, EOFError, zlib.error) as exc:
                log.info(
                    "a compressed copy ends early", extra={"source": source, "error": str(exc)}
                )
                chunk = b""
            buf += chunk
            final = not chunk
            if limit is not None and pos + len(buf) >= limit:
                buf, final = buf[: limit - pos], True
            cut = len(buf) if final else buf.rfind(b"\n") + 1
            if cut == 0 and len(buf) > MAX_CARRY:
                cut = len(buf)
            block = buf[:cut]
            hits = hits_in_block(pattern, block, pos, need)
            for hit in reversed(hits):
                kept.append(
                    Found(
                        hit.raw,
                        place_in(dev, ino, hit.end, block, pos, earlier, compressed=True),
                        place_in(dev, ino, hit.start, block, pos, earlier, compressed=True),
                        source,
                    )
                )
            earlier = (earlier + block[-CHECK_BYTES:])[-CHECK_BYTES:]
            pos += cut
            buf = buf[cut:]
            if final:
                break
    finally:
        stream.close()
    if before is not None and (pos != before.offset or checksum(earlier) != before.check):
        raise BadPosition(
            "the compressed file this position points into changed; search again without it"
        )
    return Scan(list(reversed(kept)), pos, True)
