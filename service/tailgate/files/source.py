"""A log file as a tail source (see ``tailgate.sources``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

from ..metrics import Metrics
from ..streaming.viewer import Viewer
from .file_tail import FileTail
from .follower import FollowMode
from .registry import FollowerRegistry


class FileSource:
    kind = "file"

    def __init__(
        self,
        path: str,
        *,
        log_id: str,
        mode: FollowMode,
        registry: FollowerRegistry,
        metrics: Metrics,
        max_line: int,
        max_backlog: int,
        other_logs: Callable[[], frozenset[str]] = frozenset,
    ) -> None:
        self.path = path
        self._log_id = log_id
        self._mode = mode
        self._registry = registry
        self._metrics = metrics
        self._max_line = max_line
        self._max_backlog = max_backlog
        self._other_logs = other_logs

    @contextlib.asynccontextmanager
    async def open(
        self, viewer: Viewer, *, backlog: int, cursor: str | None, since: int | None = None
    ) -> AsyncIterator[FileTail]:
        """A tail whose start is fixed on entry; ``run`` it to stream.

        A time to start at comes as a cursor (the WebSocket layer finds its place in
        the log's files), never as ``since``."""
        if since is not None:
            raise ValueError("a file log starts at a time through a cursor")
        follower = self._registry.acquire(self._log_id, self.path, self._mode)
        try:
            tail = FileTail(
                follower,
                viewer,
                metrics=self._metrics,
                max_line=self._max_line,
                max_backlog=self._max_backlog,
                other_logs=self._other_logs,
            )
            await tail.start(backlog=backlog, cursor=cursor)
            try:
                yield tail
            finally:
                tail.close()
        finally:
            self._registry.release(follower, self._mode)
