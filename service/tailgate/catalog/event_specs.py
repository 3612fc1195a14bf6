"""The ``events`` source of a catalog entry: a namespace, and optionally one object.

``events: {namespace: shop, involved: {kind: Deployment, name: web}}``. Checked when
the catalog is read, like the pod sources: the namespace and name as the API server
spells them, the kind as a Kubernetes kind (``Deployment``, ``Pod``), so a typo is a
catalog problem (the last good catalog stays) rather than an error of the first tail.
"""

from __future__ import annotations

import re

import yaml

from .model import EventsSpec
from .pod_specs import DNS_LABEL, DNS_SUBDOMAIN
from .yaml_nodes import NULL, Problems, mapping_fields, scalar

EVENTS_KEYS = ("namespace", "involved")
INVOLVED_KEYS = ("kind", "name")
#: A kind as the API spells it: an upper-case letter, then letters and digits.
KIND = re.compile(r"[A-Z][A-Za-z0-9]{0,62}")


def _text(node: yaml.Node | None) -> str:
    return scalar(node) if isinstance(node, yaml.ScalarNode) and node.tag != NULL else ""


def events_spec(node: yaml.Node, where: str, problems: Problems) -> EventsSpec | None:
    fields = mapping_fields(node, where, EVENTS_KEYS, problems)
    if fields is None:
        return None
    before = problems.count
    namespace = None
    if "namespace" not in fields:
        problems.add(node, where, "missing 'namespace'")
    elif DNS_LABEL.fullmatch(_text(fields["namespace"])):
        namespace = _text(fields["namespace"])
    else:
        problems.add(
            fields["namespace"],
            f"{where}.namespace",
            f"invalid namespace {_text(fields['namespace'])!r}: use lower-case letters, "
            "digits and '-' (a Kubernetes name)",
        )
    kind = name = None
    if "involved" in fields:
        kind, name = _involved(fields["involved"], f"{where}.involved", problems)
    if problems.count > before or namespace is None:
        return None
    return EventsSpec(namespace, kind, name)


def _involved(node: yaml.Node, where: str, problems: Problems) -> tuple[str | None, str | None]:
    fields = mapping_fields(node, where, INVOLVED_KEYS, problems)
    if fields is None:
        return None, None
    kind = _matching(fields, "kind", KIND, "e.g. Deployment, Pod", where, problems)
    name = _matching(fields, "name", DNS_SUBDOMAIN, "a Kubernetes name", where, problems)
    if "kind" not in fields and "name" not in fields:
        problems.add(node, where, "give 'kind', 'name' or both")
    return kind, name


def _matching(
    fields: dict[str, yaml.Node],
    key: str,
    pattern: re.Pattern[str],
    like: str,
    where: str,
    problems: Problems,
) -> str | None:
    """``fields[key]`` as text when it matches ``pattern`` (None when absent or not)."""
    if key not in fields:
        return None
    value = _text(fields[key])
    if pattern.fullmatch(value):
        return value
    problems.add(fields[key], f"{where}.{key}", f"invalid {key} {value!r} ({like})")
    return None
