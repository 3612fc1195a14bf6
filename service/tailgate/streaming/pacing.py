"""How often a shared source may fan a batch out: the one pacing policy, pure, no I/O.

Writing one batch to many viewers costs time proportional to their number. A single
line arriving after a quiet spell goes out at once (no timer delay); under sustained
load, batches are spaced so that fan-out uses at most ``duty`` of the loop's time,
and lines that arrive meanwhile wait in the source and join the next, larger batch.
With one viewer the spacing is microseconds; with a thousand it is a few
milliseconds, well inside the latency budget, and CPU stays flat.

The cost is what the fan-out took (measured around it) plus what it leaves for
later: a source whose viewers are woken to write the batch themselves (pod logs,
each from its own queue) passes that as ``deferred``, an estimate per viewer.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The loop time a viewer woken to write a batch itself takes, for ``deferred``.
WAKE_COST = 0.0001


@dataclass(slots=True)
class FanoutPacer:
    duty: float = 0.5
    max_delay: float = 0.02
    _next_at: float = 0.0

    def delay(self, now: float) -> float:
        """Seconds to wait before the next fan-out may start (0 when it may start now)."""
        return max(0.0, self._next_at - now)

    def record(self, started: float, finished: float, deferred: float = 0.0) -> None:
        """Account for a fan-out that ran from ``started`` to ``finished``.

        ``deferred`` is loop time the batch costs after ``finished`` (viewers woken
        to write it)."""
        cost = max(0.0, finished - started) + max(0.0, deferred)
        spacing = min(self.max_delay, cost * (1.0 - self.duty) / self.duty)
        self._next_at = finished + spacing
