"""Gaps: what a viewer is told when lines it should have had cannot be sent, and why.

Every source ends up in the same few situations, whatever it reads: the viewer fell
further behind than the source keeps, the data went before it was read (a file
truncated or rotated away first), or the place a cursor names is gone. Each is one
``gap`` notice (docs/protocol.md) that says what is known of the loss (``lines``,
``bytes``, ``files``) and its ``cause``, and each notice a viewer gets is counted once
in ``tailgate_gaps_total{log_id, cause}``, so a dashboard shows every source's
losses side by side. Pure: building the frame and naming the count, no I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from .frames import notice_payload


class Cause(enum.StrEnum):
    """Why lines are missing; the ``cause`` of a ``gap`` frame and its metric label."""

    BEHIND = "behind"
    """The viewer fell further behind than the source keeps (a pod log's ring)."""

    TRUNCATED = "truncated"
    """A file was emptied before the viewer read it to its end (copytruncate)."""

    ROTATED_AWAY = "rotated_away"
    """Files came and went under the log's name before they could be read."""

    CURSOR = "cursor"
    """The place a resume cursor names is gone, or cannot be read again in full."""


@dataclass(frozen=True, slots=True)
class Gap:
    cause: Cause
    message: str
    lines: int | None = None
    #: The frame's ``bytes``: how much of the log's data is known to be missing.
    size: int | None = None
    files: int | None = None

    def payload(self) -> bytes:
        extra: dict[str, Any] = {"cause": str(self.cause)}
        for name, value in (("lines", self.lines), ("bytes", self.size), ("files", self.files)):
            if value is not None:
                extra[name] = value
        return notice_payload("gap", self.message, **extra)


def fell_behind(lines: int) -> Gap:
    """A viewer catching up found the source had moved on past its place."""
    return Gap(
        Cause.BEHIND,
        f"{lines} lines were skipped: this connection fell behind further than the server keeps",
        lines=lines,
    )


def truncated_before_read(path: str, lost: int) -> Gap:
    """A copytruncate emptied the file before ``lost`` bytes of it were read."""
    return Gap(
        Cause.TRUNCATED,
        f"{path} was truncated before {lost} bytes of it were read; they are in its copy",
        size=lost,
    )


def rotated_away(path: str, files: int, lost: int) -> Gap:
    """Files under the name were rotated away (``lost`` bytes known) before they were read."""
    held = f"; {lost} bytes of them are in its rotated copies" if lost else ""
    message = f"{files} files under {path} were rotated away before they could be read{held}"
    return Gap(Cause.ROTATED_AWAY, message, files=files, size=lost)


def cursor_lost(message: str) -> Gap:
    """A cursor's place is gone: the tail goes on elsewhere, as ``message`` says."""
    return Gap(Cause.CURSOR, message)
