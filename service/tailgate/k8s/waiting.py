"""Waiting without spinning: retry backoff, and waiting for one pod to change.

When a log cannot be read yet (the pod does not exist, its container is still
starting, or it exited), the reader waits for the pod to change by watching it
rather than polling; watches that end without news, and failed requests, are
retried after a growing pause. Pauses are jittered: after an API server outage,
every stream of every replica retries, and they must not all knock at once, in
lockstep, every time. An API server that says when to come back (``Retry-After``
on a 429 or 503) is waited for at least that long.
"""

from __future__ import annotations

import asyncio
import random

from .api import KubeApi
from .errors import Gone

#: A watch for one pod's change ends after this long and the pod is read again.
POD_WATCH_SECONDS = 60


#: A Retry-After longer than this is capped: a stream must not go quiet for long.
RETRY_AFTER_CEILING = 60.0


class Backoff:
    """Pauses of 0.1 s doubling to ``ceiling``, each a random half to whole of that
    ("equal jitter"); ``reset`` after a success."""

    def __init__(
        self, first: float = 0.1, ceiling: float = 5.0, rng: random.Random | None = None
    ) -> None:
        self._first = first
        self._ceiling = ceiling
        self._next = first
        self._rng = rng or random.Random()  # noqa: S311 - spreading retries, not secrets

    def reset(self) -> None:
        self._next = self._first

    def next_delay(self, at_least: float = 0.0) -> float:
        step = self._next
        self._next = min(self._ceiling, step * 2)
        delay = step / 2 + self._rng.uniform(0, step / 2)
        return max(delay, min(at_least, RETRY_AFTER_CEILING))

    async def wait(self, at_least: float = 0.0) -> None:
        await asyncio.sleep(self.next_delay(at_least))


async def wait_for_pod_change(
    api: KubeApi, namespace: str, name: str, resource_version: str | None
) -> bool:
    """Wait until pod ``name`` changes after ``resource_version`` (or appears, if None).

    True when something changed; False when the watch ended without news (the caller
    reads the pod again, after a pause).
    """
    field = f"metadata.name={name}"
    if resource_version is None:
        items, resource_version = await api.list("pods", namespace, field_selector=field)
        if items:
            return True
    try:
        async with api.watch(
            "pods",
            namespace,
            resource_version=resource_version,
            field_selector=field,
            timeout_seconds=POD_WATCH_SECONDS,
        ) as events:
            async for event in events:
                if event.type != "BOOKMARK":
                    return True
    except Gone:
        return True
    return False
