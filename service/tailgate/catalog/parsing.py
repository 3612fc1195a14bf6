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
from typing import Any

import yaml

from ..errors import ConfigError
from .model import Allow, Catalog, FileSpec, LogEntry, PodSpec, PodsSpec, SourceSpec
from .yaml_document import yaml_document

ID_PATTERN = re.compile(r"[a-z0-9._-]{1,63}")
#: IDs are a URL path segment (``/ws/tail/{id}``, ``/api/logs/{id}``); browsers and
#: HTTP clients resolve these two away before the request is sent, even percent-encoded.
DOT_SEGMENTS = (".", "..")
FOLLOW_MODES = ("auto", "poll")
ENTRY_KEYS = ("id", "title", "file", "follow", "allow", "pod", "pods")
SOURCE_KEYS = ("file", "pod", "pods")
POD_KEYS = ("namespace", "name", "container", "previous")
PODS_KEYS = ("namespace", "selector", "container")
#: Kubernetes names: DNS-1123 labels (namespaces) and subdomains (pods, containers).
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")
#: One requirement of a label selector: key, !key, key=v, key==v, key!=v, key in/notin (...).
_SELECTOR_TERM = re.compile(
    r"\s*(!?[A-Za-z0-9][-A-Za-z0-9_./]*)\s*"
    r"(?:(==|=|!=)\s*([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
    r"|\s+(in|notin)\s*\(\s*[-A-Za-z0-9_.]*(\s*,\s*[-A-Za-z0-9_.]*)*\s*\))?\s*"
)
MAX_TITLE = 200
#: Problems listed in full; the rest are counted in one last line.
MAX_PROBLEMS = 100

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"


class _Problems:
    """Every problem counted, the first ``MAX_PROBLEMS`` kept: a document of a million
    broken entries must not cost a million messages (in memory, logs and Events)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[str] = []
        self.count = 0

    def add(self, node: yaml.Node | None, where: str, message: str) -> None:
        self.count += 1
        if self.count > MAX_PROBLEMS:
            return
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        prefix = f"{self.name}{line}: "
        self.items.append(f"{prefix}{where}: {message}" if where else prefix + message)

    def listed(self) -> list[str]:
        more = self.count - len(self.items)
        return self.items + ([f"{self.name}: and {more} more problem(s)"] if more else [])


def parse_catalog(text: str, name: str = "catalog") -> Catalog:
    """Parse and validate a catalog document; raises ConfigError listing every problem."""
    problems = _Problems(name)
    entries: dict[str, LogEntry] = {}
    _document(text, name, problems, entries, {})
    if problems.count:
        raise ConfigError(problems.listed())
    return Catalog(entries)


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
    listed: list[str] = []
    if text is not None:
        document = _Problems(name)
        try:
            _document(text, name, document, entries, first_seen)
            listed = document.listed()
        except ConfigError as exc:
            listed = exc.problems
    keys = _Problems(short_name)
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
    return Catalog(entries)


def _document(
    text: str,
    name: str,
    problems: _Problems,
    entries: dict[str, LogEntry],
    first_seen: dict[str, int],
) -> None:
    """Adds the document's entries; ConfigError when it cannot be read as a catalog."""
    root = yaml_document(text, name)
    if root is None:
        raise ConfigError([f"{name}: the catalog is empty; it needs a 'logs' key"])
    _duplicate_keys(root, problems)
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError([f"{name}:{root.start_mark.line + 1}: the catalog must be a mapping"])
    logs_node: yaml.Node | None = None
    for key_node, value_node in root.value:
        key = _scalar(key_node)
        if key == "logs":
            logs_node = value_node
        else:
            problems.add(key_node, "", f"unknown key {key!r} (the catalog has only 'logs')")
    if logs_node is None:
        problems.add(root, "", "missing key 'logs'")
    elif isinstance(logs_node, yaml.SequenceNode):
        for index, item in enumerate(logs_node.value):
            entry = _entry(item, f"logs[{index}]", problems)
            if entry is not None:
                _add(entries, first_seen, entry, item, f"logs[{index}]", problems)
    elif isinstance(logs_node, yaml.MappingNode):
        # The short form: ID to file path.
        for key_node, value_node in logs_node.value:
            log_id = _scalar(key_node)
            where = f"logs.{log_id}"
            if not isinstance(value_node, yaml.ScalarNode) or value_node.tag == _NULL:
                problems.add(value_node, where, "must be a file path")
                continue
            if not _valid_id(log_id, key_node, where, problems):
                continue
            path = _file_path(value_node, where, problems)
            if path is not None:
                entry = LogEntry(log_id, log_id, FileSpec(path))
                _add(entries, first_seen, entry, key_node, where, problems)
    elif not (isinstance(logs_node, yaml.ScalarNode) and logs_node.tag == _NULL):
        problems.add(logs_node, "logs", "must be a list of entries or a mapping of ID to path")


