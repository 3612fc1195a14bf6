"""One API server stream per log, shared by every viewer of it.

The first viewer of a pod log starts its upstream (a hub and the task that feeds
it); later viewers of the same log share it. When the last viewer leaves, the task
is cancelled at once, which closes its HTTP responses as it unwinds; ``aclose``
waits for all of that at shutdown. An upstream that failed for good is dropped from
the registry, so the next viewer starts afresh (the failure may have been fixed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from ..errors import SourceError, SourceFailed
from .hub import LineHub

log = logging.getLogger(__name__)

Runner = Callable[[LineHub], Awaitable[None]]


@dataclass(eq=False)
class Upstream:
    key: Hashable
    hub: LineHub
    refs: int = 0
    task: asyncio.Task[None] | None = field(default=None, repr=False)


class UpstreamRegistry:
    def __init__(self) -> None:
        self._open: dict[Hashable, Upstream] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def acquire(self, key: Hashable, make_hub: Callable[[], LineHub], run: Runner) -> Upstream:
        upstream = self._open.get(key)
        if upstream is None:
            upstream = Upstream(key, make_hub())
            upstream.task = asyncio.create_task(self._run(upstream, run), name=f"upstream {key}")
            self._open[key] = upstream
        upstream.refs += 1
        return upstream

    def release(self, upstream: Upstream) -> None:
        upstream.refs -= 1
        if upstream.refs > 0:
            return
        if self._open.get(upstream.key) is upstream:
            del self._open[upstream.key]
        task = upstream.task
        if task is not None and not task.done():
            task.cancel()
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    def __len__(self) -> int:
        return len(self._open)

    async def _run(self, upstream: Upstream, run: Runner) -> None:
        hub = upstream.hub
        try:
            await run(hub)
        except asyncio.CancelledError:
            hub.close()
            raise
        except SourceError as exc:
            self._drop(upstream)
            hub.close()
            hub.fail(exc)
            return
        except Exception:
            log.exception("a pod log stream failed", extra={"upstream": str(upstream.key)})
            self._drop(upstream)
            hub.close()
            hub.fail(SourceFailed("reading the pod log failed on the server; see its logs"))
            return
        hub.close()
        hub.end()

    def _drop(self, upstream: Upstream) -> None:
        if self._open.get(upstream.key) is upstream:
            del self._open[upstream.key]

    async def aclose(self) -> None:
        tasks = [u.task for u in self._open.values() if u.task is not None]
        tasks += list(self._closing)
        self._open.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
