"""Test helpers for file tails: writing logs the way real writers do, and reading tails back.

Most file tests start the same way: ``app.log`` with some lines in it, a server that
serves it as log ``app``, and a tail that has had its ``hello``. ``served_log`` and
``tailed_log`` do that in one line, so that a test shows only what it checks.

The server runs in the test's own event loop, so a run of synchronous file operations
in a test (rename, create, write) happens at once as far as the server can tell: it
sees only the state they leave behind. Tests rely on that to stage races exactly.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.support.tails import RunningServer, TailClient, running_server

#: How long a test waits to be reasonably sure that nothing is coming.
QUIET = 0.3


def numbered(prefix: str, count: int, start: int = 0) -> list[str]:
    """``count`` distinct lines, ``prefix-000000`` onwards: easy to check for gaps."""
    return [f"{prefix}-{i:06d}" for i in range(start, start + count)]


def append(path: Path, data: str | bytes) -> None:
    """Append to ``path`` and close it again, like a writer that opens per write."""
    raw = data.encode() if isinstance(data, str) else data
    with path.open("ab") as f:
        f.write(raw)


def append_lines(path: Path, lines: list[str]) -> None:
    append(path, "".join(line + "\n" for line in lines))


async def started(server: RunningServer, log_id: str = "app", /, **query: object) -> TailClient:
    """A new tail of ``log_id`` that has had its ``hello``."""
    tail = await server.tail(log_id, **query)
    await tail.expect("hello")
    return tail


@contextlib.asynccontextmanager
async def served_log(
    tmp_path: Path, lines: list[str] | None, **settings: Any
) -> AsyncIterator[tuple[Path, RunningServer]]:
    """``tmp_path/app.log`` holding ``lines`` (not created for ``None``), served as ``app``.

    ``settings`` override the server's, as in ``running_server``.
    """
    log = tmp_path / "app.log"
    if lines is not None:
        append_lines(log, lines)
    async with running_server(tmp_path, {"app": log}, **settings) as server:
        yield log, server


class TailedLog(NamedTuple):
    log: Path
    server: RunningServer
    tail: TailClient


@contextlib.asynccontextmanager
async def tailed_log(
    tmp_path: Path,
    lines: list[str] | None,
    *,
    settings: dict[str, Any] | None = None,
    **query: object,
) -> AsyncIterator[TailedLog]:
    """``served_log``, and a tail of it opened with ``query``, closed at the end."""
    async with served_log(tmp_path, lines, **(settings or {})) as (log, server):
        tail = await started(server, **query)
        try:
            yield TailedLog(log, server, tail)
        finally:
            await tail.close()


def transcript(tail: TailClient) -> list[str]:
    """Everything a tail received so far, in order: lines as they are, notices as ``<event>``."""
    out: list[str] = []
    for frame in tail.frames:
        if frame["type"] == "lines":
            out.extend(frame["lines"])
        elif frame["type"] == "notice":
            out.append(f"<{frame['event']}>")
        elif frame["type"] == "error":
            out.append(f"<error:{frame['code']}>")
    return out


async def read_until(tail: TailClient, last: str, timeout: float = 5.0) -> list[str]:
    """Read frames until the transcript ends with ``last``; returns the transcript."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while last not in transcript(tail):
        left = deadline - loop.time()
        try:
            if left <= 0:
                raise TimeoutError
            await tail.frame(timeout=left)
        except TimeoutError:
            raise AssertionError(
                f"{last!r} did not arrive within {timeout} s; got {transcript(tail)[-12:]}"
            ) from None
    return transcript(tail)


async def nothing_arrives(tail: TailClient, within: float = QUIET) -> None:
    """Assert that the tail gets no frame at all for ``within`` seconds."""
    try:
        frame = await tail.frame(timeout=within)
    except TimeoutError:
        return
    raise AssertionError(f"expected silence, got {frame}")


async def synced(tail: TailClient) -> None:
    """Wait until the server has handled every message sent so far on this tail.

    The protocol has no acknowledgement; an unknown message is answered with a
    ``bad_message`` error in order, so its answer proves the earlier ones were read.
    """
    await tail.send({"type": "sync"})
    error = await tail.expect("error")
    assert error["code"] == "bad_message", error
    tail.frames.remove(error)


def vanish(tail: TailClient) -> None:
    """Drop the client's connection without a close frame, like a killed browser."""
    connection = tail.ws._response.connection
    assert connection is not None and connection.transport is not None
    connection.transport.abort()


# -- unreadable files, even for root --------------------------------------------------

_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2
_LINUX_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


@contextlib.contextmanager
def file_modes_enforced() -> Iterator[None]:
    """Make file modes apply to this thread, even when it runs as root.

    Root reads any file because of CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so a
    ``chmod 000`` alone proves nothing in a root container. These two capabilities
    are dropped from the thread's effective set (they stay permitted) and raised
    again afterwards. The server runs on this thread's event loop, so its ``open``
    meets the same EACCES a service account would. Files the test creates are
    owned by this user, so the test can still write to them and chmod them back.
    """
    if os.geteuid() != 0:
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        pytest.skip(f"capget failed: {os.strerror(ctypes.get_errno())}")
    saved = data[0].effective
    data[0].effective &= ~((1 << _CAP_DAC_OVERRIDE) | (1 << _CAP_DAC_READ_SEARCH))
    if libc.capset(ctypes.byref(header), data) != 0:
        pytest.skip(f"cannot drop CAP_DAC_OVERRIDE: {os.strerror(ctypes.get_errno())}")
    try:
        yield
    finally:
        data[0].effective = saved
        if libc.capset(ctypes.byref(header), data) != 0:
            raise OSError(ctypes.get_errno(), "could not restore capabilities")


async def write_rotating(
    pattern: str, path: Path, lines: int, rotations: int, interval: float
) -> None:
    """``lines`` numbered lines written to ``path`` by a real writer of ``pattern``
    (``bench.writers``), rotated ``rotations`` times, ``interval`` seconds apart."""
    writer = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.writers", pattern, str(path),
        str(lines), str(rotations), str(interval),
    )  # fmt: skip
    assert await writer.wait() == 0


async def read_to_last(tail: TailClient, lines: int, timeout: float) -> None:
    """Frames until the last of ``lines`` numbered lines arrived (kept on the client)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last = f"{lines - 1:012d}"
    while not tail.lines or not tail.lines[-1].startswith(last):
        left = deadline - loop.time()
        if left <= 0:
            got = tail.lines[-1][:12] if tail.lines else None
            raise AssertionError(f"the last line did not arrive; the last one was {got}")
        await tail.frame(timeout=left)
