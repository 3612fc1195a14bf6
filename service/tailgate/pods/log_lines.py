"""Pod log lines as the API server sends them, and where a reader stands in them: pure.

Lines are asked for with ``timestamps=true``, so each starts with the kubelet's
RFC 3339 timestamp (``2024-01-01T00:00:00.123456789Z text``). The timestamp is how a
reconnect resumes (``sinceTime``) without a gap, and how it skips what was already
read without a duplicate: a ``Position`` is a timestamp plus how many lines carrying
exactly that timestamp were read (``pod_cursor.py`` carries positions in cursors).
The prefix is cut from the text; viewers get it as it was written, beside the line
(``timestamps`` in a ``lines`` frame).
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass

from ..streaming.long_lines import cut_long_line

_STAMP = re.compile(rb"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z ?")


@dataclass(frozen=True, slots=True)
class Position:
    """Just after the ``count``-th line stamped ``ts`` (nanoseconds since the epoch)."""

    ts: int = 0
    count: int = 0

    def after(self, ts: int) -> Position:
        """Where a reader stands once it has also read a line stamped ``ts``."""
        if ts > self.ts:
            return Position(ts, 1)
        if ts == self.ts:
            return Position(ts, self.count + 1)
        return self  # out of order (another pod, a clock step): the position stays


class ResumeFilter:
    """Drops lines at or before a position; once a newer line passes, lets all through."""

    def __init__(self, position: Position | None) -> None:
        self._position = position
        self._seen_at = 0

    def fresh(self, ts: int) -> bool:
        position = self._position
        if position is None:
            return True
        if ts < position.ts:
            return False
        if ts == position.ts and self._seen_at < position.count:
            self._seen_at += 1
            return False
        self._position = None
        return True


def parse_line(raw: bytes, *, default_ts: int, max_line: int) -> tuple[int, list[str]]:
    """(timestamp, text pieces) of one raw line; without a stamp, ``default_ts`` is used."""
    ts, _, pieces = parse_stamped_line(raw, default_ts=default_ts, max_line=max_line)
    return ts, pieces


def parse_stamped_line(
    raw: bytes, *, default_ts: int, max_line: int
) -> tuple[int, str | None, list[str]]:
    """(timestamp, the stamp as written or None, text pieces) of one raw line."""
    match = _STAMP.match(raw)
    ts = default_ts
    stamp = None
    body = raw
    if match is not None:
        year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
        fraction = (match.group(7) or b"").ljust(9, b"0")
        ts = seconds * 1_000_000_000 + int(fraction)
        end = match.end()
        body = raw[end:]
        stamp = raw[: end - 1 if raw[end - 1] == 0x20 else end].decode("ascii")
    text = body.decode("utf-8", "replace").rstrip("\n")
    if text.endswith("\r"):
        text = text[:-1]
    return ts, stamp, cut_long_line(text, max_line)


def since_time(ts: int) -> str:
    """``sinceTime`` for a reconnect: whole seconds (what every API server accepts), rounded
    down, so the answer starts at or before ``ts``; the ResumeFilter drops the overlap."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts // 1_000_000_000))
