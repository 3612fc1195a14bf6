"""Viewer processes and the parent's lock-step with them, for every kind of fleet.

With two cores, viewers in the measuring process would steal its time and blur the
figures, and thousands of sockets need their own file-descriptor budget. So viewers
live in spawned processes that talk to the parent over a pipe, in lock-step::

    child  -> ("ready", connected, errors)   all tails open (tailgate: hello seen)
    parent -> "go"                            lines are about to be written
    child  -> "done"                          every viewer has every line
    parent -> "stop"                          close the sockets and report
    child  -> ("report", REPORT)

What a child runs and what it reports differ (:mod:`bench.fleet` counts one sequence
per viewer, :mod:`bench.pod_fleet` one per pod); starting the children, the orders
and the waiting are here, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import resource
import time
from collections.abc import AsyncIterator, Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

#: What one child runs: a picklable function and its arguments, the pipe added last.
Child = tuple[Callable[..., None], tuple[Any, ...]]


def raise_open_file_limit() -> None:
    """Let this process (and what it starts) hold as many sockets as the hard limit allows."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class ViewerProcesses:
    """The parent's end of the pipes to its viewer processes."""

    def __init__(self, pipes: list[Connection]) -> None:
        self._pipes = pipes
        self.connected = 0
        self.connect_errors: list[str] = []

    @staticmethod
    async def _receive(conn: Connection, timeout: float) -> Any:
        def wait() -> Any:
            if not conn.poll(timeout):
                raise TimeoutError(f"viewer process silent for {timeout:.0f} s")
            return conn.recv()

        return await asyncio.to_thread(wait)

    async def ready(self, timeout: float) -> None:
        """Wait for every child's ``ready``, adding up its viewers and connect errors."""
        for conn in self._pipes:
            _, connected, errors = await self._receive(conn, timeout)
            self.connected += connected
            self.connect_errors += errors

    def go(self) -> None:
        for conn in self._pipes:
            conn.send("go")

    async def wait_done(self, timeout: float) -> bool:
        """True when every viewer got every line before ``timeout`` seconds passed."""
        deadline = time.monotonic() + timeout
        for conn in self._pipes:
            left = deadline - time.monotonic()
            if left <= 0 or not await asyncio.to_thread(conn.poll, left):
                return False
            if await self._receive(conn, 1.0) != "done":
                return False
        return True

    async def reports(self, timeout: float = 60.0) -> list[Any]:
        """Tell every child to stop; each one's report (a late ``done`` is passed over)."""
        for conn in self._pipes:
            conn.send("stop")
        found = []
        for conn in self._pipes:
            while (message := await self._receive(conn, timeout)) == "done":
                pass
            found.append(message[1])
        return found


Handle = TypeVar("Handle", bound=ViewerProcesses)


@contextlib.asynccontextmanager
async def spawned(
    kind: type[Handle], children: Sequence[Child], connect_timeout: float
) -> AsyncIterator[Handle]:
    """One spawned process per child, yielded as a ``kind`` once each one is ready. On
    the way out, closing a pipe ends a child still waiting for orders."""
    spawn = multiprocessing.get_context("spawn")
    pipes: list[Connection] = []
    processes: list[Any] = []
    try:
        for target, args in children:
            ours, theirs = spawn.Pipe()
            process = spawn.Process(target=target, args=(*args, theirs), daemon=True)
            process.start()
            theirs.close()
            pipes.append(ours)
            processes.append(process)
        handle = kind(pipes)
        await handle.ready(connect_timeout)
        yield handle
    finally:
        for conn in pipes:
            conn.close()
        for process in processes:
            await asyncio.to_thread(process.join, 10.0)
            if process.is_alive():
                process.kill()
                process.join()
