"""The catalog from a ConfigMap: read at start, then watched for changes.

The ConfigMap is read once before the server starts (an unreadable or invalid one
stops the start, as a bad catalog file does), then watched from the list's
resourceVersion. Each change goes through the same ``CatalogStore.offer`` as a
reloaded file: a valid one takes effect at once (tails of removed or changed IDs end
with 4410), an invalid one is refused and the last good catalog stays. A refusal is
also recorded as a Kubernetes Event on the ConfigMap, so ``kubectl describe``
shows why an edit did not take; so are the problems of ``discover`` rules (IDs that
clash with explicit entries, workloads that cannot be listed), as the cluster
changes. A watch the server ends is resumed from the last
resourceVersion; a 410 lists again; failures are retried with a growing pause.

Parsing the ConfigMap's keys as a catalog and checking it run in a worker thread
(``CatalogStore.reload_from``), so a large catalog never stalls the event loop.
Events are handled one after another by the watch task, so edits apply in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
import time

from ..backoff import Backoff
from ..errors import ConfigError, SourceError
from ..k8s.api import KubeApi, Obj
from ..k8s.config import KubeConnector
from ..k8s.errors import Gone
from .configmap_keys import CatalogParts
from .store import CatalogStore

log = logging.getLogger(__name__)

EVENT_REASON = "CatalogRejected"
#: The reason of Events about ``discover`` rules' problems (clashes, unlisted workloads).
PROBLEM_REASON = "CatalogProblem"
#: Event messages are capped by the API server at 1 KiB.
MAX_EVENT_MESSAGE = 1024


class ConfigMapCatalog:
    def __init__(
        self, connector: KubeConnector, store: CatalogStore, namespace: str, name: str
    ) -> None:
        self._connector = connector
        self._store = store
        self.namespace = namespace
        self.name = name
        self._field = f"metadata.name={name}"
        self._last_parts: CatalogParts | None = None
        self._rv = ""
        self._task: asyncio.Task[None] | None = None
        self._backoff = Backoff().retries()
        self._api: KubeApi | None = None
        self._configmap: Obj | None = None
        self._recording: set[asyncio.Task[None]] = set()
        store.subscribe_problems(self._on_problems)

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"

    async def load(self) -> None:
        """Read the ConfigMap and put its catalog in force; ConfigError if that fails."""
        try:
            api = await self._connector.api()
            items, self._rv = await api.list(
                "configmaps", self.namespace, field_selector=self._field
            )
        except SourceError as exc:
            raise ConfigError([f"ConfigMap {self.ref}: cannot read it: {exc}"]) from exc
        if not items:
            raise ConfigError([f"ConfigMap {self.ref} does not exist"])
        self._api, self._configmap = api, items[0]
        try:
            await self._offer(api, items[0])
        except ConfigError:
            await self._record_refusal(api, items[0])
            raise

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch(), name=f"catalog configmap {self.ref}")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._recording):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _on_problems(self, problems: list[str]) -> None:
        """Discovery's problems, as a Warning Event on the ConfigMap like a refusal."""
        if self._api is None or self._configmap is None:
            return
        message = _capped("catalog problems, the explicit entries stay: " + "; ".join(problems))
        event = refusal_event(self._configmap, message, PROBLEM_REASON)
        task = asyncio.create_task(self._create_event(self._api, event), name="catalog event")
        self._recording.add(task)
        task.add_done_callback(self._recording.discard)

    async def _create_event(self, api: KubeApi, event: Obj) -> None:
        try:
            await api.create_event(self.namespace, event)
        except SourceError as exc:
            log.warning("could not record an Event on %s: %s", self.ref, exc)

    async def _watch(self) -> None:
        api = await self._connector.api()
        while True:
            news = False
            try:
                async with api.watch(
                    "configmaps",
                    self.namespace,
                    resource_version=self._rv,
                    field_selector=self._field,
                ) as events:
                    async for event in events:
                        news = True
                        self._rv = event.resource_version or self._rv
                        if event.type in ("ADDED", "MODIFIED"):
                            await self._offer(api, event.object)
                        elif event.type == "DELETED":
                            log.warning(
                                "the catalog ConfigMap %s was deleted; keeping the last catalog",
                                self.ref,
                            )
            except Gone:
                log.info("the catalog watch expired; reading %s again", self.ref)
                news = await self._relist(api)
            except SourceError as exc:
                log.warning("watching the catalog ConfigMap %s: %s", self.ref, exc)
            if news:
                self._backoff.reset()
            else:
                await self._backoff.wait()

    async def _relist(self, api: KubeApi) -> bool:
        try:
            items, self._rv = await api.list(
                "configmaps", self.namespace, field_selector=self._field
            )
        except SourceError as exc:
            log.warning("reading the catalog ConfigMap %s: %s", self.ref, exc)
            self._rv = ""
            return False
        if items:
            await self._offer(api, items[0])
        return True

    async def _offer(self, api: KubeApi, configmap: Obj) -> None:
        self._configmap = configmap
        parts = CatalogParts.of(configmap.get("data") or {})
        if parts == self._last_parts:
            return
        self._last_parts = parts
        await self._store.reload_from(
            functools.partial(parts.parse, self.ref), parts.origin(self.ref)
        )
        if self._store.last_error is not None:
            await self._record_refusal(api, configmap)

    async def _record_refusal(self, api: KubeApi, configmap: Obj) -> None:
        reason = self._store.last_error or "invalid catalog"
        message = _capped(f"catalog refused, the last good one stays in force: {reason}")
        await self._create_event(api, refusal_event(configmap, message))


def _capped(message: str) -> str:
    if len(message) > MAX_EVENT_MESSAGE:
        return message[: MAX_EVENT_MESSAGE - 1] + "…"
    return message


def refusal_event(configmap: Obj, message: str, reason: str = EVENT_REASON) -> Obj:
    meta = configmap.get("metadata") or {}
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    involved = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": meta.get("name", ""),
        "namespace": meta.get("namespace", ""),
    }
    for key in ("uid", "resourceVersion"):
        if meta.get(key):
            involved[key] = meta[key]
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": f"{involved['name']}.{time.time_ns():x}",
            "namespace": involved["namespace"],
        },
        "involvedObject": involved,
        "reason": reason,
        "message": message,
        "type": "Warning",
        "source": {"component": "tailgate"},
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "reportingComponent": "tailgate",
        "reportingInstance": socket.gethostname(),
    }
