"""Reading a catalog document and checking every part of it, with line numbers.

The YAML is composed into nodes (not loaded straight to Python values) so that each
problem can say where it is. All problems are collected, so ``tailgate check-config``
lists every one at once instead of stopping at the first.

Whoever edits the catalog is trusted with the logs, not with the process, so a
document must not be able to cost more than its size: see ``yaml_document``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import yaml

from ..errors import ConfigError
from .allow_node import allow_rule
from .counts import parse_counts
from .discover_rules import discover_rules
from .event_specs import events_spec
from .model import Catalog, DiscoverRule, FileSpec, LogEntry, SourceSpec
from .pod_specs import pod_spec, pods_spec
from .yaml_document import yaml_document
from .yaml_nodes import NULL, Problems, duplicate_keys, scalar

ID_PATTERN = re.compile(r"[a-z0-9._-]{1,63}")
#: IDs are a URL path segment (``/ws/tail/{id}``, ``/api/logs/{id}``); browsers and
#: HTTP clients resolve these two away before the request is sent, even percent-encoded.
DOT_SEGMENTS = (".", "..")
FOLLOW_MODES = ("auto", "poll")
ENTRY_KEYS = ("id", "title", "file", "follow", "allow", "pod", "pods", "events", "count")
SOURCE_KEYS = ("file", "pod", "pods", "events")
MAX_TITLE = 200


def parse_catalog(text: str, name: str = "catalog") -> Catalog:
    """Parse and validate a catalog document; raises ConfigError listing every problem."""
    problems = Problems(name)
    entries: dict[str, LogEntry] = {}
    rules: list[DiscoverRule] = []
    _document(text, name, problems, entries, {}, rules)
    if problems.count:
        raise ConfigError(problems.listed())
    return Catalog(entries, tuple(rules))


def parse_catalog_parts(
    text: str | None, name: str, short: Mapping[str, str], short_name: str
) -> Catalog:
    """A catalog document (or none) and short entries given beside it, as one catalog.

    That is what a ConfigMap holds (``configmap_keys``): ``short`` maps IDs to file
    paths, named ``short_name`` in problems, by key, since they have no lines. The
    document is read once, by the same parser and limits as a catalog file, and its
    problems keep its lines. Problems in both parts are all listed, as are IDs that
    both give.
    """
    entries: dict[str, LogEntry] = {}
    first_seen: dict[str, int] = {}
    rules: list[DiscoverRule] = []
    listed: list[str] = []
    if text is not None:
        document = Problems(name)
        try:
            _document(text, name, document, entries, first_seen, rules)
            listed = document.listed()
        except ConfigError as exc:
            listed = exc.problems
    keys = Problems(short_name)
    for log_id, path in short.items():
        where = f"key {log_id!r}"
        if not _valid_id(log_id, None, where, keys):
            continue
        problem = _path_problem(path)
        if problem is not None:
            keys.add(None, where, problem)
        elif log_id in entries:
            first = first_seen[log_id]
            keys.add(None, where, f"duplicate id {log_id!r} (first at line {first} of {name})")
        else:
            entries[log_id] = LogEntry(log_id, log_id, FileSpec(path))
    if listed or keys.count:
        raise ConfigError(listed + keys.listed())
    return Catalog(entries, tuple(rules))


def _document(
    text: str,
    name: str,
    problems: Problems,
    entries: dict[str, LogEntry],
    first_seen: dict[str, int],
    rules: list[DiscoverRule],
) -> None:
    """Adds the document's entries and rules; ConfigError when it cannot be read as a catalog."""
    root = yaml_document(text, name)
    if root is None:
        raise ConfigError([f"{name}: the catalog is empty; it needs a 'logs' or 'discover' key"])
    duplicate_keys(root, problems)
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError([f"{name}:{root.start_mark.line + 1}: the catalog must be a mapping"])
    logs_node: yaml.Node | None = None
    discover_node: yaml.Node | None = None
    for key_node, value_node in root.value:
        key = scalar(key_node)
        if key == "logs":
            logs_node = value_node
        elif key == "discover":
            discover_node = value_node
        else:
            problems.add(
                key_node, "", f"unknown key {key!r} (the catalog has only 'logs' and 'discover')"
            )
    if discover_node is not None:
        rules.extend(discover_rules(discover_node, problems))
    if logs_node is None:
        if discover_node is None:
            problems.add(root, "", "missing key 'logs' (or 'discover')")
    elif isinstance(logs_node, yaml.SequenceNode):
        for index, item in enumerate(logs_node.value):
            entry = _entry(item, f"logs[{index}]", problems)
            if entry is not None:
                _add(entries, first_seen, entry, item, f"logs[{index}]", problems)
    elif isinstance(logs_node, yaml.MappingNode):
        # The short form: ID to file path.
        for key_node, value_node in logs_node.value:
            log_id = scalar(key_node)
            where = f"logs.{log_id}"
            if not isinstance(value_node, yaml.ScalarNode) or value_node.tag == NULL:
                problems.add(value_node, where, "must be a file path")
                continue
            if not _valid_id(log_id, key_node, where, problems):
                continue
            path = _file_path(value_node, where, problems)
            if path is not None:
                entry = LogEntry(log_id, log_id, FileSpec(path))
                _add(entries, first_seen, entry, key_node, where, problems)
    elif not (isinstance(logs_node, yaml.ScalarNode) and logs_node.tag == NULL):
        problems.add(logs_node, "logs", "must be a list of entries or a mapping of ID to path")


