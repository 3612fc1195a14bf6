"""Writers: append lines to a log file the way a busy program would.

Paced writers write one line per ``write(2)``, each stamped just before the call,
on an absolute schedule (a late line is written at once, not skipped), from a
thread so that the event loop stays free. Bulk writers write pre-built blocks so
that building lines never slows the server down; paced block writers append such
blocks on a schedule (a busy program at a steady rate). The backlog file is made once
and kept in a cache folder.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.lines import LINE_BYTES, block, line, marked_block


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
    return write_paced_each([path], rate, count)


def write_paced_each(paths: list[Path], rate: float, count: int) -> WriteSpan:
    """Lines 0..count-1 to each of ``paths`` at ``rate`` lines/s per file: on each tick of
    the schedule, one line to every file in turn, each stamped just before its write."""
    interval_ns = int(1e9 / rate)
    clock = time.monotonic_ns
    most_late = 0
    fds = [os.open(path, os.O_WRONLY | os.O_APPEND) for path in paths]
    try:
        start = clock()
        for seq in range(count):
            due = start + seq * interval_ns
            now = clock()
            if now < due:
                time.sleep((due - now) / 1e9)
            else:
                most_late = max(most_late, now - due)
            for fd in fds:
                os.write(fd, line(seq, clock()))
        end = clock()
    finally:
        for fd in fds:
            os.close(fd)
    return WriteSpan(start, end, count * len(paths), most_late)


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


def write_marked_paced(path: Path, rate: int, count: int, per_block: int, every: int) -> WriteSpan:
    """Lines 0..count-1 at ``rate`` lines/s, ``per_block`` per write, on a schedule;
    every ``every``-th says ``WARN`` (what a filter picks), each block stamped at its write.
    """
    interval_ns = int(1e9 * per_block / rate)
    clock = time.monotonic_ns
    most_late = 0
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        start = clock()
        for first in range(0, count, per_block):
            due = start + (first // per_block) * interval_ns
            now = clock()
            if now < due:
                time.sleep((due - now) / 1e9)
            else:
                most_late = max(most_late, now - due)
            view = memoryview(marked_block(first, min(per_block, count - first), every, clock()))
            while view:
                view = view[os.write(fd, view) :]
        end = clock()
    finally:
        os.close(fd)
    return WriteSpan(start, end, count, most_late)


# -- writers that rotate their log --------------------------------------------------
#
# Each pattern writes lines 0..count-1 (``bench.lines``) through ``rotations``
# rotations, one every ``interval`` seconds, the way a real rotator does it. They
# run in a process of their own (``python -m bench.writers PATTERN PATH ...``), so
# that the server sees the timing of a real writer, not of its own event loop.

#: The rotation patterns, by name.
PATTERNS = ("rename", "kubelet", "logrotate", "python")
#: Lines per write(2): a busy program's buffered writes.
CHUNK = 20
#: How long a writer goes on writing into a renamed file before it reopens.
REOPEN_DELAY = 0.003


class _Schedule:
    """An absolute schedule: ``count`` lines spread evenly over ``seconds``."""

    def __init__(self, count: int, seconds: float) -> None:
        self._start = time.monotonic()
        self._per_line = seconds / max(1, count)

    def wait(self, seq: int) -> None:
        delay = self._start + seq * self._per_line - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def _open_append(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _ReopeningWriter(threading.Thread):
    """A program writing its log from its own thread, reopening the path when told.

    Until it reopens (``REOPEN_DELAY`` after being told, like a program handling
    SIGHUP, or a container runtime asked to reopen), it keeps writing into the
    file it has open, whatever that file is called by then.
    """

    def __init__(self, path: Path, count: int, seconds: float, *, create: bool) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.count = count
        self.seconds = seconds
        self.create = create
        self.written = 0
        self.reopen = threading.Event()
        self.reopened = threading.Event()
        self.failed: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # reported by the rotator
            self.failed = exc
            self.reopened.set()

    def _run(self) -> None:
        fd = _open_append(self.path)
        schedule = _Schedule(self.count, self.seconds)
        told_at = 0.0
        for first in range(0, self.count, CHUNK):
            schedule.wait(first)
            if self.reopen.is_set():
                told_at = told_at or time.monotonic()
                if time.monotonic() - told_at >= REOPEN_DELAY:
                    os.close(fd)
                    flags = os.O_WRONLY | os.O_APPEND | (os.O_CREAT if self.create else 0)
                    fd = os.open(self.path, flags, 0o644)
                    told_at = 0.0
                    self.reopen.clear()
                    self.reopened.set()
            _write_all(fd, block_stamped(first, min(CHUNK, self.count - first)))
            self.written = first + CHUNK
        os.close(fd)
        self.reopened.set()


def block_stamped(first: int, count: int) -> bytes:
    return b"".join(line(seq) for seq in range(first, first + count))


def write_rotating(pattern: str, path: Path, count: int, rotations: int, interval: float) -> None:
    """Write ``count`` lines to ``path`` through ``rotations`` rotations of ``pattern``."""
    seconds = interval * (rotations + 1)
    if pattern == "rename":
        _rename(path, count, rotations, seconds)
    elif pattern == "python":
        _python_handler(path, count, rotations, seconds)
    elif pattern in ("kubelet", "logrotate"):
        _rotated_under_a_writer(pattern, path, count, rotations, seconds)
    else:
        raise ValueError(f"unknown rotation pattern {pattern!r}; one of {', '.join(PATTERNS)}")


def _rename(path: Path, count: int, rotations: int, seconds: float) -> None:
    """``mv app.log app.log.1`` (over the previous one), then the writer reopens at once."""
    per_file = -(-count // (rotations + 1))
    schedule = _Schedule(count, seconds)
    fd = _open_append(path)
    try:
        for first in range(0, count, CHUNK):
            if first and first % per_file < CHUNK:
                os.rename(path, f"{path}.1")
                os.close(fd)
                fd = _open_append(path)
            schedule.wait(first)
            _write_all(fd, block_stamped(first, min(CHUNK, count - first)))
    finally:
        os.close(fd)


def _python_handler(path: Path, count: int, rotations: int, seconds: float) -> None:
    """The standard library's ``RotatingFileHandler``, rotating at a size."""
    import logging.handlers

    size = LINE_BYTES * -(-count // (rotations + 1))
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=size, backupCount=5)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.Logger("bench-rotating")
    logger.addHandler(handler)
    schedule = _Schedule(count, seconds)
    try:
        for seq in range(count):
            if seq % CHUNK == 0:
                schedule.wait(seq)
            logger.info(line(seq)[:-1].decode())
    finally:
        handler.close()


