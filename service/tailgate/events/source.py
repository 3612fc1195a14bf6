"""``events`` entries as tail sources: a pod log source whose upstream is an Event watch.

Everything a viewer of a pod log has, an events log has too, from the same parts
(``pods.source``): the shared upstream (one watch per log, whoever watches), the
ring and its backlog, fan-out by view (filters, levels), ``cursor`` frames and
``?cursor=`` resumes on any replica, ``gap`` notices. Only the upstream differs
(``event_stream.py``). ``since`` is not a position here (lines are placed by
resourceVersion): a tail asked to start at a time is told so (``since_unsupported``,
web/tail_ws.py) and starts with the backlog.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from ..catalog.model import EventsSpec
from ..pods.hub import LineHub
from ..pods.source import PodSource, PodSources, PodTail
from ..streaming.viewer import Viewer
from .event_stream import EventStream


class EventSource(PodSource):
    def __init__(self, log_id: str, spec: EventsSpec, shared: PodSources) -> None:
        super().__init__(log_id, spec, shared)
        self._events = spec

    async def _run(self, hub: LineHub) -> None:
        shared = self._shared
        api = await shared.connector.api()
        await EventStream(
            api,
            hub,
            self._events,
            metrics=shared.metrics,
            prime_lines=shared.max_backlog,
            max_line=shared.max_line,
        ).run()

    @contextlib.asynccontextmanager
    async def open(
        self, viewer: Viewer, *, backlog: int, cursor: str | None, since: int | None = None
    ) -> AsyncIterator[PodTail]:
        async with super().open(viewer, backlog=backlog, cursor=cursor) as tail:
            yield tail
