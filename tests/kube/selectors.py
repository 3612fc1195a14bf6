"""Label and field selectors, parsed and matched the way the API server does.

Pure functions with no I/O: the fake's list and watch handlers filter with them, and
they are unit-tested on their own. Parse errors raise `StatusError` (400 BadRequest)
so a handler can hand them straight back to the client.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .statuses import StatusError, bad_request

_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"
_VALUE = r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_SET_RE = re.compile(rf"^\s*({_KEY})\s+(in|notin)\s*\(([^()]*)\)\s*$")
_OP_RE = re.compile(rf"^\s*({_KEY})\s*(==|!=|=|>|<)\s*({_VALUE})\s*$")
_EXISTS_RE = re.compile(rf"^\s*(!?)\s*({_KEY})\s*$")


@dataclass(frozen=True)
class Requirement:
    """One clause of a label selector: `key op values`."""

    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!", ">", "<"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        match self.op:
            case "exists":
                return present
            case "!":
                return not present
            case "=" | "in":
                return present and value in self.values
            case "!=" | "notin":
                # Like the real server: an object without the label matches `!=` and `notin`.
                return not present or value not in self.values
            case ">" | "<":
                if not present or value is None or not value.lstrip("-").isdigit():
                    return False
                bound = int(self.values[0])
                return int(value) > bound if self.op == ">" else int(value) < bound
        raise AssertionError(self.op)


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside `in (...)` parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def parse_label_selector(text: str | None) -> tuple[Requirement, ...]:
    """Parse `app=api,tier in (web,db),!canary`; an empty selector matches everything."""
    if not text or not text.strip():
        return ()
    requirements = []
    for part in _split_top_level(text):
        requirements.append(_parse_requirement(part, text))
    return tuple(requirements)


def _parse_requirement(part: str, whole: str) -> Requirement:
    if m := _SET_RE.match(part):
        values = tuple(v.strip() for v in m.group(3).split(","))
        if not all(re.fullmatch(_VALUE, v) for v in values) or values == ("",):
            raise _unparsable(whole)
        return Requirement(m.group(1), m.group(2), values)
    if m := _OP_RE.match(part):
        op = "=" if m.group(2) == "==" else m.group(2)
        if op in (">", "<") and not m.group(3).lstrip("-").isdigit():
            raise _unparsable(whole)
        return Requirement(m.group(1), op, (m.group(3),))
    if m := _EXISTS_RE.match(part):
        return Requirement(m.group(2), "!" if m.group(1) else "exists")
    raise _unparsable(whole)


def _unparsable(selector: str) -> StatusError:
    return bad_request(f"unable to parse requirement: invalid label selector: {selector!r}")


def labels_match(requirements: tuple[Requirement, ...], obj: Mapping[str, Any]) -> bool:
    labels = obj.get("metadata", {}).get("labels") or {}
    return all(r.matches(labels) for r in requirements)


FieldGetter = Callable[[Mapping[str, Any]], str]


def _path(*keys: str) -> FieldGetter:
    def get(obj: Mapping[str, Any]) -> str:
        node: Any = obj
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        return "" if node is None else str(node)

    return get


# Field labels each resource supports; anything else is "field label not supported".
COMMON_FIELDS: dict[str, FieldGetter] = {
    "metadata.name": _path("metadata", "name"),
    "metadata.namespace": _path("metadata", "namespace"),
}
POD_FIELDS: dict[str, FieldGetter] = {
    **COMMON_FIELDS,
    "status.phase": _path("status", "phase"),
    "spec.nodeName": _path("spec", "nodeName"),
    "spec.restartPolicy": _path("spec", "restartPolicy"),
    "spec.serviceAccountName": _path("spec", "serviceAccountName"),
    "status.podIP": _path("status", "podIP"),
}
JOB_FIELDS: dict[str, FieldGetter] = {
    **COMMON_FIELDS,
    "status.successful": _path("status", "succeeded"),
}
NAMESPACE_FIELDS: dict[str, FieldGetter] = {
    "metadata.name": _path("metadata", "name"),
    "status.phase": _path("status", "phase"),
}
EVENT_FIELDS: dict[str, FieldGetter] = {
    **COMMON_FIELDS,
    "involvedObject.kind": _path("involvedObject", "kind"),
    "involvedObject.namespace": _path("involvedObject", "namespace"),
    "involvedObject.name": _path("involvedObject", "name"),
    "involvedObject.uid": _path("involvedObject", "uid"),
    "involvedObject.apiVersion": _path("involvedObject", "apiVersion"),
    "involvedObject.resourceVersion": _path("involvedObject", "resourceVersion"),
    "involvedObject.fieldPath": _path("involvedObject", "fieldPath"),
    "reason": _path("reason"),
    "reportingComponent": _path("reportingComponent"),
    "source": _path("source", "component"),
    "type": _path("type"),
}


@dataclass(frozen=True)
class FieldRequirement:
    getter: FieldGetter
    value: str
    negated: bool

    def matches(self, obj: Mapping[str, Any]) -> bool:
        return (self.getter(obj) == self.value) != self.negated


def parse_field_selector(
    text: str | None, fields: Mapping[str, FieldGetter]
) -> tuple[FieldRequirement, ...]:
    """Parse `metadata.name=web,status.phase!=Failed` against a resource's field labels."""
    if not text or not text.strip():
        return ()
    requirements = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*([A-Za-z.]+)\s*(==|!=|=)\s*([^,]*?)\s*", part)
        if not m:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        label, op, value = m.groups()
        if label not in fields:
            raise bad_request(f"field label not supported: {label}")
        requirements.append(FieldRequirement(fields[label], value, op == "!="))
    return tuple(requirements)


def fields_match(requirements: tuple[FieldRequirement, ...], obj: Mapping[str, Any]) -> bool:
    return all(r.matches(obj) for r in requirements)
