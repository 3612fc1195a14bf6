"""Pod logs as tail sources (see ``tailgate.sources``): ``pod`` and ``pods`` entries.

A viewer's tail subscribes to the shared upstream of its log and takes its backlog
(or resumes at its cursor) from the upstream's ring. Once that is sent it is live:
the upstream writes each batch to it with everyone else's (``hub.py``). A viewer too
slow for that, or paused, catches up from the ring in its own task, losing nothing
while the ring holds its place; past that it learns how many lines it missed from a
``gap`` notice.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Hashable

from ..catalog.model import EventsSpec, PodSpec, PodsSpec
from ..k8s.config import KubeConnector
from ..metrics import Metrics
from ..streaming import gaps
from ..streaming.viewer import Viewer
from .batches import Batch
from .container_log import ContainerLog
from .follow_slots import FollowSlots
from .hub import CATCH_UP_BYTES, LineHub, Start
from .pod_set import PodSet
from .resume import subscribe
from .subscriber import Subscriber
from .upstreams import UpstreamRegistry


class PodSources:
    """What every pod source shares: the API connection, the upstreams, the limits."""

    def __init__(
        self,
        connector: KubeConnector,
        metrics: Metrics,
        *,
        max_backlog: int,
        max_line: int,
        max_streams: int = 2000,
        catch_up_bytes: int = CATCH_UP_BYTES,
    ) -> None:
        self.connector = connector
        self.metrics = metrics
        self.slots = FollowSlots(max_streams, metrics)
        self.upstreams = UpstreamRegistry()
        self.max_backlog = max_backlog
        self.max_line = max_line
        self.catch_up_bytes = catch_up_bytes

    def build(self, log_id: str, spec: PodSpec | PodsSpec) -> PodSource:
        return PodSource(log_id, spec, self)

    async def aclose(self) -> None:
        await self.upstreams.aclose()
        await self.connector.close()


class PodSource:
    def __init__(
        self, log_id: str, spec: PodSpec | PodsSpec | EventsSpec, shared: PodSources
    ) -> None:
        self.kind = spec.kind
        self._log_id = log_id
        self._spec = spec
        self._shared = shared

    def _hub(self) -> LineHub:
        metrics = self._shared.metrics
        dropped = metrics.dropped_lines.labels(self._log_id)
        sent_lines = metrics.sent_lines.labels(self._log_id)
        sent_bytes = metrics.sent_bytes.labels(self._log_id)

        def sent(lines: int, size: int) -> None:
            if lines:
                sent_lines.inc(lines)
            sent_bytes.inc(size)

        return LineHub(
            capacity=max(1, self._shared.max_backlog),
            catch_up_bytes=self._shared.catch_up_bytes,
            on_drop=dropped.inc,
            on_sent=sent,
            log_id=self._log_id,
        )

    async def _run(self, hub: LineHub) -> None:
        shared, spec = self._shared, self._spec
        api = await shared.connector.api()
        if isinstance(spec, PodSpec):
            await ContainerLog(
                api,
                hub,
                namespace=spec.namespace,
                pod=spec.name,
                container=spec.container,
                previous=spec.previous,
                kind="pod",
                metrics=shared.metrics,
                slots=shared.slots,
                prime_lines=shared.max_backlog,
                max_line=shared.max_line,
            ).run()
        else:
            assert isinstance(spec, PodsSpec), "other upstreams override _run"
            await PodSet(
                api,
                hub,
                namespace=spec.namespace,
                selector=spec.selector,
                container=spec.container,
                metrics=shared.metrics,
                slots=shared.slots,
                prime_lines=shared.max_backlog,
                max_line=shared.max_line,
            ).run()

    @contextlib.asynccontextmanager
    async def open(
        self, viewer: Viewer, *, backlog: int, cursor: str | None, since: int | None = None
    ) -> AsyncIterator[PodTail]:
        """A tail whose start in the stream is fixed on entry; ``run`` it to stream."""
        key: Hashable = (self._log_id, self._spec)
        upstream = self._shared.upstreams.acquire(key, self._hub, self._run)
        hub = upstream.hub
        hub.listen(viewer.control)
        subscriber = None
        try:
            await hub.ready.wait()
            if hub.failure is not None:
                raise hub.failure
            subscriber, start = await subscribe(hub, viewer, backlog, cursor, since=since)
            yield PodTail(self, viewer, hub, subscriber, start)
        finally:
            hub.unlisten(viewer.control)
            if subscriber is not None:
                hub.unsubscribe(subscriber)
            self._shared.upstreams.release(upstream)

    async def _stream(
        self, viewer: Viewer, hub: LineHub, subscriber: Subscriber, start: Start
    ) -> None:
        if start.problem is not None:
            viewer.error("bad_cursor", start.problem)
        if start.gap is not None:
            self._tell(viewer, gaps.cursor_lost(start.gap))
        await self._send(viewer, start.batches)
        while True:
            if hub.failure is not None:
                raise hub.failure
            if subscriber.live:
                if hub.ended:
                    return
                await subscriber.wake.wait()
                subscriber.wake.clear()
                continue
            if viewer.paused:
                await viewer.wait_resumed()
            batches, missed = subscriber.take()
            if missed:
                gap = gaps.fell_behind(missed)
                await viewer.send(gap.payload())
                self._count(gap)
            await self._send(viewer, batches)

    def _tell(self, viewer: Viewer, gap: gaps.Gap) -> None:
        viewer.control(gap.payload())
        self._count(gap)

    def _count(self, gap: gaps.Gap) -> None:
        self._shared.metrics.gaps.labels(self._log_id, gap.cause).inc()

    async def _send(self, viewer: Viewer, batches: list[Batch]) -> None:
        metrics = self._shared.metrics
        for batch in batches:
            if batch.notice is not None:
                await viewer.send(batch.notice)
                metrics.sent_bytes.labels(self._log_id).inc(len(batch.notice))
                continue
            rendered = await viewer.send_batch(batch)
            if rendered.frame is None:
                continue
            metrics.sent_lines.labels(self._log_id).inc(rendered.lines)
            metrics.sent_bytes.labels(self._log_id).inc(rendered.size)


class PodTail:
    """One viewer's place in a pod log stream, taken when its source was opened."""

    def __init__(
        self, source: PodSource, viewer: Viewer, hub: LineHub, subscriber: Subscriber, start: Start
    ) -> None:
        self._source = source
        self._viewer = viewer
        self._hub = hub
        self._subscriber = subscriber
        self._start = start

    async def run(self) -> None:
        await self._source._stream(self._viewer, self._hub, self._subscriber, self._start)
