"""``count:`` of a catalog entry: named patterns whose matching lines are counted.

An operator asks for counters on a log (``count: {errors: "ERROR|FATAL"}``); the
server then reads the log whether anybody watches or not and exports how many lines
matched each pattern (docs/metrics.md). The patterns are RE2 (``streaming.patterns``,
as for filters and search: linear time, bounded memory), checked here so that a bad
one is a catalog error like any other (the last good catalog stays). Names become a
Prometheus label value, so they are short and plain; how many patterns and counted
logs are honoured is the server's setting, not the catalog's (``counting``).
"""

from __future__ import annotations

import re

import yaml

from ..streaming.patterns import PatternProblem, compile_pattern
from .yaml_nodes import NULL, Problems, scalar

#: A counter's name: a label value on the log's metrics.
NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def parse_counts(node: yaml.Node, where: str, problems: Problems) -> tuple[tuple[str, str], ...]:
    """``count``'s (name, pattern) pairs in order, or problems saying what is wrong."""
    if not isinstance(node, yaml.MappingNode) or not node.value:
        problems.add(node, where, "must be a mapping of counter names to patterns")
        return ()
    counts: list[tuple[str, str]] = []
    seen: set[str] = set()
    for key_node, value_node in node.value:
        name = scalar(key_node)
        at = f"{where}.{name}"
        if not NAME.fullmatch(name):
            problems.add(key_node, at, "a counter name is 1-40 characters of a-z 0-9 _")
            continue
        if name in seen:
            problems.add(key_node, at, f"duplicate counter {name!r}")
            continue
        seen.add(name)
        if not isinstance(value_node, yaml.ScalarNode) or value_node.tag == NULL:
            problems.add(value_node, at, "must be a pattern (a regular expression, RE2)")
            continue
        pattern = value_node.value
        try:
            compile_pattern(pattern, regex=True, case=True, name="the pattern")
        except PatternProblem as exc:
            problems.add(value_node, at, str(exc))
            continue
        counts.append((name, pattern))
    return tuple(counts)
