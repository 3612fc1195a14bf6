"""Catalog text to one tree of YAML nodes, at a cost bounded by the text's size.

YAML has two ways to make a small document expensive. Aliases (``*name``) make the
composed graph share nodes, so anything that walks it as a tree (the catalog checks
do) can take exponential time: a 400-byte "billion laughs" document of nine levels
holds 387 million nodes. Deep nesting (``[[[[...]]]]``) makes the composer recurse:
the pure-Python one raises RecursionError at a few hundred levels, libyaml's crashes
the process with a stack overflow at some tens of thousands. Both are refused here,
by one pass over the parser's events (a state machine, not recursive) before
anything is composed. A catalog never needs either: its deepest value
(``logs[].allow.groups[]``) is five levels down.

libyaml is used where PyYAML has it: it composes a 10,000-entry catalog several
times faster than the pure-Python parser.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import ConfigError

#: Catalog texts longer than this are refused before they are parsed (characters).
MAX_CATALOG_CHARS = 8 * 1024 * 1024
#: Collections nested deeper than this are refused; a valid catalog uses five levels.
MAX_DEPTH = 20

Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_OPENING = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def yaml_document(text: str, name: str) -> yaml.Node | None:
    """The single document in ``text`` as nodes (None when empty), else ``ConfigError``."""
    if len(text) > MAX_CATALOG_CHARS:
        raise ConfigError(
            [f"{name}: larger than {MAX_CATALOG_CHARS // (1024 * 1024)} MiB; split the catalog"]
        )
    try:
        _check_shape(text, name)
        node: yaml.Node | None = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        detail = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([f"{name}{line}: not valid YAML: {detail}"]) from None
    return node


def _check_shape(text: str, name: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, _OPENING):
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError(
                    [
                        f"{name}{_line(event)}: nested more than {MAX_DEPTH} "
                        "levels deep (a catalog needs five)"
                    ]
                )
        elif isinstance(event, _CLOSING):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            raise ConfigError(
                [
                    f"{name}{_line(event)}: the alias *{event.anchor} is not "
                    "allowed: a catalog cannot use YAML aliases; write the value out"
                ]
            )


def _line(event: yaml.Event) -> str:
    mark = event.start_mark
    return f":{mark.line + 1}" if mark is not None else ""
