"""The upstream of an ``events`` log: a list for the backlog, then a watch, for ever.

One per log, shared by all its viewers through the pod logs' ``LineHub`` (ring,
fan-out, views, cursors), started by the first viewer and stopped with the last,
like a pod log's stream. The list gives the backlog (the newest ``prime_lines``
Events); the watch from the list's resourceVersion gives every create and update
after it, each a new line. A watch the server ends is resumed from the last
resourceVersion seen; a 410 (history compacted) lists again, and only Events past
the last line published become lines, so nothing is repeated and an update missed
meanwhile still arrives (its latest form). A resume on another replica reads the
lines after its cursor with one list (``backfill``).
"""

from __future__ import annotations

import logging

from ..backoff import Backoff
from ..catalog.model import EventsSpec
from ..k8s.api import KubeApi, WatchEvent
from ..k8s.errors import KubeUnavailable
from ..k8s.watching import watch_until_gone
from ..metrics import Metrics
from ..pods.hub import Fetched, LineHub
from ..pods.log_lines import Position
from ..streaming.frames import error_payload
from .event_lines import EventLine, event_line, lines_after, resource_version

log = logging.getLogger(__name__)

GROUP = "events.k8s.io"


def field_selector(spec: EventsSpec) -> str | None:
    """The field selector events.k8s.io/v1 narrows an ``involved`` entry with."""
    parts = []
    if spec.involved_kind:
        parts.append(f"regarding.kind={spec.involved_kind}")
    if spec.involved_name:
        parts.append(f"regarding.name={spec.involved_name}")
    return ",".join(parts) or None


class EventStream:
    def __init__(
        self,
        api: KubeApi,
        hub: LineHub,
        spec: EventsSpec,
        *,
        metrics: Metrics,
        prime_lines: int,
        max_line: int,
    ) -> None:
        self._api = api
        self._hub = hub
        self._spec = spec
        self._selector = field_selector(spec)
        self._metrics = metrics
        self._prime_lines = max(0, prime_lines)
        self._max_line = max_line
        #: The resourceVersion of the last line published (or listed past).
        self._last = 0
        self._backoff = Backoff().retries()

    async def run(self) -> None:
        self._hub.start_source(None, Position(), self._backfill)
        first = True
        while True:
            try:
                items, rv = await self._list()
            except KubeUnavailable as exc:
                self._hub.send(error_payload(exc.code, str(exc)))
                self._hub.mark_ready()
                await self._backoff.wait(exc.retry_after)
                continue
            lines = lines_after(items, self._last, max_line=self._max_line)
            if first:
                lines = lines[len(lines) - self._prime_lines :] if self._prime_lines else []
                first = False
            self._publish(lines)
            listed = int(rv) if rv.isdigit() else 0
            self._last = max(self._last, listed)
            self._hub.mark_ready()
            await self._watch(rv)  # returns on 410: list again

    async def _list(self) -> tuple[list[dict[str, object]], str]:
        return await self._api.list(
            "events", self._spec.namespace, group=GROUP, field_selector=self._selector
        )

    async def _watch(self, rv: str) -> None:
        await watch_until_gone(
            lambda at: self._api.watch(
                "events",
                self._spec.namespace,
                group=GROUP,
                resource_version=at,
                field_selector=self._selector,
            ),
            rv,
            self._on_event,
            retries=self._backoff,
            metrics=self._metrics,
        )

    def _on_event(self, event: WatchEvent) -> None:
        if event.type in ("ADDED", "MODIFIED"):
            line = event_line(event.object, max_line=self._max_line)
            if line is not None and line.rv > self._last:
                self._publish([line])
        elif event.type == "BOOKMARK":
            self._last = max(self._last, resource_version(event.object) or 0)

    def _publish(self, lines: list[EventLine]) -> None:
        if not lines:
            return
        published = [(line.position, piece) for line in lines for piece in line.pieces]
        stamps = [line.stamp for line in lines for _ in line.pieces]
        self._hub.publish(None, published, stamps)
        self._last = max(self._last, lines[-1].rv)

    async def _backfill(self, position: Position, limit: int) -> Fetched:
        """The lines after ``position`` (a resourceVersion), by one list."""
        items, _ = await self._list()
        lines = lines_after(items, position.ts, max_line=self._max_line)
        kept = lines[-limit:] if limit else []
        got = [(line.position, piece, line.stamp) for line in kept for piece in line.pieces]
        return Fetched(got, reached=len(kept) == len(lines))
