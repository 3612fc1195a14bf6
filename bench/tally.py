"""Tallies: check that every line arrived, in order, once, and time how late it was.

Pure bookkeeping, fed frame by frame by whichever client received them. It keeps
to constant work per frame where it can: it checks the sequence
numbers of the first and last line of each frame plus the count, which proves
that the lines arrived in order and once when the lines of a frame are
consecutive, without touching the lines between. Latency is taken either for
every line or for the first line of each frame (the one that waited longest),
and kept as integers in an ``array`` so that thousands of viewers stay lean.
"""

from __future__ import annotations

import json
from array import array
from dataclasses import dataclass, field
from typing import Literal

from bench.lines import seq_of, stamp_of
from bench.servers import Framing

LatencyMode = Literal["none", "frame", "line"]
_ANOMALIES_KEPT = 5


@dataclass
class Tally:
    """What one viewer received."""

    expect: int
    #: Only every ``stride``-th line is expected (a filter at the source picks them).
    stride: int = 1
    next_seq: int = 0
    lines: int = 0
    frames: int = 0
    first_line_ns: int = 0
    #: When the latest line arrived: the last one, once ``complete``.
    last_line_ns: int = 0
    anomalies: list[str] = field(default_factory=list)
    anomaly_count: int = 0
    notices: list[str] = field(default_factory=list)
    closed: str = ""
    #: The last line of the latest frame, to show what came before a damaged frame.
    previous_last: str = ""

    @property
    def complete(self) -> bool:
        """All lines 0..expect-1 (every ``stride``-th) arrived, in order, once."""
        wanted = -(-self.expect // self.stride)
        return self.next_seq >= self.expect and self.lines == wanted and not self.anomaly_count

    def note_anomaly(self, text: str) -> None:
        self.anomaly_count += 1
        if len(self.anomalies) < _ANOMALIES_KEPT:
            self.anomalies.append(text)


def decode(framing: Framing, data: str, tally: Tally) -> list[str]:
    """The lines a text message carries (none for hello and the like)."""
    if framing == "line":
        return [data]
    frame = json.loads(data)
    kind = frame.get("type")
    if kind == "lines":
        lines: list[str] = frame["lines"]
        return lines
    if kind not in ("hello", "skipped") and len(tally.notices) < _ANOMALIES_KEPT:
        tally.notices.append(data[:300])
    return []


def _seq(text: str) -> int | None:
    try:
        return seq_of(text)
    except ValueError:
        return None


def account(tally: Tally, lines: list[str], now_ns: int, latencies: array[int], mode: str) -> None:
    """Check the sequence numbers of one frame's lines and record their latency."""
    if not lines:
        return
    first, last = _seq(lines[0]), _seq(lines[-1])
    if first is None or last is None:
        _account_damaged(tally, lines)
        return
    stride = tally.stride
    if first != tally.next_seq or (last - first) // stride + 1 != len(lines):
        tally.note_anomaly(
            f"frame of {len(lines)} lines {first}..{last} where {tally.next_seq} was next"
        )
    if not tally.lines:
        tally.first_line_ns = now_ns
    tally.lines += len(lines)
    tally.frames += 1
    tally.next_seq = last + stride
    tally.last_line_ns = now_ns
    tally.previous_last = lines[-1]
    if mode == "frame":
        latencies.append(now_ns - stamp_of(lines[0]))
    elif mode == "line":
        latencies.extend([now_ns - stamp_of(text) for text in lines])


def _account_damaged(tally: Tally, lines: list[str]) -> None:
    """A frame with a line that is not one of ours: say where, and follow on from it."""
    numbered = [(i, seq) for i, text in enumerate(lines) if (seq := _seq(text)) is not None]
    damaged = [f"#{i} {text[:48]!r}" for i, text in enumerate(lines) if _seq(text) is None]
    tally.note_anomaly(
        f"frame of {len(lines)} lines, {tally.next_seq} next, {len(damaged)} not ours: "
        f"{', '.join(damaged[:2])}; numbered lines {numbered[:1]}..{numbered[-1:]}; "
        f"the frame before ended with {tally.previous_last!r}"
    )
    tally.previous_last = lines[-1]
    tally.lines += len(lines)
    tally.frames += 1
    if numbered:
        tally.next_seq = numbered[-1][1] + 1
