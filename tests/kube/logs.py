"""Container logs and the streams that follow them, like the kubelet serves them.

A log belongs to one container *instance* (one containerID), as a log file on a node
does: a restart starts a new instance and the old one becomes what `previous=true`
reads. Followers wait on their instance and get EOF when it terminates, or when the
test calls `drop()` (the API server closing long-lived streams).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from .log_requests import Line, LogOptions, check_line, render, select_lines, wanted


@dataclass(eq=False)
class _Stream:
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: bool = False
    broken: bool = False


@dataclass(eq=False)
class ContainerLog:
    """The log of one container instance."""

    container_id: str
    lines: list[Line] = field(default_factory=list)
    terminated: bool = False
    followers: set[asyncio.Event] = field(default_factory=set)

    def wake(self) -> None:
        for follower in self.followers:
            follower.set()


class LogStore:
    """Logs by containerID, plus the bookkeeping for open streams."""

    def __init__(self, on_change: Callable[[], None]):
        self._logs: dict[str, ContainerLog] = {}
        self._streams: set[_Stream] = set()
        self._open = 0
        self._on_change = on_change

    @property
    def open_streams(self) -> int:
        return self._open

    def instance(self, container_id: str) -> ContainerLog:
        log = self._logs.get(container_id)
        if log is None:
            log = self._logs[container_id] = ContainerLog(container_id)
        return log

    def append(self, container_id: str, lines: Iterable[str | bytes], at_ns: int | None) -> None:
        log = self.instance(container_id)
        if log.terminated:
            raise ValueError(f"container {container_id} has terminated; restart it first")
        for text in lines:
            stamp = time.time_ns() if at_ns is None else at_ns
            log.lines.append((stamp, check_line(text)))
        log.wake()

    def terminate(self, container_id: str) -> None:
        log = self.instance(container_id)
        log.terminated = True
        log.wake()

    def reconcile(self, running: set[str], stopped: set[str]) -> None:
        """Match instances to a pod's statuses: create running ones, end stopped ones."""
        for cid in running:
            self.instance(cid)
        for cid in stopped:
            if not self.instance(cid).terminated:
                self.terminate(cid)

    def drop(self, *, broken: bool = False) -> None:
        """End every open stream now, as the API server does to long-lived requests
        (``broken``: the connection drops instead of ending cleanly)."""
        for stream in self._streams:
            stream.dropped = True
            stream.broken = broken
            stream.wake.set()

    async def stream(
        self,
        container_id: str,
        options: LogOptions,
        write: Callable[[bytes], Awaitable[None]],
    ) -> bool:
        """Write the selected backlog, then (with `follow`) new lines until EOF.

        True when the stream was broken off (see ``drop``)."""
        log = self.instance(container_id)
        me = _Stream()
        budget = options.limit_bytes
        log.followers.add(me.wake)
        self._streams.add(me)
        self._open += 1
        self._on_change()
        try:
            pending = select_lines(log.lines, options)
            sent = len(log.lines)
            while True:
                data = render(pending, options.timestamps)
                if budget is not None:
                    data = data[:budget]
                    budget -= len(data)
                if data:
                    await write(data)
                if budget == 0 or not options.follow or me.dropped:
                    return me.broken
                if log.terminated and sent == len(log.lines):
                    return False
                if sent == len(log.lines):
                    await me.wake.wait()
                    me.wake.clear()
                    if me.dropped:
                        return me.broken
                pending = [line for line in log.lines[sent:] if wanted(line, options)]
                sent = len(log.lines)
        finally:
            log.followers.discard(me.wake)
            self._streams.discard(me)
            self._open -= 1
            self._on_change()
