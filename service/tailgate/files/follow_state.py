"""The state of a followed path, as every viewer of it hears it.

A file that is not there yet, deleted, or unreadable is a state rather than an
event: a viewer that attaches later hears it at once, and a viewer hears each
state once. Errors are counted in ``tailgate_source_errors_total`` and logged
once per change, not once per look.
"""

from __future__ import annotations

import enum
import logging

from ..metrics import Metrics
from ..streaming.frames import error_payload
from ..streaming.viewer import Viewer

log = logging.getLogger(__name__)


class State(enum.StrEnum):
    OK = "ok"
    WAITING = "waiting"
    DELETED = "deleted"
    ERROR = "error"


class FollowState:
    def __init__(self, log_id: str, metrics: Metrics) -> None:
        self._log_id = log_id
        self._metrics = metrics
        self.state = State.OK
        self._frame: bytes | None = None
        self._viewers: set[Viewer] = set()

    def attach(self, viewer: Viewer) -> None:
        """Register a viewer for state notices; it hears the current state at once."""
        self._viewers.add(viewer)
        if self._frame is not None:
            viewer.state(self._frame)

    def detach(self, viewer: Viewer) -> None:
        self._viewers.discard(viewer)

    def clear(self) -> None:
        self._viewers.clear()

    def set(self, state: State, frame: bytes | None) -> None:
        """Enter ``state``; ``frame`` (a notice or an error) goes to every viewer."""
        self.state = state
        self._frame = frame if state is not State.OK else None
        if frame is not None:
            for viewer in list(self._viewers):
                viewer.state(frame)

    def error(self, reason: str, message: str) -> bool:
        """Enter the error state; False when it is the same error as now."""
        frame = error_payload(reason, message)
        if self.state is State.ERROR and self._frame == frame:
            return False
        self._metrics.source_errors.labels("file", reason).inc()
        log.warning("%s", message, extra={"log_id": self._log_id, "reason": reason})
        self.set(State.ERROR, frame)
        return True


def error_reason(exc: OSError) -> str:
    """The error code viewers get for a file that cannot be opened."""
    if isinstance(exc, PermissionError):
        return "permission_denied"
    if isinstance(exc, IsADirectoryError):
        return "not_a_file"
    return "open_error"
