"""What a pods/log request asks for, and which container log answers it.

Pure logic, no I/O: parsing and validating the query (as the API server validates
`PodLogOptions`), choosing the container (the API server's rules), finding the
container ID to read (the kubelet's rules, including `previous`), and formatting lines
with kubelet-style timestamps. `logs.py` does the streaming.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .statuses import bad_request, invalid

Line = tuple[int, bytes]  # (nanoseconds since the epoch, text without newline)

_BOOL_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_BOOL_FALSE = {"0", "f", "F", "FALSE", "false", "False"}
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})"
)


def parse_bool(name: str, raw: str | None) -> bool:
    """Go's strconv.ParseBool, which the API server uses for query booleans."""
    if raw is None:
        return False
    if raw in _BOOL_TRUE:
        return True
    if raw in _BOOL_FALSE:
        return False
    raise bad_request(f'strconv.ParseBool: parsing "{raw}": invalid syntax')


def parse_time_ns(raw: str) -> int:
    """An RFC 3339 timestamp (fractional seconds allowed) as nanoseconds since the epoch."""
    m = _RFC3339.fullmatch(raw)
    if not m:
        raise bad_request(f'parsing time "{raw}" as "2006-01-02T15:04:05Z07:00": cannot parse')
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    fraction = (m.group(7) or "").ljust(9, "0")
    zone = m.group(8).upper()
    offset = 0 if zone == "Z" else (int(zone[1:3]) * 60 + int(zone[4:6])) * 60
    if zone.startswith("-"):
        offset = -offset
    base = datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()
    return (int(base) - offset) * 1_000_000_000 + int(fraction)


def format_timestamp(ns: int) -> str:
    """The kubelet's fixed nine-digit RFC3339Nano form: 2024-01-01T00:00:00.123456789Z."""
    seconds, fraction = divmod(ns, 1_000_000_000)
    whole = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{whole}.{fraction:09d}Z"


def datetime_to_ns(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("log timestamps must be timezone-aware")
    return int(at.timestamp()) * 1_000_000_000 + at.microsecond * 1000


@dataclass(frozen=True)
class LogOptions:
    container: str = ""
    follow: bool = False
    previous: bool = False
    timestamps: bool = False
    tail_lines: int | None = None
    since_ns: int | None = None  # absolute, from sinceTime or sinceSeconds
    limit_bytes: int | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str], pod_name: str, now_ns: int) -> LogOptions:
        causes: list[tuple[str, str, str]] = []

        def integer(key: str) -> int | None:
            raw = query.get(key)
            if raw is None:
                return None
            try:
                return int(raw)
            except ValueError:
                raise bad_request(f'strconv.ParseInt: parsing "{raw}": invalid syntax') from None

        tail = integer("tailLines")
        since_seconds = integer("sinceSeconds")
        limit = integer("limitBytes")
        since_time = query.get("sinceTime")
        if tail is not None and tail < 0:
            causes.append(
                (
                    "tailLines",
                    "FieldValueInvalid",
                    f"Invalid value: {tail}: must be greater than or equal to 0",
                )
            )
        if limit is not None and limit < 1:
            causes.append(
                (
                    "limitBytes",
                    "FieldValueInvalid",
                    f"Invalid value: {limit}: must be greater than 0",
                )
            )
        if since_seconds is not None and since_time is not None:
            causes.append(
                (
                    "",
                    "FieldValueForbidden",
                    "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified",
                )
            )
        elif since_seconds is not None and since_seconds < 1:
            causes.append(
                (
                    "sinceSeconds",
                    "FieldValueInvalid",
                    f"Invalid value: {since_seconds}: must be greater than 0",
                )
            )
        if causes:
            raise invalid("PodLogOptions", pod_name, causes)
        since_ns = None
        if since_time is not None:
            since_ns = parse_time_ns(since_time)
        elif since_seconds is not None:
            since_ns = now_ns - since_seconds * 1_000_000_000
        return cls(
            container=query.get("container", ""),
            follow=parse_bool("follow", query.get("follow")),
            previous=parse_bool("previous", query.get("previous")),
            timestamps=parse_bool("timestamps", query.get("timestamps")),
            tail_lines=tail,
            since_ns=since_ns,
            limit_bytes=limit,
        )


def choose_container(pod: Mapping[str, Any], requested: str) -> str:
    """The API server's choice: the named container, or the only one there is."""
    spec = pod["spec"]
    name = pod["metadata"]["name"]
    containers: list[str] = [c["name"] for c in spec.get("containers", [])]
    every = [
        c["name"]
        for key in ("initContainers", "containers", "ephemeralContainers")
        for c in spec.get(key) or []
    ]
    if not requested:
        if len(containers) == 1:
            return containers[0]
        if not containers:
            raise bad_request(f"a container name must be specified for pod {name}")
        raise bad_request(
            f"a container name must be specified for pod {name}, choose one of: [{' '.join(every)}]"
        )
    if requested not in every:
        raise bad_request(f"container {requested} is not valid for pod {name}")
    return requested


def resolve_container_id(pod: Mapping[str, Any], container: str, previous: bool) -> str:
    """The kubelet's choice of which container instance's log to read."""
    pod_name = pod["metadata"]["name"]
    status = next(
        (
            s
            for key in ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")
            for s in pod.get("status", {}).get(key) or []
            if s["name"] == container
        ),
        None,
    )
    if status is None:
        raise bad_request(
            f'container "{container}" in pod "{pod_name}" is waiting to start: no status'
        )
    state = status.get("state") or {}
    last = (status.get("lastState") or {}).get("terminated")
    if previous:
        if not last or not last.get("containerID"):
            raise bad_request(
                f'previous terminated container "{container}" in pod "{pod_name}" not found'
            )
        return str(last["containerID"])
    if "running" in state:
        return str(status["containerID"])
    if "terminated" in state:
        cid = state["terminated"].get("containerID") or (last or {}).get("containerID")
        if not cid:
            raise bad_request(f'container "{container}" in pod "{pod_name}" is terminated')
        return str(cid)
    if last:
        if not last.get("containerID"):
            raise bad_request(f'container "{container}" in pod "{pod_name}" is terminated')
        return str(last["containerID"])
    if "waiting" in state:
        reason = state["waiting"].get("reason", "")
        reason = {
            "ErrImagePull": "image can't be pulled",
            "ImagePullBackOff": "trying and failing to pull image",
        }.get(reason, reason)
        raise bad_request(
            f'container "{container}" in pod "{pod_name}" is waiting to start: {reason}'
        )
    raise bad_request(
        f'container "{container}" in pod "{pod_name}" is waiting to start - no logs yet'
    )


def select_lines(lines: list[Line], options: LogOptions) -> list[Line]:
    """The backlog to send first: the last `tailLines`, then only those after `since`."""
    tail = options.tail_lines
    chosen = lines if tail is None else lines[max(0, len(lines) - tail) :]  # all, if fewer
    if options.tail_lines == 0:
        chosen = []
    return [line for line in chosen if wanted(line, options)]


def wanted(line: Line, options: LogOptions) -> bool:
    return options.since_ns is None or line[0] >= options.since_ns


def render(lines: Iterable[Line], timestamps: bool) -> bytes:
    out = bytearray()
    for ns, text in lines:
        if timestamps:
            out += format_timestamp(ns).encode() + b" "
        out += text + b"\n"
    return bytes(out)


def check_line(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    if b"\n" in data:
        raise ValueError("append one line at a time; a log line cannot contain a newline")
    return data
