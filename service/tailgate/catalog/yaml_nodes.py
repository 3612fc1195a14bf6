"""The YAML nodes of a catalog document: their text, their keys, and problems with lines.

The catalog is composed into nodes rather than loaded into Python values, so that
every problem can name its line (``Problems``); these are the small readers every
part of the catalog's checks shares.
"""

from __future__ import annotations

from typing import Any

import yaml

#: Problems listed in full; the rest are counted in one last line.
MAX_PROBLEMS = 100

NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"


class Problems:
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


def mapping_fields(
    node: yaml.Node, where: str, known: tuple[str, ...], problems: Problems
) -> dict[str, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        problems.add(node, where, f"must be a mapping with {', '.join(known)}")
        return None
    fields: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = scalar(key_node)
        if key not in known:
            problems.add(key_node, where, f"unknown key {key!r} (known: {', '.join(known)})")
        else:
            fields[key] = value_node
    return fields


def flag(
    fields: dict[str, yaml.Node], key: str, where: str, problems: Problems, *, default: bool
) -> bool:
    """The YAML boolean ``fields[key]``, ``default`` when absent; anything else a problem."""
    node = fields.get(key)
    if node is None:
        return default
    if node.tag != BOOL:
        problems.add(node, f"{where}.{key}", "must be true or false")
        return default
    return scalar(node).lower() in ("true", "yes", "on", "y")


def duplicate_keys(node: yaml.Node, problems: Problems) -> None:
    """YAML lets a later key silently win over an earlier one; a catalog may not.

    Recursion is safe: ``yaml_document`` refuses aliases (so this walks a tree, each
    node once) and nesting deeper than ``MAX_DEPTH``.
    """
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = scalar(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.add(key_node, "", f"duplicate key {key!r} (first at line {seen[key]})")
            else:
                seen[key] = line
            duplicate_keys(value_node, problems)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            duplicate_keys(item, problems)


def scalar(node: Any) -> str:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    return ""
