"""From rules and what the cluster holds to catalog entries: the pure half of discovery.

``watch_plan`` says what a set of rules needs watched (which kinds, where, and which
namespace selectors); ``discovered_entries`` turns the workloads and the namespaces
those watches hold into ``pods`` entries (each with its ``events`` companion, the
Events about the workload, unless the rule says ``events: false``); ``merged`` puts
them beside the explicit
entries, which win. Every clash and every workload that cannot be an entry is a
problem in words, for the log and the Warning Event; nothing here does I/O.

The first rule that takes a workload makes its entry, and the first workload (rule
order, then kind order, then namespace and name) that gets an ID keeps it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .discover_rules import template_fields
from .model import (
    WORKLOAD_KINDS,
    Allow,
    Catalog,
    DiscoverRule,
    EventsSpec,
    LogEntry,
    PodsSpec,
    Workload,
)
from .parsing import DOT_SEGMENTS, ID_PATTERN
from .workload_pods import NoSelector, Obj, made_by_cronjob, pod_selector, title

#: A workload's companion log is its own ID with this after it.
EVENTS_SUFFIX = ".events"
#: Problems listed in full; the rest are counted (a cluster can hold thousands).
MAX_PROBLEMS = 20
EVERY_NAMESPACE = ""


@dataclass(frozen=True, slots=True)
class WatchPlan:
    """The watches a set of rules needs."""

    #: (kind, namespace), with EVERY_NAMESPACE for a cluster-wide watch.
    workloads: frozenset[tuple[str, str]] = frozenset()
    #: Label selectors of namespaces to watch.
    namespace_selectors: frozenset[str] = frozenset()


def _is_glob(namespace: str) -> bool:
    return "*" in namespace or "?" in namespace


def watch_plan(rules: Iterable[DiscoverRule]) -> WatchPlan:
    """Per-namespace watches for rules that name namespaces, cluster-wide ones otherwise."""
    wanted: set[tuple[str, str]] = set()
    selectors: set[str] = set()
    for rule in rules:
        if rule.namespace_selector is not None:
            selectors.add(rule.namespace_selector)
        everywhere = rule.namespace_selector is not None or any(map(_is_glob, rule.namespaces))
        for kind in rule.kinds:
            if everywhere:
                wanted.add((kind, EVERY_NAMESPACE))
            else:
                wanted.update((kind, namespace) for namespace in rule.namespaces)
    cluster_wide = {kind for kind, namespace in wanted if namespace == EVERY_NAMESPACE}
    kept = {(k, ns) for k, ns in wanted if ns == EVERY_NAMESPACE or k not in cluster_wide}
    return WatchPlan(frozenset(kept), frozenset(selectors))


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if self.count <= MAX_PROBLEMS:
            self.items.append(message)

    def listed(self) -> list[str]:
        more = self.count - len(self.items)
        return self.items + ([f"and {more} more discovery problem(s)"] if more else [])


def fill(template: str, values: Mapping[str, str]) -> str:
    """A template ``discover_rules`` accepted, with its fields filled in."""
    pairs = template_fields(template) or []
    return "".join(literal + (values[field] if field else "") for literal, field in pairs)


def _takes(rule: DiscoverRule, namespace: str, selected: Mapping[str, frozenset[str]]) -> bool:
    if rule.namespace_selector is not None:
        return namespace in selected.get(rule.namespace_selector, frozenset())
    return any(fnmatch.fnmatchcase(namespace, pattern) for pattern in rule.namespaces)


def _allow(rule: DiscoverRule, namespace: str) -> Allow | None:
    if rule.allow is None:
        return None
    values = {"namespace": namespace}
    return Allow(
        groups=tuple(fill(g, values) for g in rule.allow.groups),
        users=tuple(fill(u, values) for u in rule.allow.users),
    )


def discovered_entries(
    rules: Iterable[DiscoverRule],
    workloads: Mapping[str, Iterable[Obj]],
    selected: Mapping[str, frozenset[str]],
) -> tuple[dict[str, LogEntry], list[str]]:
    """The entries ``rules`` make of ``workloads`` (by kind), and the problems met.

    ``selected`` maps each namespace selector to the namespaces it matches now.
    """
    by_kind = {
        kind: sorted(
            workloads.get(kind, ()),
            key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]),
        )
        for kind in WORKLOAD_KINDS
    }
    entries: dict[str, LogEntry] = {}
    taken: set[Workload] = set()
    problems = _Problems()
    for rule in rules:
        for kind in rule.kinds:
            for obj in by_kind[kind]:
                namespace, name = obj["metadata"].get("namespace", ""), obj["metadata"]["name"]
                workload = Workload(kind, namespace, name)
                if workload in taken or not _takes(rule, namespace, selected):
                    continue
                taken.add(workload)
                entry = _entry(rule, workload, obj, problems)
                if entry is None:
                    continue
                made = [entry]
                if rule.events:
                    made += _companion(entry, workload, problems)
                for one in made:
                    first = entries.get(one.id)
                    if first is not None:
                        problems.add(
                            f"{one.title} would be log {one.id!r}, which {first.title} "
                            "already is; only the first is listed"
                        )
                        continue
                    entries[one.id] = one
    return entries, problems.listed()


def _companion(entry: LogEntry, workload: Workload, problems: _Problems) -> list[LogEntry]:
    """The ``events`` log beside a workload's: the Events about the workload itself."""
    log_id = f"{entry.id}{EVENTS_SUFFIX}"
    named = f"{entry.title}: events"
    if not ID_PATTERN.fullmatch(log_id):
        problems.add(
            f"{named} is not listed: its id {log_id!r} is longer than a log ID may be "
            "(63 characters); shorten the rule's 'id' template or set 'events: false'"
        )
        return []
    source = EventsSpec(workload.namespace, workload.kind, workload.name)
    return [LogEntry(log_id, named, source, entry.allow, workload=workload)]


def _entry(
    rule: DiscoverRule, workload: Workload, obj: Obj, problems: _Problems
) -> LogEntry | None:
    kind, namespace, name = workload.kind, workload.namespace, workload.name
    named = title(kind, namespace, name)
    if kind == "Job" and made_by_cronjob(obj):
        return None
    try:
        selector = pod_selector(kind, obj)
    except NoSelector as exc:
        problems.add(f"{named} is not listed: {exc}")
        return None
    values = {"namespace": namespace, "name": name, "kind": kind.lower()}
    log_id = fill(rule.id_template, values)
    if not ID_PATTERN.fullmatch(log_id) or log_id in DOT_SEGMENTS:
        problems.add(
            f"{named} is not listed: its id {log_id!r} is not a valid log ID "
            "(1-63 characters of a-z 0-9 . _ -); shorten the rule's 'id' template"
        )
        return None
    source = PodsSpec(namespace, selector)
    return LogEntry(
        log_id, named, source, _allow(rule, namespace), count=rule.count, workload=workload
    )


def merged(explicit: Catalog, discovered: Mapping[str, LogEntry]) -> tuple[Catalog, list[str]]:
    """The explicit catalog with the discovered entries beside it; explicit IDs win."""
    entries = dict(explicit.entries)
    problems = _Problems()
    for log_id, entry in discovered.items():
        if log_id in entries:
            problems.add(
                f"{entry.title} would be log {log_id!r}, which an explicit entry of the "
                "catalog already is; the explicit entry stays"
            )
            continue
        entries[log_id] = entry
    return Catalog(entries, explicit.rules), problems.listed()
