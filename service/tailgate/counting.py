"""Metrics from logs: the catalog's ``count:`` logs, read all the time and counted.

For every catalog entry with ``count`` (up to ``--max-counted-logs``, the first by
ID), one task follows the log from its live end through the same source a tail
uses, as a viewer that is not a person: its view counts each batch's lines
(``streaming.line_counter``) and frames nothing, so a log with viewers is still
read once, and one without is read anyway, so Prometheus can alert on it. Counts
go to ``tailgate_log_lines_total{log_id}`` and
``tailgate_log_matches_total{log_id, pattern}``; a counted log that leaves the
catalog (or changes) takes its series with it, so the cardinality stays that of the
catalog in force, within the caps. A source that fails is followed again after a
backoff; lines written meanwhile are not counted (the counters say what was read).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from .backoff import Backoff
from .catalog.model import Catalog, LogEntry
from .catalog.store import CatalogStore
from .metrics import Metrics
from .sources import SourceFactory
from .streaming.frames import hello_payload
from .streaming.line_counter import LineCounter
from .streaming.patterns import compile_pattern
from .streaming.viewer import Viewer
from .streaming.views import View

log = logging.getLogger(__name__)

#: How a failed source is followed again.
RETRY = Backoff(first=1.0, ceiling=30.0)


class _Discard(asyncio.Transport):
    """The connection of a viewer that is not a person: what it is written goes nowhere."""

    def __init__(self) -> None:
        super().__init__()
        self._closing = False

    def write(self, data: Any) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._closing = True


class LogCounting:
    def __init__(
        self,
        sources: SourceFactory,
        catalog: CatalogStore,
        metrics: Metrics,
        *,
        max_logs: int,
        max_patterns: int,
    ) -> None:
        self._sources = sources
        self._catalog = catalog
        self._metrics = metrics
        self._max_logs = max_logs
        self._max_patterns = max_patterns
        self._tasks: dict[str, tuple[LogEntry, asyncio.Task[None]]] = {}
        self._running = False

    @property
    def counted(self) -> frozenset[str]:
        """The IDs of the logs counted now."""
        return frozenset(self._tasks)

    async def start(self) -> None:
        self._running = True
        self._catalog.subscribe(lambda _old, new: self._sync(new))
        self._sync(self._catalog.current)

    async def stop(self) -> None:
        self._running = False
        for log_id in list(self._tasks):
            await self._end(log_id)

    def _sync(self, catalog: Catalog) -> None:
        """Count what ``catalog`` asks for, within the caps; stop counting the rest."""
        if not self._running:
            return
        asked = sorted((e for e in catalog.entries.values() if e.count), key=lambda e: e.id)
        wanted = {entry.id: entry for entry in asked[: self._max_logs]}
        patterns_left_out = sum(max(0, len(e.count) - self._max_patterns) for e in wanted.values())
        self._report_caps(len(asked) - len(wanted), patterns_left_out)
        for log_id, (entry, _task) in list(self._tasks.items()):
            if wanted.get(log_id) != entry:
                self._drop(log_id)
        for log_id, entry in wanted.items():
            if log_id not in self._tasks:
                task = asyncio.get_running_loop().create_task(self._follow(entry))
                self._tasks[log_id] = (entry, task)
        self._metrics.counted_logs.set(len(self._tasks))

    def _report_caps(self, logs: int, patterns: int) -> None:
        self._metrics.counting_capped.labels("logs").set(logs)
        self._metrics.counting_capped.labels("patterns").set(patterns)
        if logs:
            log.warning(
                "more logs ask for counters than --max-counted-logs; the rest are not counted",
                extra={"left_out": logs, "max_counted_logs": self._max_logs},
            )
        if patterns:
            log.warning(
                "logs ask for more count patterns than --max-count-patterns; the rest are "
                "not counted",
                extra={"left_out": patterns, "max_count_patterns": self._max_patterns},
            )

    def _drop(self, log_id: str) -> asyncio.Task[None]:
        """Stop counting ``log_id`` now (its series go); the task, cancelled."""
        entry, task = self._tasks.pop(log_id)
        task.cancel()
        self._forget(entry)
        self._metrics.counted_logs.set(len(self._tasks))
        return task

    async def _end(self, log_id: str) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await self._drop(log_id)

    def _forget(self, entry: LogEntry) -> None:
        """The log is no longer counted: its series go (they are not carried on)."""
        metrics = self._metrics
        with contextlib.suppress(KeyError):
            metrics.log_lines.remove(entry.id)
        for name, _pattern in entry.count:
            with contextlib.suppress(KeyError):
                metrics.log_matches.remove(entry.id, name)

    def _counter(self, entry: LogEntry) -> LineCounter:
        kept = entry.count[: self._max_patterns]
        lines = self._metrics.log_lines.labels(entry.id)
        matches = {name: self._metrics.log_matches.labels(entry.id, name) for name, _ in kept}
        lines.inc(0)  # the series exist from the start, at 0, for rate() and alerts

        def counted(total: int, matched: dict[str, int]) -> None:
            lines.inc(total)
            for name, n in matched.items():
                if n:
                    matches[name].inc(n)

        compiled = [(name, compile_pattern(p, regex=True, case=True)) for name, p in kept]
        return LineCounter(compiled, counted)

    async def _follow(self, entry: LogEntry) -> None:
        """Read ``entry``'s log from its live end for ever, following it again on failure."""
        counter = self._counter(entry)
        retries = RETRY.retries()
        while True:
            transport = _Discard()
            viewer = Viewer(transport)
            viewer.ask(View(counter=counter))
            viewer.hello(hello_payload(entry.id, entry.title, entry.kind))
            try:
                source = self._sources.build(entry)
                async with source.open(viewer, backlog=0, cursor=None) as tail:
                    retries.reset()
                    await tail.run()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "counting a log's lines failed; following it again",
                    extra={"log_id": entry.id, "error": str(exc)[:300]},
                )
            finally:
                viewer.closing = True
                transport.close()
            await retries.wait()
