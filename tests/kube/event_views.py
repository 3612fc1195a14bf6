"""Events as ``events.k8s.io/v1`` shows them: one stored Event, two representations.

The API server keeps a single Event resource and serves it both as ``core/v1`` and as
``events.k8s.io/v1``, converting field by field (``involvedObject`` is ``regarding``,
``message`` is ``note``, ``count``/``firstTimestamp``/``lastTimestamp``/``source`` are the
``deprecated*`` fields, ``reportingComponent`` is ``reportingController``). The fake
does the same: it stores core Events and converts on the way out (and in, for a
create through ``events.k8s.io``), so an Event recorded either way is seen either way,
with the same name, uid and resourceVersion. The field selectors are the ones that
API accepts (``regarding.*``, ``reason``, ``reportingController``, ``type``, ...).
"""

from __future__ import annotations

import copy
from typing import Any

from .selectors import COMMON_FIELDS, FieldGetter

Obj = dict[str, Any]

#: core/v1 name -> events.k8s.io/v1 name, for the fields whose name differs.
_RENAMED = {
    "involvedObject": "regarding",
    "message": "note",
    "source": "deprecatedSource",
    "firstTimestamp": "deprecatedFirstTimestamp",
    "lastTimestamp": "deprecatedLastTimestamp",
    "count": "deprecatedCount",
    "reportingComponent": "reportingController",
}
_SAME = (
    "metadata",
    "reason",
    "type",
    "eventTime",
    "series",
    "action",
    "related",
    "reportingInstance",
)


def to_events_v1(core: Obj) -> Obj:
    """A stored (core/v1) Event as ``events.k8s.io/v1`` serves it."""
    out: Obj = {"kind": "Event", "apiVersion": "events.k8s.io/v1"}
    for name in _SAME:
        if core.get(name) is not None:
            out[name] = copy.deepcopy(core[name])
    for old, new in _RENAMED.items():
        if core.get(old) not in (None, "", {}):
            out[new] = copy.deepcopy(core[old])
    # The API server always sends eventTime, null for Events recorded through core/v1.
    out.setdefault("eventTime", None)
    return out


def to_core(event: Obj) -> Obj:
    """An ``events.k8s.io/v1`` Event as it is stored (core/v1)."""
    out: Obj = {"kind": "Event", "apiVersion": "v1"}
    for name in _SAME:
        if event.get(name) is not None:
            out[name] = copy.deepcopy(event[name])
    for old, new in _RENAMED.items():
        if event.get(new) not in (None, "", {}):
            out[old] = copy.deepcopy(event[new])
    return out


def _path(*keys: str) -> FieldGetter:
    def get(obj: Obj) -> str:
        value: Any = obj
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return "" if value is None else str(value)

    return get


def _source(obj: Obj) -> str:
    return _path("deprecatedSource", "component")(obj) or _path("reportingController")(obj)


#: The field labels events.k8s.io/v1 accepts (the registry's EventToSelectableFields).
EVENTS_V1_FIELDS: dict[str, FieldGetter] = {
    **COMMON_FIELDS,
    **{
        f"regarding.{key}": _path("regarding", key)
        for key in (
            "kind",
            "namespace",
            "name",
            "uid",
            "apiVersion",
            "resourceVersion",
            "fieldPath",
        )
    },
    "reason": _path("reason"),
    "reportingController": _path("reportingController"),
    "source": _source,
    "type": _path("type"),
}


def event_v1(
    name: str,
    namespace: str,
    *,
    regarding: Obj,
    reason: str,
    note: str,
    type_: str = "Normal",
    event_time: str | None = "2026-12-02T09:00:00.000000Z",
    controller: str = "kubernetes.io/deployment-controller",
) -> Obj:
    """An events.k8s.io/v1 Event about ``regarding`` (an object as the fake returned it)."""
    meta = regarding["metadata"]
    event: Obj = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": namespace},
        "regarding": {
            "apiVersion": regarding.get("apiVersion", "v1"),
            "kind": regarding["kind"],
            "name": meta["name"],
            "namespace": meta.get("namespace", namespace),
            **({"uid": meta["uid"]} if "uid" in meta else {}),
        },
        "reason": reason,
        "note": note,
        "type": type_,
        "action": reason,
        "eventTime": event_time,
        "reportingController": controller,
        "reportingInstance": f"{controller}-0",
    }
    return event
