"""A catalog ConfigMap's keys as one catalog document: pure.

``logs.yaml`` holds a catalog in the usual format; every other key whose value is an
absolute path is a short entry (the key is the ID, the value the file). Other keys
(notes, READMEs) are ignored. When there is only one kind, the document is that text
itself, so problems point at its own lines. When both are present, ``logs.yaml`` is
checked alone first (so its problems keep their lines) and, if valid, both are
written out together as one list, where only clashes between the two can remain.
That takes seconds for a large catalog: callers on the event loop run it in a thread.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import yaml

from ..errors import ConfigError
from .parsing import parse_catalog
from .yaml_document import yaml_document

CATALOG_KEY = "logs.yaml"


def short_entries(data: Mapping[str, str]) -> dict[str, str]:
    """The keys that are short entries (ID to file path), in the ConfigMap's order."""
    return {
        key: value.strip()
        for key, value in data.items()
        if key != CATALOG_KEY and value.strip().startswith("/") and "\n" not in value.strip()
    }


def catalog_document(data: Mapping[str, str], origin: str) -> tuple[str, str]:
    """(YAML text, name for its problems) to hand to the catalog store."""
    full = data.get(CATALOG_KEY)
    short = short_entries(data)
    if full is not None and not short:
        return full, f"{origin}/{CATALOG_KEY}"
    if full is None:
        lines = ["logs:"] if short else ["logs: {}"]
        lines += [f"  {json.dumps(key)}: {json.dumps(path)}" for key, path in short.items()]
        return "\n".join(lines) + "\n", origin
    try:
        parse_catalog(full, f"{origin}/{CATALOG_KEY}")
    except ConfigError:
        return full, f"{origin}/{CATALOG_KEY}"
    # Valid, so within the limits yaml_document enforces (no aliases, shallow).
    root = yaml_document(full, origin)
    items: list[yaml.Node] = []
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if key_node.value != "logs":
                continue
            if isinstance(value_node, yaml.SequenceNode):
                items.extend(value_node.value)
            elif isinstance(value_node, yaml.MappingNode):
                items.extend(_short_node(k.value, v.value) for k, v in value_node.value)
    items.extend(_short_node(key, path) for key, path in short.items())
    merged = yaml.MappingNode(
        "tag:yaml.org,2002:map",
        [(_str("logs"), yaml.SequenceNode("tag:yaml.org,2002:seq", items))],
    )
    text = yaml.serialize(merged, Dumper=yaml.SafeDumper)
    return str(text), f"{origin} ({CATALOG_KEY} and short entries)"


def _str(value: str) -> yaml.ScalarNode:
    return yaml.ScalarNode("tag:yaml.org,2002:str", value)


def _short_node(key: str, path: str) -> yaml.MappingNode:
    return yaml.MappingNode(
        "tag:yaml.org,2002:map", [(_str("id"), _str(key)), (_str("file"), _str(path))]
    )
