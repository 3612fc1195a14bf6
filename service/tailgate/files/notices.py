"""What viewers of a file log are told when the file changes: one place for every notice.

The follower tells its live viewers and a viewer catching up tells itself (when
it reaches the same place in the files), so both build the same frames here.
"""

from __future__ import annotations

from ..streaming.frames import notice_payload


def switch_message(path: str, event: str) -> str:
    """What a viewer is told when reading moves on to another file under ``path``."""
    if event == "rotated":
        return f"{path} was rotated; reading the new file"
    return f"{path} is back; reading it from its start"


def switched(path: str, event: str) -> bytes:
    """``rotated`` or ``created``: reading goes on in the next file."""
    return notice_payload(event, switch_message(path, event))


def truncated(path: str) -> bytes:
    return notice_payload("truncated", f"{path} was truncated; reading from its start")


def late(path: str, lines: int) -> bytes:
    """Lines written to a file after every reader finished it."""
    message = (
        f"{lines} lines were written to a rotated copy of {path} after it was read to "
        "its end; they are in that copy, not in this tail"
    )
    return notice_payload("late", message, lines=lines)


def waiting(path: str) -> bytes:
    return notice_payload("waiting", f"{path} does not exist yet; waiting for it")


def deleted(path: str) -> bytes:
    return notice_payload("deleted", f"{path} was deleted; waiting for it to come back")


def appeared(path: str) -> bytes:
    return notice_payload("created", f"{path} now exists")


def available(path: str) -> bytes:
    return notice_payload("available", f"{path} can be read")