def _add(
    entries: dict[str, LogEntry],
    first_seen: dict[str, int],
    entry: LogEntry,
    node: yaml.Node,
    where: str,
    problems: _Problems,
) -> None:
    if entry.id in entries:
        problems.add(
            node, where, f"duplicate id {entry.id!r} (first at line {first_seen[entry.id]})"
        )
        return
    entries[entry.id] = entry
    first_seen[entry.id] = node.start_mark.line + 1


def _entry(node: yaml.Node, where: str, problems: _Problems) -> LogEntry | None:
    if not isinstance(node, yaml.MappingNode):
        problems.add(node, where, "must be a mapping with at least 'id' and 'file'")
        return None
    fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = _scalar(key_node)
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
        candidate = _scalar(id_node)
        if _valid_id(candidate, id_node, f"{where}.id", problems):
            log_id = candidate
    path = None
    source: SourceSpec | None = None
    given = [key for key in SOURCE_KEYS if key in fields]
    if not given:
        problems.add(node, where, "missing 'file' (the path of the log file), 'pod' or 'pods'")
    elif len(given) > 1:
        problems.add(
            fields[given[1]][0], where, f"give only one of 'file', 'pod', 'pods' (got {given})"
        )
    elif given[0] == "file":
        path = _file_path(fields["file"][1], f"{where}.file", problems)
    elif given[0] == "pod":
        source = _pod(fields["pod"][1], f"{where}.pod", problems)
    else:
        source = _pods(fields["pods"][1], f"{where}.pods", problems)
    title = log_id or ""
    if "title" in fields:
        title_node = fields["title"][1]
        if not isinstance(title_node, yaml.ScalarNode) or title_node.tag == _NULL:
            problems.add(title_node, f"{where}.title", "must be text")
        elif len(title_node.value) > MAX_TITLE:
            problems.add(title_node, f"{where}.title", f"longer than {MAX_TITLE} characters")
        else:
            title = title_node.value
    follow = "auto"
    if "follow" in fields:
        follow_node = fields["follow"][1]
        follow = _scalar(follow_node)
        if follow not in FOLLOW_MODES:
            problems.add(
                follow_node, f"{where}.follow", f"must be one of {', '.join(FOLLOW_MODES)}"
            )
    allow = None
    if "allow" in fields:
        allow = _allow(fields["allow"][1], f"{where}.allow", problems)
    if "follow" in fields and source is not None:
        problems.add(fields["follow"][0], where, "'follow' applies to files only")
    if problems.count > before or log_id is None or (path is None and source is None):
        return None
    if source is not None:
        return LogEntry(log_id, title, source, allow)
    assert path is not None
    return LogEntry(log_id, title, FileSpec(path, follow), allow)