def _rotated_under_a_writer(
    pattern: str, path: Path, count: int, rotations: int, seconds: float
) -> None:
    """A rotator renaming the log under a writer that reopens a moment later.

    ``kubelet``: rename to ``NAME.YYYYMMDD-HHMMSS``, the runtime reopens (creating
    the file), then the rotated file before it is gzipped and removed. ``logrotate``:
    ``create``: shift ``NAME.1``.. up, rename to ``NAME.1``, create the new file, then
    the writer reopens (postrotate's SIGHUP).
    """
    per_file = -(-count // (rotations + 1))
    kubelet = pattern == "kubelet"
    writer = _ReopeningWriter(path, count, seconds, create=kubelet)
    writer.start()
    stamp = time.time()
    rotated: list[Path] = []
    for done in range(1, rotations + 1):
        while writer.written < done * per_file and writer.is_alive():
            time.sleep(0.0005)
        if not writer.is_alive():
            break
        if kubelet:
            name = time.strftime("%Y%m%d-%H%M%S", time.gmtime(stamp + done))
            target = path.with_name(f"{path.name}.{name}")
            os.rename(path, target)
        else:
            for k in range(4, 0, -1):
                with contextlib.suppress(FileNotFoundError):
                    os.rename(f"{path}.{k}", f"{path}.{k + 1}")
            target = path.with_name(f"{path.name}.1")
            os.rename(path, target)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        writer.reopened.clear()
        writer.reopen.set()
        writer.reopened.wait(5.0)
        if kubelet:
            rotated.append(target)
            if len(rotated) > 1:
                _gzip_away(rotated.pop(0))
            # The kubelet keeps five files of a container's log, the live one included.
            for old in sorted(path.parent.glob(f"{path.name}.*.gz"))[:-3]:
                old.unlink()
    writer.join()
    if writer.failed is not None:
        raise writer.failed


def _gzip_away(path: Path) -> None:
    """What the kubelet does with the rotated file before the newest: gzip, remove."""
    import gzip

    with path.open("rb") as source, gzip.open(f"{path}.gz", "wb", compresslevel=1) as target:
        target.write(source.read())
    path.unlink()


def main(argv: list[str]) -> int:
    """``python -m bench.writers PATTERN PATH COUNT ROTATIONS INTERVAL``."""
    pattern, path, count, rotations, interval = argv
    write_rotating(pattern, Path(path), int(count), int(rotations), float(interval))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
