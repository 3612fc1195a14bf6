"""A fake Kubernetes API server for tests, and the controls a test drives it with.

`FakeKubeAPI` serves the slice of the API the service uses (ConfigMaps, Pods, pods/log,
Events and Namespaces of core/v1; Deployments, StatefulSets and DaemonSets of apps/v1;
Jobs and CronJobs of batch/v1, with owner references) over real HTTP on 127.0.0.1,
with the API server's resourceVersion, watch and error semantics, so kubectl and
kubernetes-asyncio talk to it unchanged. Tests change
the cluster through plain methods (`create`, `append_log`, `restart_container`,
`compact`, `drop_watches`, ...) and observe it through counters they can await.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from . import event_views, objects
from .authorization import Authorizer
from .faults import Faults
from .log_requests import check_line, datetime_to_ns
from .logs import LogStore
from .server import create_app
from .statuses import StatusError
from .store import RESOURCES, Obj, Store

DEFAULT_USER = "system:serviceaccount:tailgate:tailgate"
_PLURALS = {r.kind: r.plural for r in RESOURCES.values()}


class FakeKubeAPI:
    """One fake cluster. Use `async with FakeKubeAPI() as kube:`; `kube.url` is its address."""

    def __init__(self, *, user: str = DEFAULT_USER, first_resource_version: int = 1000):
        self.store = Store(first_resource_version)
        self.logs = LogStore(self.notify)
        self.authorizer = Authorizer(user)
        self.requests: list[tuple[str, str]] = []
        """(method, path with query) of every request, oldest first."""
        self.faults = Faults()
        """Injected errors and delays (500, 429 with Retry-After, slow answers)."""
        self.hold_log_headers = False
        """Send pods/log headers only with the first byte, as a kubelet may do."""
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()
        for name in ("default", "kube-node-lease", "kube-public", "kube-system"):
            self.create(objects.namespace(name))

    # Lifecycle -------------------------------------------------------------------------

    async def start(self) -> str:
        self._runner = web.AppRunner(
            create_app(self), handler_cancellation=True, shutdown_timeout=2.0, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        self.drop_watches()
        self.drop_log_streams()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeKubeAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    # Objects ---------------------------------------------------------------------------

    def create(self, obj: Obj) -> Obj:
        """Store a new object (ADDED); pods' running containers get empty logs.

        A namespaced object's namespace is created first if it does not exist yet.
        """
        plural = _plural(obj)
        namespace = obj["metadata"].get("namespace", "")
        if RESOURCES[plural].namespaced:
            try:
                self.store.get("namespaces", "", namespace)
            except StatusError:
                self.store.create("namespaces", objects.namespace(namespace))
        created = self.store.create(plural, obj)
        self._after_pod_change(None, created)
        return created

    def update(self, obj: Obj) -> Obj:
        """Replace an object (MODIFIED). Send `resourceVersion` to get a 409 when stale."""
        plural = _plural(obj)
        meta = obj["metadata"]
        old = self.store.get(plural, meta.get("namespace", ""), meta["name"])
        updated = self.store.update(plural, obj)
        self._after_pod_change(old, updated)
        return updated

    def delete(self, kind: str, namespace: str, name: str) -> Obj:
        """Remove an object (DELETED); a deleted pod's log streams end."""
        plural = _PLURALS.get(kind, kind)
        old = self.store.delete(plural, namespace, name)
        self._after_pod_change(old, None)
        return old

    def record_event(self, event: Obj) -> Obj:
        """Store an ``events.k8s.io/v1`` Event (as the API server does, as a core one);
        returns it as ``events.k8s.io/v1`` shows it."""
        return event_views.to_events_v1(self.create(event_views.to_core(event)))

    def bump_event(
        self, namespace: str, name: str, *, observed: str, note: str | None = None
    ) -> Obj:
        """The event happened again: its ``series`` counts it and notes when (as
        client-go's event recorder does after the first repeat)."""
        core = self.store.get("events", namespace, name)
        series = core.get("series") or {"count": 1}
        core["series"] = {"count": series["count"] + 1, "lastObservedTime": observed}
        if note is not None:
            core["message"] = note
        core["metadata"].pop("resourceVersion", None)
        return event_views.to_events_v1(self.update(core))

    def get(self, kind: str, namespace: str, name: str) -> Obj:
        return self.store.get(_PLURALS.get(kind, kind), namespace, name)

    def _after_pod_change(self, old: Obj | None, new: Obj | None) -> None:
        if (new or old or {}).get("kind") == "Pod":
            running, stopped = _container_ids(new) if new else (set(), set())
            before, _ = _container_ids(old) if old else (set(), set())
            self.logs.reconcile(running, stopped | (before - running))
        self.notify()

    # Containers and logs ---------------------------------------------------------------

    def append_log(
        self,
        namespace: str,
        pod: str,
        container: str,
        *lines: str | bytes,
        at: datetime | int | None = None,
        previous: bool = False,
    ) -> None:
        """Write lines to a container's current log (or, with `previous`, the one before).

        `at` is a timezone-aware datetime or nanoseconds since the epoch; by default each
        line is stamped with the current time.
        """
        status = self._status(namespace, pod, container)
        if previous:
            cid = status["lastState"]["terminated"]["containerID"]
            log = self.logs.instance(cid)
            stamp = _ns(at)
            log.lines.extend(
                (time.time_ns() if stamp is None else stamp, check_line(t)) for t in lines
            )
            return
        if "running" not in status["state"]:
            raise ValueError(f"container {container} of pod {pod} is not running")
        self.logs.append(status["containerID"], lines, _ns(at))

    def start_container(self, namespace: str, pod: str, container: str) -> Obj:
        """A waiting container starts running, with an empty log."""
        return self.update(objects.with_container_started(self._pod(namespace, pod), container))

    def terminate_container(
        self, namespace: str, pod: str, container: str, exit_code: int = 0
    ) -> Obj:
        """The container exits: followed log streams reach EOF."""
        pod_obj = self._pod(namespace, pod)
        return self.update(objects.with_container_terminated(pod_obj, container, exit_code))

    def restart_container(
        self, namespace: str, pod: str, container: str, exit_code: int = 1
    ) -> Obj:
        """The container exits and starts again: its log becomes `previous`."""
        pod_obj = self._pod(namespace, pod)
        return self.update(objects.with_container_restarted(pod_obj, container, exit_code))

    def _pod(self, namespace: str, name: str) -> Obj:
        pod_obj = self.store.get("pods", namespace, name)
        pod_obj["metadata"].pop("resourceVersion", None)
        return pod_obj

    def _status(self, namespace: str, pod: str, container: str) -> Obj:
        for status in self.store.view("pods", namespace, pod)["status"]["containerStatuses"]:
            if status["name"] == container:
                return copy.deepcopy(status)
        raise KeyError(f"pod {namespace}/{pod} has no container {container}")

    # Disruptions -----------------------------------------------------------------------

    def drop_log_streams(self, *, broken: bool = False) -> None:
        """End every open pods/log stream, as the API server does after a few hours;
        ``broken``: drop the connections instead, with no final chunk."""
        self.logs.drop(broken=broken)

    def expire_watches(self) -> None:
        """Compact history and end every watch: resuming them gets 410 Expired."""
        self.compact()
        self.drop_watches()

    def drop_watches(self) -> None:
        """End every open watch cleanly, as an API server restart or rollout does."""
        self.store.close_watches()

    def compact(self) -> None:
        """Compact history: watches and lists from any older resourceVersion get 410."""
        self.store.compact()

    def send_bookmarks(self) -> None:
        """Send a BOOKMARK at the current resourceVersion to watches that allow them."""
        self.store.bookmark_all()

    def forbid(
        self, verb: str, resource: str, namespace: str | None = None, name: str | None = None
    ) -> None:
        """Answer matching requests with 403, e.g. `forbid("get", "pods/log", "web")`."""
        self.authorizer.forbid(verb, resource, namespace, name)

    def allow_all(self) -> None:
        self.authorizer.allow_all()

    # Observation -----------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        return self.store.resource_version

    @property
    def open_log_streams(self) -> int:
        return self.logs.open_streams

    @property
    def open_watches(self) -> int:
        return len(self.store.watchers)

    def notify(self) -> None:
        """Wake `wait_until` callers; called on every request and state change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 2.0) -> None:
        """Wait for `predicate()` to hold, re-checking on every change; TimeoutError after."""
        async with asyncio.timeout(timeout):
            while not predicate():
                await self._changed.wait()


def _plural(obj: Obj) -> str:
    try:
        return _PLURALS[obj["kind"]]
    except KeyError:
        raise ValueError(f"the fake does not serve kind {obj.get('kind')!r}") from None


def _container_ids(pod: Obj) -> tuple[set[str], set[str]]:
    """(running, stopped) container IDs named anywhere in a pod's container statuses."""
    running: set[str] = set()
    stopped: set[str] = set()
    for status in pod.get("status", {}).get("containerStatuses", []):
        state = status.get("state", {})
        if "running" in state:
            running.add(status["containerID"])
        if cid := state.get("terminated", {}).get("containerID"):
            stopped.add(cid)
        if cid := status.get("lastState", {}).get("terminated", {}).get("containerID"):
            stopped.add(cid)
    return running, stopped


def _ns(at: datetime | int | None) -> int | None:
    if at is None or isinstance(at, int):
        return at
    return datetime_to_ns(at)
