"""A cap on the pod container logs followed at once, over the whole server.

Each followed container log holds one API server stream (API server to kubelet to
tailgate) for as long as it is followed, so a selector matching thousands of pods
would open thousands. ``--max-pod-streams`` bounds that: a container log takes a
slot before it first reads and keeps it until it stops (also while its container
restarts or waits to start, so those watches are bounded too). When no slot is free
its viewers are told at once (``ContainerLog`` sends ``stream_cap``) and it waits,
in the order of asking, until one frees up; nothing waits in silence.

The slots are the only bound on these connections: the API client's own connection
pool is unbounded (``k8s.config``), because a pool that is full makes requests wait
without a word, watches and log reads alike.
"""

from __future__ import annotations

import asyncio
import logging

from ..metrics import Metrics

log = logging.getLogger(__name__)


class FollowSlots:
    def __init__(self, cap: int, metrics: Metrics) -> None:
        self.cap = cap
        self._free = asyncio.Semaphore(cap)
        self._waiting = metrics.pod_streams_waiting
        self._waiters = 0

    def full(self) -> bool:
        return self._free.locked()

    async def take(self) -> None:
        """Wait for a slot and hold it; ``give`` it back exactly once."""
        if not self.full():
            await self._free.acquire()
            return
        if self._waiters == 0:
            log.warning(
                "%d pod logs are followed, the most --max-pod-streams allows; more wait for a slot",
                self.cap,
            )
        self._waiters += 1
        self._waiting.inc()
        try:
            await self._free.acquire()
        finally:
            self._waiters -= 1
            self._waiting.dec()

    def give(self) -> None:
        self._free.release()
