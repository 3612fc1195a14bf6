"""One Kubernetes Event as one log line, and where it stands in the stream: pure.

An Event (events.k8s.io/v1) becomes ``TYPE REASON KIND/NAME: NOTE``, for example
``Warning BackOff Pod/web-1: Back-off restarting failed container``. A note may hold
anything (newlines, control characters, markup, megabytes): newlines and other
control characters become spaces, so one Event is always one line, and the line is
cut like every source's (``streaming.long_lines``). Viewers draw it as text.

Its timestamp is when it last happened: ``series.lastObservedTime`` for an Event
seen again, else ``eventTime``, else ``deprecatedLastTimestamp`` (Events recorded
through core/v1), else ``metadata.creationTimestamp``.

Lines are ordered by resourceVersion: every create or update of an Event gets a
new, larger one (etcd's revision, comparable across objects since Kubernetes
treats them as such, KEP-5504), so an update is a new line, and a position in the
log is a resourceVersion (``Position.ts``, count 1). That is what makes resuming
exact on any replica and a relist after a 410 free of repeats: only Events whose
resourceVersion is past the position are lines still to come.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..pods.log_lines import Position
from ..streaming.long_lines import cut_long_line

Obj = dict[str, Any]

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)")
#: Longest reason or kind kept in a line (the API caps reason at 128 characters).
_WORD = 128


@dataclass(frozen=True, slots=True)
class EventLine:
    """An Event's line(s): its resourceVersion, its time as written, its text pieces."""

    rv: int
    uid: str
    stamp: str | None
    pieces: list[str]

    @property
    def position(self) -> Position:
        return Position(self.rv, 1)


def resource_version(obj: Obj) -> int | None:
    """An object's resourceVersion as a number; None if it is not one."""
    raw = str((obj.get("metadata") or {}).get("resourceVersion") or "")
    return int(raw) if raw.isdigit() and len(raw) <= 19 else None


def _flat(value: Any, limit: int) -> str:
    text = "" if value is None else str(value)
    return _CONTROL.sub(" ", text[:limit]).strip()


def event_time(event: Obj) -> str | None:
    """When the Event last happened, as the API wrote it."""
    series = event.get("series") or {}
    meta = event.get("metadata") or {}
    for value in (
        series.get("lastObservedTime") if isinstance(series, dict) else None,
        event.get("eventTime"),
        event.get("deprecatedLastTimestamp"),
        meta.get("creationTimestamp") if isinstance(meta, dict) else None,
    ):
        if isinstance(value, str) and _TIME.fullmatch(value):
            return value
    return None


def event_line(event: Obj, *, max_line: int) -> EventLine | None:
    """The line of an Event; None for an object without a numeric resourceVersion."""
    rv = resource_version(event)
    if rv is None:
        return None
    regarding = event.get("regarding") or {}
    if not isinstance(regarding, dict):
        regarding = {}
    kind = _flat(regarding.get("kind"), _WORD) or "?"
    name = _flat(regarding.get("name"), 253) or "?"
    note = _flat(event.get("note"), max_line * 4)
    text = (
        f"{_flat(event.get('type'), _WORD) or 'Normal'} {_flat(event.get('reason'), _WORD) or '-'}"
        f" {kind}/{name}: {note}"
    )
    uid = str((event.get("metadata") or {}).get("uid") or "")
    return EventLine(rv, uid, event_time(event), cut_long_line(text, max_line))


def lines_after(events: list[Obj], after: int, *, max_line: int) -> list[EventLine]:
    """The lines of listed Events past resourceVersion ``after``, oldest first."""
    lines = [line for e in events if (line := event_line(e, max_line=max_line)) is not None]
    return sorted((line for line in lines if line.rv > after), key=lambda line: line.rv)
