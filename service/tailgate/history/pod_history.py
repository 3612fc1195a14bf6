"""Searching a pod log's history: what the API server still holds, newest first.

The API server serves a container's log forward only (``pods/log`` without
``follow``), so each container's log is read whole, the previous run's first, and
only its newest matches are kept; the logs of a ``pods`` selector's members are then
merged by their kubelet timestamps, newest first. Reads are bounded by the request's
size limit (``limitBytes``) and deadline; a log cut short by either is named in
``skipped``, since its newest lines were not reached.

Positions are pod cursors (``pods/pod_cursor.py``): a match's ``cursor`` resumes a
tail right after its line on any replica, and ``more`` is the position before the
oldest match returned, of its own source, so the next request merges on exactly
where this one stopped (order: timestamp, then source, then the line's count among
those sharing its timestamp).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

from ..catalog.model import PodSpec, PodsSpec
from ..errors import BadCursor, SourceError
from ..k8s.api import KubeApi
from ..pods.log_lines import Position, parse_stamped_line, since_time
from ..pods.pod_cursor import LegacyCursor, PodCursor, log_tag, source_hash
from .errors import BadPosition, HistoryUnavailable
from .walk import Budget

log = logging.getLogger(__name__)

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"
#: Lines are matched whole here; what is sent is cut like a tail's.
WHOLE = 1 << 30
#: Line keys in merge order: (timestamp, source hash, count among that timestamp).
Key = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class PodMark:
    """A position in a pod log as a cursor: after ``count`` lines stamped ``ts`` of one source."""

    log: int
    source: int
    ts: int
    count: int

    def encode(self) -> str:
        position = Position(self.ts, self.count)
        return PodCursor(0, 0, self.log, {self.source: position}, self.ts).encode()


@dataclass(frozen=True, slots=True)
class PodFound:
    """A line of a pod log, as ``found.Found`` is one of a file, with its kubelet stamp."""

    raw: bytes
    after: PodMark
    at: PodMark
    source: str | None
    time: str | None


@dataclass(frozen=True, slots=True)
class Before:
    """Where a request continues: lines at or before this, per the rule in the docstring."""

    newest: int
    positions: dict[int, Position]

    @classmethod
    def decode(cls, text: str, log_id: str) -> Before:
        try:
            cursor = PodCursor.decode(text)
        except BadCursor:
            raise BadPosition("before is not a position this server hands out") from None
        if isinstance(cursor, LegacyCursor):
            return cls(cursor.position.ts, {})
        if cursor.log != log_tag(log_id):
            raise BadPosition("before belongs to another log")
        return cls(cursor.newest, dict(cursor.positions))

    def admits(self, key: Key) -> bool:
        ts, source, count = key
        if len(self.positions) == 1:
            ((only, at),) = self.positions.items()
            return key <= (at.ts, only, at.count)
        at = self.positions.get(source, Position(self.newest, 0))
        return ts < at.ts or (ts == at.ts and count <= at.count)


@dataclass
class PodWalk:
    """One search (or, ``pattern`` None, read-back) of a ``pod`` or ``pods`` log; shaped
    like ``walk.Walk`` for the web layer."""

    api: KubeApi
    log_id: str
    spec: PodSpec | PodsSpec
    before: Before | None
    pattern: Any
    limit: int
    budget: Budget
    since: int | None = None
    more: PodMark | None = None
    skipped: list[str] = field(default_factory=list)

    async def batches(self) -> AsyncGenerator[list[PodFound], None]:
        kept: list[tuple[Key, PodFound]] = []
        left = max(0.001, self.budget.deadline - time.monotonic())
        try:
            async with asyncio.timeout(left):
                for pod, container, label in await self._sources():
                    kept.extend(await self._source(pod, container, label))
        except TimeoutError:
            self.skipped.append("the deadline passed before every container's log was read")
        kept.sort(key=lambda item: item[0], reverse=True)
        found = [f for _, f in kept[: self.limit]]
        if len(kept) > self.limit:
            key = kept[self.limit - 1][0]
            self.more = PodMark(log_tag(self.log_id), key[1], key[0], key[2] - 1)
        yield found

    async def _sources(self) -> list[tuple[str, str | None, str | None]]:
        """(pod, container, source label) of every container log to read."""
        spec = self.spec
        if isinstance(spec, PodSpec):
            return [(spec.name, spec.container, None)]
        try:
            pods, _ = await self.api.list("pods", spec.namespace, label_selector=spec.selector)
        except SourceError as exc:
            raise HistoryUnavailable(f"the pods of this log cannot be listed: {exc}") from None
        out: list[tuple[str, str | None, str | None]] = []
        for pod in sorted(pods, key=lambda p: str(p.get("metadata", {}).get("name", ""))):
            name = str(pod.get("metadata", {}).get("name", ""))
            container = spec.container or _default_container(pod)
            if container is None:
                self.skipped.append(f"{name}: several containers; name one in the catalog")
                continue
            out.append((name, container, f"{name}/{container}"))
        return out

    async def _source(
        self, pod: str, container: str | None, label: str | None
    ) -> list[tuple[Key, PodFound]]:
        spec = self.spec
        runs = [True] if isinstance(spec, PodSpec) and spec.previous else [True, False]
        kept: deque[tuple[Key, PodFound]] = deque(maxlen=self.limit)
        for previous in runs:
            try:
                await self._read(pod, container, label, previous, kept)
            except SourceError as exc:
                if previous and not (isinstance(spec, PodSpec) and spec.previous):
                    continue  # no earlier run: nothing to read there
                if isinstance(spec, PodSpec):
                    raise HistoryUnavailable(f"the pod's log cannot be read: {exc}") from None
                self.skipped.append(f"{label}: {exc}")
        return list(kept)

    async def _read(
        self,
        pod: str,
        container: str | None,
        label: str | None,
        previous: bool,
        kept: deque[tuple[Key, PodFound]],
    ) -> None:
        budget = self.budget
        room = budget.max_bytes - budget.scanned
        if room <= 0:
            self.skipped.append(f"{label or pod}: the size limit was reached first")
            return
        stream = await self.api.open_log(
            self.spec.namespace,
            pod,
            container=container,
            follow=False,
            previous=previous,
            since_time=None if self.since is None else since_time(self.since),
            limit_bytes=room,
        )
        hashed = source_hash(label)
        tag = log_tag(self.log_id)
        position = Position()
        read = 0
        try:
            async for lines in stream.batches():
                for raw in lines:
                    read += len(raw) + 1
                    ts, stamp, _ = parse_stamped_line(raw, default_ts=position.ts, max_line=WHOLE)
                    position = position.after(ts)
                    if self.since is not None and ts < self.since:
                        continue
                    key = (ts, hashed, position.count)
                    if self.before is not None and not self.before.admits(key):
                        continue
                    body = raw[len(stamp) + 1 :] if stamp else raw
                    if self.pattern is not None and self.pattern.search(body) is None:
                        continue
                    found = PodFound(
                        body,
                        PodMark(tag, hashed, ts, position.count),
                        PodMark(tag, hashed, ts, position.count - 1),
                        label,
                        stamp,
                    )
                    kept.append((key, found))
        finally:
            stream.close()
            budget.scanned += read
        if read >= room:
            self.skipped.append(f"{label or pod}: only its first {room} bytes were read")


def _default_container(pod: dict[str, Any]) -> str | None:
    spec = pod.get("spec") or {}
    names = [str(c.get("name")) for c in spec.get("containers") or []]
    default = ((pod.get("metadata") or {}).get("annotations") or {}).get(
        DEFAULT_CONTAINER_ANNOTATION
    )
    if default in names:
        return str(default)
    return names[0] if len(names) == 1 else None
