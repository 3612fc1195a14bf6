"""Following one container's log through everything that happens to it.

One ``ContainerLog`` reads one container of one pod into a hub, and keeps doing so:

- first it *primes*: a plain (not followed) read of the last lines, so the hub's
  ring holds a backlog with a clear end, then it follows from there; when the
  read did not reach the log's start, the lines sharing its first timestamp are
  left out, so every position handed out counts lines as the kubelet does;
- when the API server ends the stream, it reconnects with ``sinceTime`` and skips
  the lines it already has (timestamp plus count), so nothing is lost or repeated;
- when the container restarts (a new container ID), it says ``restarted`` and reads
  the new container from its first line; when it exits, it reads to the end and
  waits for the pod to change;
- while the pod does not exist or the container is still starting, it says so and
  waits for the pod to change, by watching it.

Failures that waiting cannot fix (RBAC, a container name that is needed or wrong)
raise out of ``run``; passing trouble (API server unreachable) is reported and retried.

It also answers the hub's ``fetch_after`` (``read_again.py``): a viewer resuming
with another replica's cursor gets the lines this replica's ring lacks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..backoff import Backoff
from ..k8s.api import KubeApi, LogStream, Obj
from ..k8s.errors import (
    ContainerRequired,
    ContainerWaiting,
    KubeUnavailable,
    NoPreviousContainer,
    PodNotFound,
)
from ..metrics import Metrics
from ..streaming.frames import error_payload, notice_payload
from .follow_slots import FollowSlots
from .hub import Fetched, LineHub
from .log_lines import Position, ResumeFilter, parse_stamped_line, since_time
from .pod_status import container_status, container_step, has_previous
from .read_again import read_again
from .ring import cut_base
from .waiting import wait_for_pod_change

log = logging.getLogger(__name__)

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


class ContainerLog:
    def __init__(
        self,
        api: KubeApi,
        hub: LineHub,
        *,
        namespace: str,
        pod: str,
        container: str | None,
        previous: bool = False,
        kind: str,
        metrics: Metrics,
        slots: FollowSlots,
        prime_lines: int,
        max_line: int,
        labelled: bool = False,
        sticky: bool = True,
        on_ready: Callable[[], None] | None = None,
        on_capped: Callable[[bool], None] | None = None,
    ) -> None:
        self._api = api
        self._hub = hub
        self._namespace = namespace
        self._pod = pod
        self._wanted = container
        self._previous = previous
        self._kind = kind
        self._metrics = metrics
        self._slots = slots
        self._holds_slot = False
        self._prime_lines = prime_lines
        self._max_line = max_line
        #: Frames name their source (``pod/container``): several pods share the hub.
        self._labelled = labelled
        #: Conditions are the hub's state (heard by every new viewer), or one-off frames.
        self._sticky = sticky
        self._on_ready = on_ready
        #: Told True when this log starts waiting for a slot, False when that wait ends.
        self._on_capped = on_capped
        self._container: str | None = None
        self._cid: str | None = None
        self._done_cid: str | None = None
        self._position: Position | None = None
        self._primed = False
        self._registered = False
        self._stream_ended = False
        self._condition: str | None = None
        self._backoff = Backoff().retries()
        self._streams = metrics.upstream_streams.labels(kind)

    @property
    def label(self) -> str:
        return f"{self._pod}/{self._container or self._wanted or '?'}"

    @property
    def source(self) -> str | None:
        """The name its lines carry in the hub (``pod/container`` for ``pods`` logs)."""
        return self.label if self._labelled else None

    async def run(self) -> None:
        """Follow the log until cancelled (or, for ``previous``, until it is read)."""
        try:
            await self._run()
        finally:
            if self._holds_slot:
                self._holds_slot = False
                self._slots.give()
            if self._registered:
                self._hub.stop_source(self.source)

    async def _run(self) -> None:
        while True:
            try:
                pod = await self._api.get_pod(self._namespace, self._pod)
            except PodNotFound:
                self._set_condition(
                    "missing",
                    notice_payload(
                        "waiting",
                        f"pod {self._namespace}/{self._pod} does not exist (yet); waiting for it",
                    ),
                )
                await self._wait(None)
                continue
            except KubeUnavailable as exc:
                await self._trouble(exc)
                continue
            container = self._choose(pod)
            if self._previous:
                await self._read_previous(pod, container)
                return
            try:
                if await self._follow(pod, container):
                    self._backoff.reset()
            except (ContainerWaiting, PodNotFound):
                await self._wait(None)
            except KubeUnavailable as exc:
                await self._trouble(exc)

    # -- one pass ---------------------------------------------------------------------

    async def _follow(self, pod: Obj, container: str) -> bool:
        """Read what the pod's current state allows; True when lines could be read."""
        if not self._holds_slot:
            await self._take_slot()
            if self._condition == "capped":
                return False  # the pod may have changed while this waited: read it again
        step = container_step(
            container_status(pod, container), reading=self._cid, done=self._done_cid
        )
        cid = step.cid
        if cid is None:
            reason = step.waiting
            self._set_condition(
                f"waiting:{reason}",
                error_payload(
                    "container_waiting",
                    f"container {container} in pod {self._namespace}/{self._pod} "
                    f"is waiting to start: {reason}",
                ),
            )
            self._metrics.source_errors.labels(self._kind, "container_waiting").inc()
            await self._wait(_resource_version(pod))
            return False
        if step.restarted:
            self._hub.notice(
                "restarted",
                f"container {container} of pod {self._pod} restarted "
                f"(restart {step.restarts}); following the new one",
            )
            self._metrics.upstream_reconnects.labels("restarted").inc()
            self._position = None
        if step.read_already:
            await self._wait(_resource_version(pod))
            return False
        if self._cid == cid and self._stream_ended:
            self._metrics.upstream_reconnects.labels("ended").inc()
        self._stream_ended = False
        self._cid = cid
        self._set_condition(None, None)
        terminated = step.terminated
        if not self._primed:
            await self._prime(container)
            self._primed = True
            self._ready()
            if not terminated:
                return True
        await self._read(container, follow=not terminated)
        self._stream_ended = not terminated
        if terminated:
            self._done_cid = cid
            self._hub.notice(
                "terminated",
                f"container {container} of pod {self._pod} exited; waiting for it to restart",
            )
        return True

    async def _read_previous(self, pod: Obj, container: str) -> None:
        if not has_previous(container_status(pod, container)):
            raise NoPreviousContainer(
                f"container {container} in pod {self._namespace}/{self._pod} has not "
                "terminated before: there is no previous log"
            )
        self._hub.start_source(self.source, Position())
        await self._read(container, follow=False, previous=True)
        self._ready()

    async def _prime(self, container: str) -> None:
        """The last lines, published at once; then the source is the hub's to resume."""
        limit = self._prime_lines
        stream = await self._open(container, follow=False, tail_lines=limit)
        got: list[tuple[Position, str, str | None]] = []
        count = 0
        try:
            async for raw_lines in stream.batches():
                count += len(raw_lines)
                got += self._parse(raw_lines, ResumeFilter(None))
        finally:
            stream.close()
            self._streams.dec()
        base = Position()
        if count >= limit and got:
            # Earlier lines with the first timestamp may have been cut off: a position
            # counting only the ones read would be wrong elsewhere. Keep from the next.
            base = cut_base(got[0][0].ts)
            got = [line for line in got if line[0].ts > base.ts]
            if not got:
                self._position = base
        self._hub.start_source(self.source, base, self.fetch_after)
        self._registered = True
        self._hub.publish(self.source, [(p, t) for p, t, _ in got], [s for _, _, s in got])

    async def _open(self, container: str, **options: Any) -> LogStream:
        stream = await self._api.open_log(
            self._namespace, self._pod, container=container, **options
        )
        self._streams.inc()
        return stream

    async def _read(self, container: str, *, follow: bool, previous: bool = False) -> None:
        position = self._position
        since = None
        if position is not None and not previous:
            since = since_time(position.ts)
        stream = await self._open(container, follow=follow, previous=previous, since_time=since)
        try:
            resume = ResumeFilter(position if since else None)
            async for raw_lines in stream.batches():
                got = self._parse(raw_lines, resume)
                self._hub.publish(self.source, [(p, t) for p, t, _ in got], [s for _, _, s in got])
        finally:
            stream.close()
            self._streams.dec()

    def _parse(
        self, raw_lines: list[bytes], resume: ResumeFilter
    ) -> list[tuple[Position, str, str | None]]:
        """Lines not yet read, each with the position after it; advances ``_position``."""
        position = self._position or Position()
        got: list[tuple[Position, str, str | None]] = []
        for raw in raw_lines:
            ts, stamp, pieces = parse_stamped_line(
                raw, default_ts=position.ts, max_line=self._max_line
            )
            if not resume.fresh(ts):
                continue
            position = position.after(ts)
            got.extend((position, piece, stamp) for piece in pieces)
        if got:
            self._position = position
        return got

    async def fetch_after(self, position: Position, limit: int) -> Fetched:
        """This container's lines after ``position``, read again for a resume."""
        container = self._container
        if container is None:
            return Fetched([], reached=False)
        return await read_again(
            self._api,
            self._namespace,
            self._pod,
            container,
            position,
            limit=limit,
            max_line=self._max_line,
        )

    # -- choosing the container -------------------------------------------------------

    def _choose(self, pod: Obj) -> str:
        spec = pod.get("spec") or {}
        names = [c["name"] for c in spec.get("containers") or []]
        every = [
            c["name"]
            for key in ("initContainers", "containers", "ephemeralContainers")
            for c in spec.get(key) or []
        ]
        where = f"pod {self._namespace}/{self._pod}"
        if self._wanted:
            if self._wanted not in every:
                raise ContainerRequired(
                    f"{where} has no container {self._wanted!r}; it has: {', '.join(every)}",
                    code="container_not_found",
                )
            self._container = self._wanted
            return self._wanted
        default = ((pod.get("metadata") or {}).get("annotations") or {}).get(
            DEFAULT_CONTAINER_ANNOTATION
        )
        if default in every:
            self._container = default
        elif len(names) == 1:
            self._container = names[0]
        else:
            raise ContainerRequired(
                f"{where} has several containers; name one with 'container:' in the "
                f"catalog. Choose one of: {', '.join(every)}"
            )
        assert self._container is not None
        return self._container

    # -- conditions ---------------------------------------------------------------------

    def _set_condition(self, key: str | None, frame: bytes | None) -> None:
        if key == self._condition:
            return
        was = self._condition
        self._condition = key
        if frame is not None:
            if self._sticky:
                self._hub.set_state(frame)
            else:
                self._hub.send(frame)
            self._ready()
            return
        if self._sticky:
            self._hub.set_state(None)
        if was == "missing":
            self._hub.notice("created", f"pod {self._namespace}/{self._pod} now exists")
        elif was is not None:
            self._hub.notice("available", f"the log of {self.label} can be read now")

    async def _take_slot(self) -> None:
        if self._slots.full():
            self._set_condition(
                "capped",
                error_payload(
                    "stream_cap",
                    f"{self._slots.cap} pod logs are followed already (--max-pod-streams); "
                    f"the log of {self.label} is read when one of them ends",
                ),
            )
            self._metrics.source_errors.labels(self._kind, "stream_cap").inc()
            if self._on_capped is not None:
                self._on_capped(True)
            try:
                await self._slots.take()
            finally:
                if self._on_capped is not None:
                    self._on_capped(False)
        else:
            await self._slots.take()
        self._holds_slot = True

    async def _trouble(self, exc: KubeUnavailable) -> None:
        self._metrics.source_errors.labels(self._kind, exc.code).inc()
        log.warning("%s", exc, extra={"pod": f"{self._namespace}/{self._pod}"})
        self._set_condition(f"error:{exc}", error_payload(exc.code, str(exc)))
        self._metrics.upstream_reconnects.labels("error").inc()
        await self._backoff.wait(exc.retry_after)

    async def _wait(self, resource_version: str | None) -> None:
        try:
            changed = await wait_for_pod_change(
                self._api, self._namespace, self._pod, resource_version
            )
        except KubeUnavailable as exc:
            await self._trouble(exc)
            return
        if changed:
            self._backoff.reset()
        else:
            await self._backoff.wait()

    def _ready(self) -> None:
        if self._on_ready is not None:
            self._on_ready()
        else:
            self._hub.mark_ready()


def _resource_version(obj: Obj) -> str | None:
    value = (obj.get("metadata") or {}).get("resourceVersion")
    return str(value) if value else None