def _add(
    entries: dict[str, LogEntry],
    first_seen: dict[str, int],
    entry: LogEntry,
    node: yaml.Node,
    where: str,
    problems: Problems,
) -> None:
    if entry.id in entries:
        problems.add(
            node, where, f"duplicate id {entry.id!r} (first at line {first_seen[entry.id]})"
        )
        return
    entries[entry.id] = entry
    first_seen[entry.id] = node.start_mark.line + 1


def _entry(node: yaml.Node, where: str, problems: Problems) -> LogEntry | None:
    if not isinstance(node, yaml.MappingNode):
        problems.add(node, where, "must be a mapping with at least 'id' and 'file'")
        return None
    fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = scalar(key_node)
        if key not in ENTRY_KEYS:
            known = ", ".join(ENTRY_KEYS)
            problems.add(key_node, where, f"unknown key {key!r} (known: {known})")
            continue
        fields[key] = (key_node, value_node)
    before = problems.count
    log_id = None
    if "id" not in fields:
        problems.add(node, where, "missing 'id'")
    else:
        id_node = fields["id"][1]
        candidate = scalar(id_node)
        if _valid_id(candidate, id_node, f"{where}.id", problems):
            log_id = candidate
    path = None
    source: SourceSpec | None = None
    given = [key for key in SOURCE_KEYS if key in fields]
    if not given:
        problems.add(
            node, where, "missing 'file' (the path of the log file), 'pod', 'pods' or 'events'"
        )
    elif len(given) > 1:
        problems.add(
            fields[given[1]][0],
            where,
            f"give only one of 'file', 'pod', 'pods', 'events' (got {given})",
        )
    elif given[0] == "file":
        path = _file_path(fields["file"][1], f"{where}.file", problems)
    elif given[0] == "pod":
        source = pod_spec(fields["pod"][1], f"{where}.pod", problems)
    elif given[0] == "pods":
        source = pods_spec(fields["pods"][1], f"{where}.pods", problems)
    else:
        source = events_spec(fields["events"][1], f"{where}.events", problems)
    title = log_id or ""
    if "title" in fields:
        title_node = fields["title"][1]
        if not isinstance(title_node, yaml.ScalarNode) or title_node.tag == NULL:
            problems.add(title_node, f"{where}.title", "must be text")
        elif len(title_node.value) > MAX_TITLE:
            problems.add(title_node, f"{where}.title", f"longer than {MAX_TITLE} characters")
        else:
            title = title_node.value
    follow = "auto"
    if "follow" in fields:
        follow_node = fields["follow"][1]
        follow = scalar(follow_node)
        if follow not in FOLLOW_MODES:
            problems.add(
                follow_node, f"{where}.follow", f"must be one of {', '.join(FOLLOW_MODES)}"
            )
    allow = None
    if "allow" in fields:
        allow = allow_rule(fields["allow"][1], f"{where}.allow", problems)
    if "follow" in fields and source is not None:
        problems.add(fields["follow"][0], where, "'follow' applies to files only")
    count: tuple[tuple[str, str], ...] = ()
    if "count" in fields:
        count = parse_counts(fields["count"][1], f"{where}.count", problems)
    if problems.count > before or log_id is None or (path is None and source is None):
        return None
    if source is None:
        assert path is not None
        source = FileSpec(path, follow)
    return LogEntry(log_id, title, source, allow, count)


def _valid_id(log_id: str, node: yaml.Node | None, where: str, problems: Problems) -> bool:
    if log_id in DOT_SEGMENTS:
        problems.add(
            node, where, f"invalid id {log_id!r}: '.' and '..' cannot be reached in a URL path"
        )
        return False
    if ID_PATTERN.fullmatch(log_id):
        return True
    problems.add(node, where, f"invalid id {log_id!r}: use 1-63 characters of a-z 0-9 . _ -")
    return False


def _file_path(node: yaml.Node, where: str, problems: Problems) -> str | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag == NULL or not node.value:
        problems.add(node, where, "must be a file path")
        return None
    path: str = node.value
    problem = _path_problem(path)
    if problem is not None:
        problems.add(node, where, problem)
        return None
    return path


def _path_problem(path: str) -> str | None:
    if not path.startswith("/"):
        return f"must be an absolute path, got {path!r}"
    if "\0" in path:
        return "must not contain NUL characters"
    return None
