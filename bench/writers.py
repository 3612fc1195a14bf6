"""Writers: append lines to a log file the way a busy program would.

Paced writers write one line per ``write(2)``, each stamped just before the call,
on an absolute schedule (a late line is written at once, not skipped), from a
thread so that the event loop stays free. Bulk writers write pre-built blocks so
that building lines never slows the server down; paced block writers append such
blocks on a schedule (a busy program at a steady rate). The backlog file is made once
and kept in a cache folder.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.lines import LINE_BYTES, block, line


@dataclass(frozen=True)
class WriteSpan:
    """When the first write started and the last one returned (``monotonic_ns``)."""

    first_ns: int
    last_ns: int
    lines: int
    most_late_ns: int = 0

    @property
    def seconds(self) -> float:
        return (self.last_ns - self.first_ns) / 1e9


def write_paced(path: Path, rate: float, count: int) -> WriteSpan:
    """Append lines 0..count-1 at ``rate`` lines per second, each stamped at its write."""
    interval_ns = int(1e9 / rate)
    clock = time.monotonic_ns
    most_late = 0
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        start = clock()
        for seq in range(count):
            due = start + seq * interval_ns
            now = clock()
            if now < due:
                time.sleep((due - now) / 1e9)
            else:
                most_late = max(most_late, now - due)
            os.write(fd, line(seq, clock()))
        end = clock()
    finally:
        os.close(fd)
    return WriteSpan(start, end, count, most_late)


def build_blocks(count: int, per_block: int) -> list[bytes]:
    """Lines 0..count-1 as blocks of ``per_block`` lines, built before any timing starts."""
    return [block(first, min(per_block, count - first)) for first in range(0, count, per_block)]


def write_blocks(path: Path, blocks: list[bytes]) -> WriteSpan:
    """Append the blocks as fast as the kernel takes them."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        first = time.monotonic_ns()
        for data in blocks:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        last = time.monotonic_ns()
    finally:
        os.close(fd)
    return WriteSpan(first, last, sum(len(data) for data in blocks) // LINE_BYTES)


def ensure_backlog_file(path: Path, size: int, per_block: int = 100_000) -> int:
    """A file of ``size`` bytes of numbered lines, made once; returns its line count."""
    count = size // LINE_BYTES
    if path.exists() and path.stat().st_size == count * LINE_BYTES:
        return count
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        for first in range(0, count, per_block):
            out.write(block(first, min(per_block, count - first)))
    partial.rename(path)
    return count


def write_blocks_paced(
    path: Path, rate: int, per_block: int, stop: threading.Event, limit_seconds: float
) -> WriteSpan:
    """Append numbered lines at ``rate`` lines/s, ``per_block`` at a time, until ``stop``.

    Blocks follow an absolute schedule (a late block is written at once, not skipped)
    and are built just before their write, so a long run needs no memory up front.
    ``limit_seconds`` bounds the run should nobody set ``stop``.
    """
    interval_ns = int(1e9 * per_block / rate)
    clock = time.monotonic_ns
    most_late = 0
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        start = clock()
        deadline = start + int(limit_seconds * 1e9)
        while not stop.is_set() and clock() < deadline:
            data = block(written, per_block)
            due = start + (written // per_block) * interval_ns
            now = clock()
            if now < due:
                stop.wait((due - now) / 1e9)
                if stop.is_set():
                    break
            else:
                most_late = max(most_late, now - due)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            written += per_block
        end = clock()
    finally:
        os.close(fd)
    return WriteSpan(start, end, written, most_late)
