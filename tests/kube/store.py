"""Objects, resourceVersions, history and watch fan-out: the fake's etcd and watch cache.

One counter stamps every change, as etcd's revision does, so resourceVersions are
comparable across kinds. Each change is kept in a history (with the object it replaced)
until `compact()`: watches replay it from their starting resourceVersion, and paginated
lists rebuild a consistent snapshot from it. A resourceVersion older than the compaction
point is gone, which is where the 410 `Expired` answers come from.

No I/O here: a `Watcher` is a bounded queue that the HTTP layer drains.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import event_views, objects, workloads
from .selectors import (
    COMMON_FIELDS,
    EVENT_FIELDS,
    JOB_FIELDS,
    NAMESPACE_FIELDS,
    POD_FIELDS,
    FieldGetter,
)
from .statuses import already_exists, conflict, list_expired, not_found, watch_expired

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace, name)


@dataclass(frozen=True)
class Resource:
    """One resource the fake serves: core/v1, apps/v1, batch/v1 or events.k8s.io/v1.

    A resource ``stored`` as another (events.k8s.io Events are core Events) converts
    objects with ``present`` on the way out and ``accept`` on the way in.
    """

    plural: str
    singular: str
    kind: str
    short_names: tuple[str, ...]
    fields: Mapping[str, FieldGetter]
    categories: tuple[str, ...] = ()
    namespaced: bool = True
    group: str = ""  # "" is the core group, served under /api/v1
    stored_as: str = ""  # the stored resource, when it is not ``plural`` itself
    present: Callable[[Obj], Obj] | None = None
    accept: Callable[[Obj], Obj] | None = None

    @property
    def api_version(self) -> str:
        return f"{self.group}/v1" if self.group else "v1"

    @property
    def stored(self) -> str:
        return self.stored_as or self.plural

    def shown(self, obj: Obj) -> Obj:
        return obj if self.present is None else self.present(obj)


RESOURCES: dict[str, Resource] = {
    r.plural: r
    for r in (
        Resource("configmaps", "configmap", "ConfigMap", ("cm",), COMMON_FIELDS),
        Resource("pods", "pod", "Pod", ("po",), POD_FIELDS, ("all",)),
        Resource("events", "event", "Event", ("ev",), EVENT_FIELDS),
        Resource("namespaces", "namespace", "Namespace", ("ns",), NAMESPACE_FIELDS, (), False),
        Resource(
            "deployments",
            "deployment",
            "Deployment",
            ("deploy",),
            COMMON_FIELDS,
            ("all",),
            group="apps",
        ),
        Resource(
            "statefulsets",
            "statefulset",
            "StatefulSet",
            ("sts",),
            COMMON_FIELDS,
            ("all",),
            group="apps",
        ),
        Resource(
            "daemonsets",
            "daemonset",
            "DaemonSet",
            ("ds",),
            COMMON_FIELDS,
            ("all",),
            group="apps",
        ),
        Resource("jobs", "job", "Job", (), JOB_FIELDS, ("all",), group="batch"),
        Resource("cronjobs", "cronjob", "CronJob", ("cj",), COMMON_FIELDS, ("all",), group="batch"),
    )
}
#: Every resource served, by (API group, plural): the stored ones and their other views.
SERVED: dict[tuple[str, str], Resource] = {
    **{(r.group, r.plural): r for r in RESOURCES.values()},
    ("events.k8s.io", "events"): Resource(
        "events",
        "event",
        "Event",
        ("ev",),
        event_views.EVENTS_V1_FIELDS,
        group="events.k8s.io",
        stored_as="events",
        present=event_views.to_events_v1,
        accept=event_views.to_core,
    ),
}
#: The API groups beside the core one, as discovery lists them.
GROUPS = ("apps", "batch", "events.k8s.io")


@dataclass(frozen=True)
class Change:
    rv: int
    resource: str
    type: str  # ADDED, MODIFIED, DELETED
    obj: Obj
    old: Obj | None


Matcher = Callable[[Obj], bool]


@dataclass(eq=False)
class Watcher:
    """One open watch: what it selects and the events waiting to be sent."""

    resource: Resource
    namespace: str  # "" for all namespaces
    matches: Matcher
    bookmarks: bool
    limit: int
    events: collections.deque[Obj] = field(default_factory=collections.deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False
    overflowed: bool = False

    def push(self, event: Obj) -> None:
        if self.closed:
            return
        if len(self.events) >= self.limit:
            # The real watch cache drops a watcher that cannot keep up; clients re-list.
            self.overflowed = True
            self.close()
            return
        self.events.append(event)
        self.wake.set()

    def close(self) -> None:
        self.closed = True
        self.wake.set()

    def offer(self, change: Change) -> None:
        """Queue the event this watcher should see for `change`, if any.

        Like the API server, an object that starts matching the selector arrives as
        ADDED and one that stops matching leaves as DELETED.
        """
        if change.resource != self.resource.stored:
            return
        if self.namespace and change.obj["metadata"]["namespace"] != self.namespace:
            return
        obj = self.resource.shown(change.obj)
        now = change.type != "DELETED" and self.matches(obj)
        before = change.old is not None and self.matches(self.resource.shown(change.old))
        if change.type == "DELETED":
            kind = "DELETED" if self.matches(obj) else None
        elif now and before:
            kind = "MODIFIED"
        elif now:
            kind = "ADDED"
        elif before:
            kind = "DELETED"
        else:
            kind = None
        if kind:
            self.push({"type": kind, "object": obj})

    def bookmark(self, rv: int, initial_events_end: bool = False) -> None:
        if not self.bookmarks:
            return
        metadata: Obj = {"resourceVersion": str(rv), "creationTimestamp": None}
        if initial_events_end:
            metadata["annotations"] = {"k8s.io/initial-events-end": "true"}
        obj: Obj = {
            "kind": self.resource.kind,
            "apiVersion": self.resource.api_version,
            "metadata": metadata,
        }
        if self.resource.plural == "pods":
            obj.update(spec={"containers": None}, status={})
        self.push({"type": "BOOKMARK", "object": obj})


class Store:
    """All objects of all resources, with one resourceVersion counter."""

    def __init__(self, first_resource_version: int = 1000, watch_queue_limit: int = 1000):
        self._rv = first_resource_version
        self._objects: dict[str, dict[Key, Obj]] = {name: {} for name in RESOURCES}
        self._history: list[Change] = []
        self._compacted = first_resource_version
        self._watchers: set[Watcher] = set()
        self.watch_queue_limit = watch_queue_limit

    @property
    def resource_version(self) -> int:
        return self._rv

    @property
    def compacted(self) -> int:
        """The oldest resourceVersion a watch or consistent list may still start from."""
        return self._compacted

    @property
    def watchers(self) -> frozenset[Watcher]:
        return frozenset(self._watchers)

    # Reads -----------------------------------------------------------------------------

    def get(self, resource: str, namespace: str, name: str) -> Obj:
        return copy.deepcopy(self.view(resource, namespace, name))

    def view(self, resource: str, namespace: str, name: str) -> Obj:
        """The stored object itself, not a copy: read it, never change it.

        For reads on every log line appended, where a copy of the whole pod would
        cost more than the rest of the fake's work together."""
        obj = self._objects[resource].get((namespace, name))
        if obj is None:
            raise not_found(resource, name)
        return obj

    def list(self, resource: str, namespace: str, at: int | None = None) -> list[Obj]:
        """Objects sorted by (namespace, name), now or as they were at resourceVersion `at`."""
        state = self._objects[resource] if at is None else self._state_at(resource, at)
        return [
            copy.deepcopy(obj)
            for key, obj in sorted(state.items())
            if not namespace or key[0] == namespace
        ]

    def _state_at(self, resource: str, rv: int) -> dict[Key, Obj]:
        if rv < self._compacted:
            raise list_expired()
        state = dict(self._objects[resource])
        for change in reversed(self._history):
            if change.rv <= rv:
                break
            if change.resource != resource:
                continue
            key = _key(change.obj)
            if change.type == "ADDED":
                state.pop(key, None)
            else:
                assert change.old is not None
                state[key] = change.old
        return state

    # Writes ----------------------------------------------------------------------------

    def create(self, resource: str, obj: Obj) -> Obj:
        obj = _typed(resource, obj)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        key = _key(obj)
        if key in self._objects[resource]:
            raise already_exists(resource, key[1])
        rv = self._next_rv()
        meta.update(
            uid=str(uuid.uuid4()),
            resourceVersion=str(rv),
            creationTimestamp=meta.get("creationTimestamp") or objects.timestamp(),
        )
        if resource == "jobs":
            workloads.default_job_selector(obj)
        self._objects[resource][key] = obj
        self._record(Change(rv, resource, "ADDED", obj, None))
        return copy.deepcopy(obj)

    def update(self, resource: str, obj: Obj) -> Obj:
        """Replace an object; a stale `metadata.resourceVersion` is a 409 Conflict."""
        obj = _typed(resource, obj)
        key = _key(obj)
        old = self._objects[resource].get(key)
        if old is None:
            raise not_found(resource, key[1])
        sent = obj["metadata"].get("resourceVersion")
        if sent and sent != old["metadata"]["resourceVersion"]:
            raise conflict(resource, key[1])
        rv = self._next_rv()
        for kept in ("uid", "creationTimestamp"):
            obj["metadata"][kept] = old["metadata"][kept]
        obj["metadata"]["resourceVersion"] = str(rv)
        self._objects[resource][key] = obj
        self._record(Change(rv, resource, "MODIFIED", obj, old))
        return copy.deepcopy(obj)

    def delete(self, resource: str, namespace: str, name: str) -> Obj:
        old = self._objects[resource].pop((namespace, name), None)
        if old is None:
            raise not_found(resource, name)
        rv = self._next_rv()
        # The DELETED event carries the object stamped with the deletion's revision.
        gone = copy.deepcopy(old)
        gone["metadata"]["resourceVersion"] = str(rv)
        self._record(Change(rv, resource, "DELETED", gone, old))
        return copy.deepcopy(gone)

    def compact(self) -> None:
        """Forget history: any resourceVersion before the current one is now too old."""
        self._history.clear()
        self._compacted = self._rv

    def _next_rv(self) -> int:
        self._rv += 1
        return self._rv

    def _record(self, change: Change) -> None:
        self._history.append(change)
        for watcher in list(self._watchers):
            watcher.offer(change)

    # Watches ---------------------------------------------------------------------------

    def watch(
        self,
        resource: str | Resource,
        namespace: str,
        matches: Matcher,
        since: int | None,
        *,
        bookmarks: bool = False,
        initial_events_end: bool = False,
    ) -> Watcher:
        """Open a watch. `since=None` starts with synthetic ADDED events for what exists.

        Registration and replay happen without yielding to the event loop, so no change
        can fall between the two.
        """
        served = RESOURCES[resource] if isinstance(resource, str) else resource
        watcher = Watcher(served, namespace, matches, bookmarks, self.watch_queue_limit)
        if since is None:
            for stored in self.list(served.stored, namespace):
                obj = served.shown(stored)
                if matches(obj):
                    watcher.push({"type": "ADDED", "object": obj})
            if initial_events_end:
                watcher.bookmark(self._rv, initial_events_end=True)
        elif since < self._compacted:
            watcher.push(
                {"type": "ERROR", "object": watch_expired(since, self._compacted).status()}
            )
            watcher.close()
            return watcher
        else:
            for change in self._history:
                if change.rv > since:
                    watcher.offer(change)
        self._watchers.add(watcher)
        return watcher

    def forget(self, watcher: Watcher) -> None:
        watcher.close()
        self._watchers.discard(watcher)

    def bookmark_all(self) -> None:
        for watcher in self._watchers:
            watcher.bookmark(self._rv)

    def close_watches(self) -> None:
        for watcher in list(self._watchers):
            watcher.close()

    def objects(self, resource: str) -> Iterator[Obj]:
        yield from (copy.deepcopy(o) for o in self._objects[resource].values())


def _typed(resource: str, obj: Obj) -> Obj:
    r = RESOURCES[resource]
    return {"kind": r.kind, "apiVersion": r.api_version, **copy.deepcopy(obj)}


def _key(obj: Obj) -> Key:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]
