"""Discovery, live: the watches ``discover`` rules need, and the entries they make.

``WorkloadDiscovery`` follows the catalog in force: whenever its rules change it
works out the watches they need (``discovered.watch_plan``), keeps the ones it has,
starts the new ones and stops the rest, each a ``k8s.mirror.Mirror``. Whenever any
mirror changes, the entries are worked out again from everything the mirrors hold
(once per turn of the event loop, however many changes came in it) and handed to
the store, which puts them in force beside the explicit entries. A workload created,
changed or deleted is in the catalog, changed or gone within the watch's latency;
the store's listeners close the tails of entries that went or changed (4410).

Start-up waits (a bounded time) for the first lists, so that the first request
already sees every workload; a cluster that cannot be reached delays nothing longer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from ..backoff import Backoff
from ..errors import SourceError
from ..k8s.api import KubeApi, Obj
from ..k8s.config import KubeConnector
from ..k8s.mirror import Mirror
from ..metrics import Metrics
from .discovered import WatchPlan, discovered_entries, watch_plan
from .model import Catalog, DiscoverRule
from .store import CatalogStore

log = logging.getLogger(__name__)

#: Where each kind is served: (API group, plural).
KIND_RESOURCES = {
    "Deployment": ("apps", "deployments"),
    "StatefulSet": ("apps", "statefulsets"),
    "DaemonSet": ("apps", "daemonsets"),
    "Job": ("batch", "jobs"),
    "CronJob": ("batch", "cronjobs"),
}
#: Start-up waits at most this long for the first lists.
SYNC_WITHIN = 10.0

MirrorKey = tuple[str, str, str]  # ("workloads", kind, namespace) or ("namespaces", selector, "")


class WorkloadDiscovery:
    def __init__(
        self,
        connector: KubeConnector,
        store: CatalogStore,
        metrics: Metrics,
        *,
        backoff: Backoff | None = None,
    ) -> None:
        self._connector = connector
        self._store = store
        self._metrics = metrics
        self._backoff = backoff
        self._rules: tuple[DiscoverRule, ...] = ()
        self._mirrors: dict[MirrorKey, Mirror] = {}
        #: Mirrors the rules no longer need, kept until the new ones have listed: a rule
        #: that moves a kind to a cluster-wide watch must not drop its workloads meanwhile.
        self._retiring: dict[MirrorKey, Mirror] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._scheduled = False
        self._running = False
        self.plan = WatchPlan()
        metrics.discovery_failing.set_function(
            lambda: sum(m.failing for m in (*self._mirrors.values(), *self._retiring.values()))
        )

    async def start(self, sync_within: float = SYNC_WITHIN) -> None:
        """Follow the catalog's rules from now on; wait for the first lists."""
        self._running = True
        self._store.subscribe(self._on_catalog)
        self._follow(self._store.explicit.rules)
        await self.synced(sync_within)

    async def synced(self, within: float) -> bool:
        """Wait until every mirror has listed once; False (and a warning) after ``within``."""
        waits = [mirror.synced.wait() for mirror in self._mirrors.values()]
        try:
            async with asyncio.timeout(within):
                await asyncio.gather(*waits)
        except TimeoutError:
            late = [repr(m) for m in self._mirrors.values() if not m.synced.is_set()]
            log.warning("discovery: still waiting for the first list of %s", ", ".join(late))
            return False
        return True

    async def close(self) -> None:
        self._running = False
        mirrors = list(self._mirrors.values()) + list(self._retiring.values())
        self._mirrors, self._retiring = {}, {}
        for mirror in mirrors:
            await mirror.close()
        for task in list(self._closing):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def mirrors(self) -> list[Mirror]:
        return list(self._mirrors.values())

    def _on_catalog(self, _old: Catalog, new: Catalog) -> None:
        if self._running and new.rules != self._rules:
            self._follow(new.rules)

    def _follow(self, rules: tuple[DiscoverRule, ...]) -> None:
        self._rules = rules
        self.plan = watch_plan(rules)
        wanted: dict[MirrorKey, Mirror] = {}
        for kind, namespace in sorted(self.plan.workloads):
            group, plural = KIND_RESOURCES[kind]
            key = ("workloads", kind, namespace)
            wanted[key] = self._mirrors.get(key) or self._mirror(plural, namespace, group=group)
        for selector in sorted(self.plan.namespace_selectors):
            key = ("namespaces", selector, "")
            wanted[key] = self._mirrors.get(key) or self._mirror(
                "namespaces", "", label_selector=selector
            )
        for key, mirror in self._mirrors.items():
            if key not in wanted:
                self._retiring[key] = mirror
        for key in wanted:
            self._retiring.pop(key, None)
        self._mirrors = wanted
        self._schedule()

    def _retire(self) -> None:
        """Stop the mirrors of the previous rules, once the new ones all hold a list."""
        if not self._retiring or not all(m.synced.is_set() for m in self._mirrors.values()):
            return
        for mirror in self._retiring.values():
            task = asyncio.create_task(mirror.close(), name=f"closing {mirror!r}")
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        self._retiring = {}

    def _mirror(self, plural: str, namespace: str, **kw: str) -> Mirror:
        errors = self._metrics.discovery_errors

        def trouble(exc: SourceError) -> None:
            errors.labels(plural, exc.code).inc()

        mirror = Mirror(
            self._api,
            plural,
            namespace,
            on_change=self._schedule,
            on_trouble=trouble,
            backoff=self._backoff,
            **kw,
        )
        mirror.start()
        return mirror

    async def _api(self) -> KubeApi:
        return await self._connector.api()

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._recompute)

    def _recompute(self) -> None:
        self._scheduled = False
        if not self._running:
            return
        workloads: dict[str, list[Obj]] = {}
        selected: dict[str, frozenset[str]] = {}
        waiting = {key[:2] for key, mirror in self._mirrors.items() if not mirror.synced.is_set()}
        in_use = list(self._mirrors.items()) + [
            (key, mirror) for key, mirror in self._retiring.items() if key[:2] in waiting
        ]
        for (what, name, _), mirror in in_use:
            if what == "workloads":
                workloads.setdefault(name, []).extend(mirror.objects.values())
            else:
                selected[name] = selected.get(name, frozenset()) | {n for _, n in mirror.objects}
        entries, problems = discovered_entries(self._rules, _unique(workloads), selected)
        self._store.set_discovered(entries, problems)
        self._retire()


def _unique(workloads: dict[str, list[Obj]]) -> dict[str, Iterable[Obj]]:
    """One object per (namespace, name) of each kind, should two mirrors hold it."""
    return {
        kind: {(o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in objs}.values()
        for kind, objs in workloads.items()
    }
