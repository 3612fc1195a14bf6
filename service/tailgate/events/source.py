"""``events`` entries as tail sources: a pod log source whose upstream is an Event watch.

Everything a viewer of a pod log has, an events log has too, from the same parts
(``pods.source``): the shared upstream (one watch per log, whoever watches), the
ring and its backlog, fan-out by view (filters, levels), ``cursor`` frames and
``?cursor=`` resumes on any replica, ``gap`` notices. Only the upstream differs
(``event_stream.py``). ``since`` is not a position here (lines are placed by
resourceVersion): web/tail_ws.py answers a tail asked to start at a time with
``since_unsupported`` and opens it without one, so the pods ``open`` serves as it is.
"""

from __future__ import annotations

from ..catalog.model import EventsSpec
from ..pods.hub import LineHub
from ..pods.source import PodSource, PodSources
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
