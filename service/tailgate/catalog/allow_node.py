"""The ``allow`` mapping of a catalog entry or rule: who may tail its logs.

Shared by explicit entries and ``discover`` rules, whose names may carry a
``{namespace}`` template that each discovered workload fills in.
"""

from __future__ import annotations

import yaml

from .model import Allow
from .yaml_nodes import Problems, scalar


def allow_rule(node: yaml.Node, where: str, problems: Problems) -> Allow | None:
    if not isinstance(node, yaml.MappingNode):
        problems.add(node, where, "must be a mapping with 'groups' and/or 'users'")
        return None
    lists: dict[str, tuple[str, ...]] = {"groups": (), "users": ()}
    for key_node, value_node in node.value:
        key = scalar(key_node)
        if key not in lists:
            problems.add(key_node, where, f"unknown key {key!r} (known: groups, users)")
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            problems.add(value_node, f"{where}.{key}", "must be a list of names")
            continue
        names = []
        for item in value_node.value:
            name = scalar(item) if isinstance(item, yaml.ScalarNode) else ""
            if not name:
                problems.add(item, f"{where}.{key}", "names must be non-empty text")
            else:
                names.append(name)
        lists[key] = tuple(names)
    return Allow(groups=lists["groups"], users=lists["users"])
