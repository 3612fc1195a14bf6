"""Every pod a label selector matches, merged into one hub as pods come and go.

The set lists the pods, then watches them from the list's resourceVersion. Each
matching pod gets its own ``ContainerLog`` (frames name their ``pod/container``);
a pod that joins or leaves is announced with a ``joined`` or ``left`` notice. A watch
the server ends is resumed from the last resourceVersion seen; a 410 (history
compacted) lists again and reconciles. Problems with one pod (container name needed,
container still starting) are told to viewers and do not stop the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from ..backoff import Backoff
from ..errors import SourceError
from ..k8s.api import KubeApi, Obj
from ..k8s.errors import KubeForbidden, KubeUnavailable
from ..k8s.watching import watch_until_gone
from ..metrics import Metrics
from ..streaming.frames import error_payload
from .container_log import ContainerLog
from .follow_slots import FollowSlots
from .hub import LineHub
from .pod_status import alive

log = logging.getLogger(__name__)

#: New viewers wait at most this long for the first pods' backlogs.
READY_WITHIN = 5.0


class PodSet:
    def __init__(
        self,
        api: KubeApi,
        hub: LineHub,
        *,
        namespace: str,
        selector: str,
        container: str | None,
        metrics: Metrics,
        slots: FollowSlots,
        prime_lines: int,
        max_line: int,
    ) -> None:
        self._api = api
        self._hub = hub
        self._namespace = namespace
        self._selector = selector
        self._container = container
        self._metrics = metrics
        self._slots = slots
        self._capped = 0
        self._prime_lines = prime_lines
        self._max_line = max_line
        self._followers: dict[str, tuple[ContainerLog, asyncio.Task[None]]] = {}
        self._leaving: set[asyncio.Task[None]] = set()
        self._backoff = Backoff().retries()

    async def run(self) -> None:
        try:
            await self._run()
        finally:
            await self._stop_all()

    async def _run(self) -> None:
        first = True
        while True:
            try:
                items, rv = await self._api.list(
                    "pods", self._namespace, label_selector=self._selector
                )
            except KubeUnavailable as exc:
                self._hub.send(error_payload(exc.code, str(exc)))
                self._hub.mark_ready()
                await self._backoff.wait(exc.retry_after)
                continue
            names = {p["metadata"]["name"] for p in items if alive(p)}
            for name in sorted(set(self._followers) - names):
                await self._leave(name)
            waits = [self._join(name, announce=not first) for name in sorted(names)]
            if first:
                first = False
                await self._until_ready(waits)
            await self._watch(rv)  # returns on 410: list again

    async def _watch(self, rv: str) -> None:
        """Watch from ``rv`` until a 410; a watch the server ends is resumed where it was."""
        await watch_until_gone(
            lambda at: self._api.watch(
                "pods", self._namespace, resource_version=at, label_selector=self._selector
            ),
            rv,
            lambda event: self._on_event(event.type, event.object),
            retries=self._backoff,
            metrics=self._metrics,
        )

    def _on_event(self, kind: str, pod: Obj) -> None:
        if kind == "BOOKMARK":
            return
        name = pod.get("metadata", {}).get("name", "")
        if kind == "DELETED" or not alive(pod):
            if name in self._followers:
                self._forget(name)
            return
        if name not in self._followers:
            self._join(name, announce=True)

    def _join(self, name: str, *, announce: bool) -> asyncio.Event:
        ready = asyncio.Event()
        if name in self._followers:
            ready.set()
            return ready
        follower = ContainerLog(
            self._api,
            self._hub,
            namespace=self._namespace,
            pod=name,
            container=self._container,
            kind="pods",
            metrics=self._metrics,
            slots=self._slots,
            prime_lines=self._prime_lines,
            max_line=self._max_line,
            labelled=True,
            sticky=False,
            on_ready=ready.set,
            on_capped=self._count_capped,
        )
        if announce:
            self._hub.notice("joined", f"pod {name} joined")
        task = asyncio.create_task(self._follow(follower, ready), name=f"pod log {name}")
        self._followers[name] = (follower, task)
        return ready

    def _count_capped(self, capped: bool) -> None:
        """The log's state names the cap while any of its pods waits for a slot, so
        viewers who come later hear of it too (each pod's own frame is for those here)."""
        self._capped += 1 if capped else -1
        if capped and self._capped == 1:
            self._hub.set_state(
                error_payload(
                    "stream_cap",
                    f"some pods matching {self._selector} are not followed: "
                    f"{self._slots.cap} pod logs are followed already (--max-pod-streams); "
                    "each is read when a slot frees up",
                )
            )
        elif not capped and self._capped == 0:
            self._hub.set_state(None)

    async def _follow(self, follower: ContainerLog, ready: asyncio.Event) -> None:
        try:
            await follower.run()
        except KubeForbidden as exc:
            # The same permission is missing for every pod: the whole source fails.
            self._hub.fail(exc)
        except SourceError as exc:
            self._metrics.source_errors.labels("pods", exc.code).inc()
            self._hub.send(error_payload(exc.code, str(exc)))
        except Exception:
            log.exception("following %s failed", follower.label)
            self._hub.send(error_payload("internal", f"following {follower.label} failed"))
        finally:
            ready.set()

    def _forget(self, name: str) -> None:
        _, task = self._followers.pop(name)
        task.cancel()
        self._hub.notice("left", f"pod {name} left")
        # The task closes its stream as it unwinds; ``_stop_all`` awaits what remains.
        self._leaving.add(task)
        task.add_done_callback(self._leaving.discard)

    async def _leave(self, name: str) -> None:
        _, task = self._followers.pop(name)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._hub.notice("left", f"pod {name} left")

    async def _until_ready(self, waits: list[asyncio.Event]) -> None:
        if waits:
            gather = asyncio.gather(*(w.wait() for w in waits))
            try:
                async with asyncio.timeout(READY_WITHIN):
                    await gather
            except TimeoutError:
                log.warning("some pods of %s were slow to start", self._selector)
        self._hub.mark_ready()

    async def _stop_all(self) -> None:
        tasks = [task for _, task in self._followers.values()] + list(self._leaving)
        self._followers.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
