"""Following one watch for as long as its history lasts: resumed, paced, counted.

A pods log's member watch and an events log's watch do the same thing between two
lists: watch from a resourceVersion, hand on each event, resume from the last
resourceVersion seen when the server ends the watch (it does, every few minutes),
pause with the one backoff policy when a watch brings nothing or the API server
cannot be reached, and return on a 410 so the caller lists again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from ..backoff import Retries
from ..metrics import Metrics
from .api import WatchEvent
from .errors import Gone, KubeUnavailable

log = logging.getLogger(__name__)

OpenWatch = Callable[[str], AbstractAsyncContextManager[AsyncIterator[WatchEvent]]]


async def watch_until_gone(
    open_watch: OpenWatch,
    resource_version: str,
    on_event: Callable[[WatchEvent], None],
    *,
    retries: Retries,
    metrics: Metrics,
) -> None:
    """Watch from ``resource_version`` (``open_watch(rv)``) until a 410, then return."""
    rv = resource_version
    while True:
        news = False
        wait = 0.0
        try:
            async with open_watch(rv) as events:
                async for event in events:
                    news = True
                    rv = event.resource_version or rv
                    on_event(event)
        except Gone:
            metrics.upstream_reconnects.labels("watch_expired").inc()
            return
        except KubeUnavailable as exc:
            log.warning("%s", exc)
            news = False
            wait = exc.retry_after
        metrics.upstream_reconnects.labels("watch_ended").inc()
        if news:
            retries.reset()
        else:
            await retries.wait(wait)