def _fields(
    node: yaml.Node, where: str, known: tuple[str, ...], problems: _Problems
) -> dict[str, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        problems.add(node, where, f"must be a mapping with {', '.join(known)}")
        return None
    fields: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = _scalar(key_node)
        if key not in known:
            problems.add(key_node, where, f"unknown key {key!r} (known: {', '.join(known)})")
        else:
            fields[key] = value_node
    return fields


def _name(
    fields: dict[str, yaml.Node],
    parent: yaml.Node,
    key: str,
    where: str,
    pattern: re.Pattern[str],
    problems: _Problems,
    *,
    required: bool = True,
) -> str | None:
    node = fields.get(key)
    if node is None:
        if required:
            problems.add(parent, where, f"missing {key!r}")
        return None
    value = _scalar(node) if isinstance(node, yaml.ScalarNode) and node.tag != _NULL else ""
    if not pattern.fullmatch(value):
        problems.add(
            node,
            f"{where}.{key}",
            f"invalid {key} {value!r}: use lower-case letters, digits and '-' (a Kubernetes name)",
        )
        return None
    return value


def _pod(node: yaml.Node, where: str, problems: _Problems) -> PodSpec | None:
    fields = _fields(node, where, POD_KEYS, problems)
    if fields is None:
        return None
    before = problems.count
    namespace = _name(fields, node, "namespace", where, DNS_LABEL, problems)
    name = _name(fields, node, "name", where, DNS_SUBDOMAIN, problems)
    container = _name(fields, node, "container", where, DNS_LABEL, problems, required=False)
    previous = False
    if "previous" in fields:
        flag = fields["previous"]
        if flag.tag != "tag:yaml.org,2002:bool":
            problems.add(flag, f"{where}.previous", "must be true or false")
        else:
            previous = _scalar(flag).lower() in ("true", "yes", "on", "y")
    if problems.count > before or namespace is None or name is None:
        return None
    return PodSpec(namespace, name, container, previous)


def _pods(node: yaml.Node, where: str, problems: _Problems) -> PodsSpec | None:
    fields = _fields(node, where, PODS_KEYS, problems)
    if fields is None:
        return None
    before = problems.count
    namespace = _name(fields, node, "namespace", where, DNS_LABEL, problems)
    container = _name(fields, node, "container", where, DNS_LABEL, problems, required=False)
    selector = None
    if "selector" not in fields:
        problems.add(node, where, "missing 'selector' (a label selector such as app=api)")
    else:
        selector_node = fields["selector"]
        text = _scalar(selector_node).strip() if selector_node.tag != _NULL else ""
        if not text:
            problems.add(selector_node, f"{where}.selector", "must be a label selector, not empty")
        elif not _valid_selector(text):
            problems.add(
                selector_node,
                f"{where}.selector",
                f"invalid label selector {text!r} (e.g. 'app=api,tier!=canary', 'env in (a,b)')",
            )
        else:
            selector = text
    if problems.count > before or namespace is None or selector is None:
        return None
    return PodsSpec(namespace, selector, container)


def _valid_selector(text: str) -> bool:
    """Checks the label selector syntax, splitting at commas outside parentheses."""
    terms: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            terms.append(text[start:index])
            start = index + 1
    terms.append(text[start:])
    return depth == 0 and all(_SELECTOR_TERM.fullmatch(term) for term in terms)


def _allow(node: yaml.Node, where: str, problems: _Problems) -> Allow | None:
    if not isinstance(node, yaml.MappingNode):
        problems.add(node, where, "must be a mapping with 'groups' and/or 'users'")
        return None
    lists: dict[str, tuple[str, ...]] = {"groups": (), "users": ()}
    for key_node, value_node in node.value:
        key = _scalar(key_node)
        if key not in lists:
            problems.add(key_node, where, f"unknown key {key!r} (known: groups, users)")
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            problems.add(value_node, f"{where}.{key}", "must be a list of names")
            continue
        names = []
        for item in value_node.value:
            name = _scalar(item) if isinstance(item, yaml.ScalarNode) else ""
            if not name:
                problems.add(item, f"{where}.{key}", "names must be non-empty text")
            else:
                names.append(name)
        lists[key] = tuple(names)
    return Allow(groups=lists["groups"], users=lists["users"])


def _valid_id(log_id: str, node: yaml.Node | None, where: str, problems: _Problems) -> bool:
    if log_id in DOT_SEGMENTS:
        problems.add(
            node, where, f"invalid id {log_id!r}: '.' and '..' cannot be reached in a URL path"
        )
        return False
    if ID_PATTERN.fullmatch(log_id):
        return True
    problems.add(node, where, f"invalid id {log_id!r}: use 1-63 characters of a-z 0-9 . _ -")
    return False


def _file_path(node: yaml.Node, where: str, problems: _Problems) -> str | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL or not node.value:
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


def _duplicate_keys(node: yaml.Node, problems: _Problems) -> None:
    """YAML lets a later key silently win over an earlier one; a catalog may not.

    Recursion is safe: ``yaml_document`` refuses aliases (so this walks a tree, each
    node once) and nesting deeper than ``MAX_DEPTH``.
    """
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.add(key_node, "", f"duplicate key {key!r} (first at line {seen[key]})")
            else:
                seen[key] = line
            _duplicate_keys(value_node, problems)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _duplicate_keys(item, problems)


def _scalar(node: Any) -> str:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    return ""
