"""The ``pod`` and ``pods`` sources of a catalog entry: Kubernetes names and label selectors.

Checked when the catalog is read, with the same syntax rules the API server applies,
so that a typo is a problem of ``check-config`` and of the reload rather than an
error of the first tail.
"""

from __future__ import annotations

import re

import yaml

from .model import PodSpec, PodsSpec
from .yaml_nodes import NULL, Problems, flag, mapping_fields, scalar

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


def _name(
    fields: dict[str, yaml.Node],
    parent: yaml.Node,
    key: str,
    where: str,
    pattern: re.Pattern[str],
    problems: Problems,
    *,
    required: bool = True,
) -> str | None:
    node = fields.get(key)
    if node is None:
        if required:
            problems.add(parent, where, f"missing {key!r}")
        return None
    value = scalar(node) if isinstance(node, yaml.ScalarNode) and node.tag != NULL else ""
    if not pattern.fullmatch(value):
        problems.add(
            node,
            f"{where}.{key}",
            f"invalid {key} {value!r}: use lower-case letters, digits and '-' (a Kubernetes name)",
        )
        return None
    return value


def pod_spec(node: yaml.Node, where: str, problems: Problems) -> PodSpec | None:
    fields = mapping_fields(node, where, POD_KEYS, problems)
    if fields is None:
        return None
    before = problems.count
    namespace = _name(fields, node, "namespace", where, DNS_LABEL, problems)
    name = _name(fields, node, "name", where, DNS_SUBDOMAIN, problems)
    container = _name(fields, node, "container", where, DNS_LABEL, problems, required=False)
    previous = flag(fields, "previous", where, problems, default=False)
    if problems.count > before or namespace is None or name is None:
        return None
    return PodSpec(namespace, name, container, previous)


def pods_spec(node: yaml.Node, where: str, problems: Problems) -> PodsSpec | None:
    fields = mapping_fields(node, where, PODS_KEYS, problems)
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
        text = scalar(selector_node).strip() if selector_node.tag != NULL else ""
        if not text:
            problems.add(selector_node, f"{where}.selector", "must be a label selector, not empty")
        elif not valid_selector(text):
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


def valid_selector(text: str) -> bool:
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
