"""Faults the fake API server can be told to inject, as a real one shows them.

An API server under strain answers some requests with a ``Status`` error instead of
serving them: 500 ``InternalError`` when etcd or a webhook is slow, 429
``TooManyRequests`` with a ``Retry-After`` header when priority and fairness sheds
load; it answers slowly; it ends long-running log streams, cleanly or by dropping
the connection. Tests and soak scenarios arm faults here; the server's middleware
asks ``take`` before each request. Pure bookkeeping, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .statuses import StatusError, internal_error, too_many_requests


@dataclass
class _Rule:
    status: int
    remaining: int
    where: str
    retry_after: int


@dataclass
class Faults:
    """Armed faults; by default none, and the fake serves every request."""

    #: Seconds every request waits before it is served (a slow API server).
    delay: float = 0.0
    #: Only requests whose path and query match this regular expression are delayed.
    delay_where: str = ""
    #: Requests answered with an injected error, by status.
    injected: dict[int, int] = field(default_factory=dict)
    _rules: list[_Rule] = field(default_factory=list)

    def fail(self, status: int, times: int = 1, *, where: str = "", retry_after: int = 1) -> None:
        """Answer the next ``times`` requests whose path holds ``where`` with ``status``
        (500 or 429; a 429 carries ``Retry-After: retry_after``)."""
        if status not in (500, 429):
            raise ValueError("the fake injects 500 and 429 only")
        self._rules.append(_Rule(status, times, where, retry_after))

    def clear(self) -> None:
        self._rules.clear()
        self.delay = 0.0

    def take(self, path: str) -> tuple[StatusError, dict[str, str]] | None:
        """The error to answer this request with, and its headers, if one is armed."""
        for rule in self._rules:
            if rule.remaining > 0 and rule.where in path:
                rule.remaining -= 1
                if not rule.remaining:
                    self._rules.remove(rule)
                self.injected[rule.status] = self.injected.get(rule.status, 0) + 1
                if rule.status == 429:
                    return too_many_requests(rule.retry_after), {
                        "Retry-After": str(rule.retry_after)
                    }
                return internal_error(), {}
        return None

    def delay_for(self, path_qs: str) -> float:
        return self.delay if re.search(self.delay_where, path_qs) else 0.0
