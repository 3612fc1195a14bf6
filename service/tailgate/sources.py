"""The one interface every kind of log source offers to the WebSocket layer.

A source streams one log to one viewer in two steps. ``open`` fixes where the tail
starts (the backlog's first line, the cursor's place, or the live end) before the
viewer hears anything, so the ``hello`` that follows promises every line written
after it. ``run`` then sends the backlog, live lines, notices and errors through the
viewer until cancelled. The WebSocket layer knows nothing else about a source, so
file and Kubernetes sources plug in the same way. Sources raise ``SourceFailed``
when they cannot go on.
"""

from __future__ import annotations

import functools
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from .catalog.model import EventsSpec, FileSpec, LogEntry
from .catalog.store import CatalogStore
from .events.source import EventSource
from .files.follower import FollowMode
from .files.registry import FollowerRegistry
from .files.source import FileSource
from .metrics import Metrics
from .pods.source import PodSources
from .settings import Settings
from .streaming.viewer import Viewer


class Tail(Protocol):
    async def run(self) -> None: ...


class TailSource(Protocol):
    kind: str

    def open(
        self, viewer: Viewer, *, backlog: int, cursor: str | None, since: int | None = None
    ) -> AbstractAsyncContextManager[Tail]:
        """``since`` (ns since the epoch) starts at a time instead of the backlog; a file
        log's time is turned into a cursor before (``history.tail_start``)."""
        ...


class SourceFactory:
    """Turns catalog entries into sources, sharing followers between tails."""

    def __init__(
        self,
        registry: FollowerRegistry,
        metrics: Metrics,
        settings: Settings,
        pods: PodSources | None = None,
        catalog: CatalogStore | None = None,
    ) -> None:
        self._registry = registry
        self._catalog = catalog
        self._metrics = metrics
        self._settings = settings
        self._pods = pods

    @property
    def pods(self) -> PodSources | None:
        """What pod sources share (the API connection), for reading pod logs' history."""
        return self._pods

    def build(self, entry: LogEntry) -> TailSource:
        spec = entry.source
        if not isinstance(spec, FileSpec):
            if self._pods is None:
                raise RuntimeError("pod log and events sources need PodSources")
            if isinstance(spec, EventsSpec):
                return EventSource(entry.id, spec, self._pods)
            return self._pods.build(entry.id, spec)
        return FileSource(
            spec.path,
            log_id=entry.id,
            mode=FollowMode(spec.follow),
            registry=self._registry,
            metrics=self._metrics,
            max_line=self._settings.max_line,
            max_backlog=self._settings.max_backlog,
            other_logs=functools.partial(self._other_file_logs, entry.id),
        )

    def _other_file_logs(self, log_id: str) -> frozenset[str]:
        """The files of every other file log: a cursor of ``log_id`` never reaches them.

        Asked for only when a cursor is resolved, so an open tail holds no copy of the
        catalog.
        """
        if self._catalog is None:
            return frozenset()
        return self._catalog.current.other_files(log_id)
