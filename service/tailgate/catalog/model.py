"""The catalog as data: immutable, compared by value, so reloads can tell what changed."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Allow:
    """A log's ``allow`` rule as written; ``tailgate.auth.access`` applies it."""

    groups: tuple[str, ...] = ()
    users: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileSpec:
    path: str
    follow: str = "auto"

    kind = "file"


@dataclass(frozen=True, slots=True)
class PodSpec:
    """One pod's log (one container; ``previous`` reads the last terminated run)."""

    namespace: str
    name: str
    container: str | None = None
    previous: bool = False

    kind = "pod"


@dataclass(frozen=True, slots=True)
class PodsSpec:
    """The merged logs of every pod a label selector matches, as pods come and go."""

    namespace: str
    selector: str
    container: str | None = None

    kind = "pods"


@dataclass(frozen=True, slots=True)
class EventsSpec:
    """The Kubernetes Events of a namespace, as lines; ``involved_*`` narrow them to the
    Events about one object (``regarding`` in events.k8s.io/v1)."""

    namespace: str
    involved_kind: str | None = None
    involved_name: str | None = None

    kind = "events"


SourceSpec = FileSpec | PodSpec | PodsSpec | EventsSpec

#: The workload kinds a ``discover`` rule may name, in the order entries are made.
WORKLOAD_KINDS: tuple[str, ...] = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
DEFAULT_ID_TEMPLATE = "{namespace}.{name}"


@dataclass(frozen=True, slots=True)
class DiscoverRule:
    """A ``discover`` rule: workloads of ``kinds`` in some namespaces become ``pods`` logs.

    The namespaces are ``namespaces`` (names or globs) or, when that is empty, those
    whose labels match ``namespace_selector``. ``id_template`` and the names in
    ``allow`` may use ``{namespace}``; the template also ``{name}`` and ``{kind}``.
    """

    namespaces: tuple[str, ...] = ()
    namespace_selector: str | None = None
    kinds: tuple[str, ...] = WORKLOAD_KINDS
    id_template: str = DEFAULT_ID_TEMPLATE
    allow: Allow | None = None
    #: ``count`` for every log the rule makes (see ``LogEntry.count``).
    count: tuple[tuple[str, str], ...] = ()
    #: Each workload also gets a companion log, ``{id}.events``: the Events about it.
    events: bool = True


@dataclass(frozen=True, slots=True)
class Workload:
    """The workload a discovered entry stands for."""

    kind: str
    namespace: str
    name: str


@dataclass(frozen=True, slots=True)
class LogEntry:
    id: str
    title: str
    source: SourceSpec
    allow: Allow | None = None
    #: ``count``: (name, RE2 pattern) pairs whose matching lines are counted (counting.py).
    count: tuple[tuple[str, str], ...] = ()
    #: Set on entries a ``discover`` rule made.
    workload: Workload | None = None

    @property
    def kind(self) -> str:
        return self.source.kind


@dataclass(frozen=True, slots=True)
class Catalog:
    entries: dict[str, LogEntry] = field(default_factory=dict)
    rules: tuple[DiscoverRule, ...] = ()

    def get(self, log_id: str) -> LogEntry | None:
        return self.entries.get(log_id)

    def __len__(self) -> int:
        return len(self.entries)

    def other_files(self, log_id: str) -> frozenset[str]:
        """The files of every file log but ``log_id``: never one of its rotated copies."""
        return frozenset(
            os.path.normpath(other.source.path)
            for other in self.entries.values()
            if other.id != log_id and isinstance(other.source, FileSpec)
        )

    def changed_ids(self, newer: Catalog) -> set[str]:
        """IDs whose tails must end under ``newer``: removed, or naming another source."""
        gone = set()
        for log_id, entry in self.entries.items():
            other = newer.entries.get(log_id)
            if other is None or other.source != entry.source:
                gone.add(log_id)
        return gone
