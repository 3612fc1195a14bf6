"""Pauses between retries: one policy for everything that retries.

The identity provider's discovery, the API server's watches and log streams all
retry after failures. Pauses double from ``first`` up to ``ceiling``, and each is a
random half to whole of its step ("equal jitter"): after an outage every stream of
every replica retries, and they must not all knock at once, in lockstep, every time.
A server that says when to come back (``Retry-After`` on a 429 or 503) is waited for
at least that long, up to ``RETRY_AFTER_CEILING``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from dataclasses import dataclass

#: A Retry-After longer than this is capped: a stream must not go quiet for long.
RETRY_AFTER_CEILING = 60.0


@dataclass(frozen=True, slots=True)
class Backoff:
    """The policy: pauses from ``first`` doubling to ``ceiling`` seconds, jittered."""

    first: float = 0.1
    ceiling: float = 5.0

    def retries(self, rng: random.Random | None = None) -> Retries:
        """A fresh sequence of pauses for one thing that retries."""
        return Retries(self, rng)

    def delays(self, rng: random.Random | None = None) -> Iterator[float]:
        """The pauses of one sequence, endlessly (start a new one after a success)."""
        retries = self.retries(rng)
        while True:
            yield retries.next_delay()


class Retries:
    """Where one retrying thing stands in its backoff; ``reset`` after a success."""

    def __init__(self, policy: Backoff, rng: random.Random | None = None) -> None:
        self._policy = policy
        self._next = policy.first
        self._rng = rng or random.Random()  # noqa: S311 - spreading retries, not secrets

    def reset(self) -> None:
        self._next = self._policy.first

    def next_delay(self, at_least: float = 0.0) -> float:
        step = self._next
        self._next = min(self._policy.ceiling, step * 2)
        delay = step / 2 + self._rng.uniform(0, step / 2)
        return max(delay, min(at_least, RETRY_AFTER_CEILING))

    async def wait(self, at_least: float = 0.0) -> None:
        await asyncio.sleep(self.next_delay(at_least))
