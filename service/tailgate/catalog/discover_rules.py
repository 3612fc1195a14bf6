"""The ``discover`` rules of a catalog: which workloads become logs, under what ID, for whom.

A rule names its namespaces (DNS names or globs such as ``team-*``) or selects them
by label (``namespaceSelector: "tailgate=on"``), the workload kinds it takes (all
five by default), the ID template (``{namespace}.{name}``) and who may tail them,
with ``{namespace}`` in group and user names, and whether each workload also gets an
``events`` companion log (``{id}.events``, on by default). Everything is checked here, when the
catalog is read, so that a bad rule is a problem of the reload (the last good
catalog stays) rather than a surprise for every workload; what only the cluster can
tell (an ID too long for one workload's name) is checked when the workload is seen.
"""

from __future__ import annotations

import re
import string

import yaml

from .allow_node import allow_rule
from .counts import parse_counts
from .model import DEFAULT_ID_TEMPLATE, WORKLOAD_KINDS, Allow, DiscoverRule
from .pod_specs import valid_selector
from .yaml_nodes import NULL, Problems, flag, mapping_fields, scalar

RULE_KEYS = ("namespaces", "namespaceSelector", "kinds", "id", "allow", "count", "events")
#: More rules, or more namespaces in one, is a mistake rather than a catalog.
MAX_RULES = 50
MAX_NAMESPACES = 200
#: A namespace name or glob: DNS-label characters with ``*`` and ``?``.
NAMESPACE_GLOB = re.compile(r"[a-z0-9*?]([-a-z0-9*?]{0,61}[a-z0-9*?])?")
ID_FIELDS = ("namespace", "name", "kind")
#: What may stand between the fields of an ID template: the ID alphabet.
ID_LITERAL = re.compile(r"[a-z0-9._-]*")
MAX_TEMPLATE = 100


def discover_rules(node: yaml.Node, problems: Problems) -> tuple[DiscoverRule, ...]:
    """The rules of a ``discover`` list; each problem is added to ``problems``."""
    if isinstance(node, yaml.ScalarNode) and node.tag == NULL:
        return ()
    if not isinstance(node, yaml.SequenceNode):
        problems.add(node, "discover", "must be a list of rules")
        return ()
    if len(node.value) > MAX_RULES:
        problems.add(node, "discover", f"more than {MAX_RULES} rules")
        return ()
    rules = []
    for index, item in enumerate(node.value):
        rule = _rule(item, f"discover[{index}]", problems)
        if rule is not None:
            rules.append(rule)
    return tuple(rules)


def _rule(node: yaml.Node, where: str, problems: Problems) -> DiscoverRule | None:
    fields = mapping_fields(node, where, RULE_KEYS, problems)
    if fields is None:
        return None
    before = problems.count
    namespaces: tuple[str, ...] = ()
    selector = None
    if ("namespaces" in fields) == ("namespaceSelector" in fields):
        problems.add(
            node, where, "give one of 'namespaces' (names or globs) or 'namespaceSelector'"
        )
    elif "namespaces" in fields:
        namespaces = _namespaces(fields["namespaces"], f"{where}.namespaces", problems)
    else:
        selector = _selector(fields["namespaceSelector"], f"{where}.namespaceSelector", problems)
    kinds: tuple[str, ...] = WORKLOAD_KINDS
    if "kinds" in fields:
        kinds = _kinds(fields["kinds"], f"{where}.kinds", problems)
    template = DEFAULT_ID_TEMPLATE
    if "id" in fields:
        template = _id_template(fields["id"], f"{where}.id", problems) or template
    allow = None
    if "allow" in fields:
        allow = allow_rule(fields["allow"], f"{where}.allow", problems)
        if allow is not None:
            _allow_templates(allow, fields["allow"], f"{where}.allow", problems)
    count: tuple[tuple[str, str], ...] = ()
    if "count" in fields:
        count = parse_counts(fields["count"], f"{where}.count", problems)
    events = flag(fields, "events", where, problems, default=True)
    if problems.count > before:
        return None
    return DiscoverRule(namespaces, selector, kinds, template, allow, count, events)


def _texts(node: yaml.Node, where: str, what: str, problems: Problems) -> list[str] | None:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        problems.add(node, where, f"must be a non-empty list of {what}")
        return None
    texts = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or item.tag == NULL:
            problems.add(item, where, f"must be a list of {what}")
            return None
        texts.append(str(item.value))
    return texts


def _namespaces(node: yaml.Node, where: str, problems: Problems) -> tuple[str, ...]:
    names = _texts(node, where, "namespace names or globs", problems)
    if names is None:
        return ()
    if len(names) > MAX_NAMESPACES:
        problems.add(node, where, f"more than {MAX_NAMESPACES} namespaces")
        return ()
    for name in names:
        if not NAMESPACE_GLOB.fullmatch(name):
            problems.add(
                node,
                where,
                f"invalid namespace {name!r}: use a Kubernetes name, with '*' or '?' as globs",
            )
    return tuple(dict.fromkeys(names))


def _selector(node: yaml.Node, where: str, problems: Problems) -> str | None:
    text = scalar(node).strip() if node.tag != NULL else ""
    if not text or not valid_selector(text):
        problems.add(
            node,
            where,
            f"must be a label selector such as 'tailgate=on,team in (a,b)', got {text!r}",
        )
        return None
    return text


def _kinds(node: yaml.Node, where: str, problems: Problems) -> tuple[str, ...]:
    kinds = _texts(node, where, "workload kinds", problems)
    if kinds is None:
        return ()
    for kind in kinds:
        if kind not in WORKLOAD_KINDS:
            problems.add(node, where, f"unknown kind {kind!r} (known: {', '.join(WORKLOAD_KINDS)})")
    if len(set(kinds)) < len(kinds):
        problems.add(node, where, "names a kind twice")
    return tuple(k for k in WORKLOAD_KINDS if k in kinds)


def template_fields(template: str) -> list[tuple[str, str | None]] | None:
    """(literal text, field) pairs of a ``{field}`` template; None if it is not one."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return None
    pairs = []
    for literal, field, spec, conversion in parts:
        if spec or conversion:
            return None
        pairs.append((literal, field))
    return pairs


def _id_template(node: yaml.Node, where: str, problems: Problems) -> str | None:
    template = scalar(node) if isinstance(node, yaml.ScalarNode) and node.tag != NULL else ""
    pairs = template_fields(template) if len(template) <= MAX_TEMPLATE else None
    hint = "e.g. '{namespace}.{name}' or 'k8s-{kind}-{name}'"
    if not pairs:
        problems.add(node, where, f"must be an ID template, {hint}")
        return None
    fields = [field for _, field in pairs if field is not None]
    if any(field not in ID_FIELDS for field in fields):
        problems.add(node, where, f"fields are {{namespace}}, {{name}} and {{kind}} only ({hint})")
        return None
    if "name" not in fields:
        problems.add(node, where, f"needs {{name}}, or every workload gets one ID ({hint})")
        return None
    if not all(ID_LITERAL.fullmatch(literal) for literal, _ in pairs):
        problems.add(node, where, f"text outside the fields must be a-z 0-9 . _ - ({hint})")
        return None
    return template


def _allow_templates(allow: Allow, node: yaml.Node, where: str, problems: Problems) -> None:
    for name in allow.groups + allow.users:
        pairs = template_fields(name)
        if pairs is None or any(field not in (None, "namespace") for _, field in pairs):
            problems.add(node, where, f"{name!r}: the only field names may use is {{namespace}}")
