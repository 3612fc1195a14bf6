"""A collection of the API server kept live in memory: list, then watch, for ever.

Discovery needs to know, at every moment, every workload of some kinds and every
namespace a selector matches. A ``Mirror`` lists the collection, watches it from the
list's resourceVersion, resumes a watch the server ended from the last
resourceVersion it saw, and lists again on a 410 (history compacted), replacing its
copy with what the list holds in one step: a workload is never dropped for the
length of a relist, and one deleted meanwhile leaves with it. Failures are retried
with the one backoff policy; every change calls ``on_change``, every failure
``on_trouble`` (and ``failing`` says whether the last attempt failed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from ..backoff import Backoff
from ..errors import SourceError
from .api import KubeApi, Obj
from .errors import Gone

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (namespace, name)


def _key(obj: Obj) -> Key:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace", "")), str(meta.get("name", ""))


class Mirror:
    """The objects of one collection (``plural`` in ``namespace``, "" for all), live."""

    def __init__(
        self,
        api: Callable[[], Awaitable[KubeApi]],
        plural: str,
        namespace: str,
        *,
        group: str = "",
        label_selector: str | None = None,
        on_change: Callable[[], None] = lambda: None,
        on_trouble: Callable[[SourceError], None] = lambda _: None,
        backoff: Backoff | None = None,
    ) -> None:
        self._api = api
        self.plural = plural
        self.namespace = namespace
        self.group = group
        self.label_selector = label_selector
        self._on_change = on_change
        self._on_trouble = on_trouble
        #: The last list or watch failed (and is being retried).
        self.failing = False
        self._retries = (backoff or Backoff()).retries()
        self.objects: dict[Key, Obj] = {}
        #: Set once the first list has been read.
        self.synced = asyncio.Event()
        self.lists = 0
        self._rv = ""
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        where = self.namespace or "every namespace"
        selected = f" ({self.label_selector})" if self.label_selector else ""
        return f"{self.plural} in {where}{selected}"

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"mirror of {self!r}")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                api = await self._api()
                news = False
                if not self._rv:
                    await self._list(api)
                    news = True
                news = await self._watch(api) or news
                if news:
                    self._retries.reset()
                else:
                    # A watch that ends at once with nothing must not become a busy loop.
                    await self._retries.wait()
            except Gone:
                log.info("the watch of %s expired; listing it again", self)
                self._rv = ""
            except SourceError as exc:
                log.warning("watching %s: %s", self, exc)
                self.failing = True
                self._on_trouble(exc)
                await self._retries.wait(getattr(exc, "retry_after", 0.0))

    async def _list(self, api: KubeApi) -> None:
        items, rv = await api.list(
            self.plural, self.namespace, group=self.group, label_selector=self.label_selector
        )
        self.objects = {_key(item): item for item in items}
        self._rv = rv
        self.lists += 1
        self.failing = False
        self.synced.set()
        self._on_change()

    async def _watch(self, api: KubeApi) -> bool:
        """Follow one watch request to its end; True if it brought any event."""
        news = False
        async with api.watch(
            self.plural,
            self.namespace,
            group=self.group,
            resource_version=self._rv,
            label_selector=self.label_selector,
        ) as events:
            self.failing = False
            async for event in events:
                news = True
                self._rv = event.resource_version or self._rv
                if event.type in ("ADDED", "MODIFIED"):
                    self.objects[_key(event.object)] = event.object
                elif event.type == "DELETED":
                    self.objects.pop(_key(event.object), None)
                else:
                    continue  # BOOKMARK: only the resourceVersion moves
                self._on_change()
        return news
