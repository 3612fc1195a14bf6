"""What a look at the log's path means: pure decisions, no I/O.

The follower looks at its path (a ``stat``) after every directory event and on a
timer, and at its open files (``fstat``) when it reaches their end. What it does
next depends only on what it already holds and on what those calls said, so the
decisions live here, apart from the reading, and are checked from tables.
"""

from __future__ import annotations

import enum
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .follow_state import State


class Action(enum.StrEnum):
    #: The path still names the newest file held: nothing changed.
    SAME = "same"
    #: Nothing is held yet and a file is there: open it.
    OPEN_FIRST = "open_first"
    #: Another file took the name: open it at once and link it after the newest.
    OPEN_NEXT = "open_next"
    #: Nothing is there and nothing is held: wait for the file (``waiting``).
    WAIT = "wait"
    #: Nothing is there, but the held file was renamed away: a new one is due; stay quiet.
    ROTATING = "rotating"
    #: Nothing is there and the held file was deleted (``deleted``).
    DELETED = "deleted"
    #: Something other than a regular file has the name.
    NOT_A_FILE = "not_a_file"
    #: The path cannot be looked at (permissions, I/O error).
    ERROR = "error"


class StatLike(Protocol):
    @property
    def st_dev(self) -> int: ...
    @property
    def st_ino(self) -> int: ...
    @property
    def st_mode(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Held:
    """The newest file the follower holds open for the path."""

    dev: int
    ino: int
    #: Still has a name somewhere (``st_nlink > 0``): renamed, not deleted.
    linked: bool


def on_path(held: Held | None, seen: StatLike | OSError) -> Action:
    """What to do after ``stat(path)`` gave ``seen`` (a result or the error it raised)."""
    if isinstance(seen, FileNotFoundError):
        if held is None:
            return Action.WAIT
        return Action.ROTATING if held.linked else Action.DELETED
    if isinstance(seen, OSError):
        return Action.ERROR
    if not stat.S_ISREG(seen.st_mode):
        return Action.NOT_A_FILE
    if held is None:
        return Action.OPEN_FIRST
    if (seen.st_dev, seen.st_ino) == (held.dev, held.ino):
        return Action.SAME
    return Action.OPEN_NEXT


#: The state a look settles the path in, when it only says where the path stands.
_SETTLES = {Action.SAME: State.OK, Action.WAIT: State.WAITING, Action.DELETED: State.DELETED}


def settled(action: Action, state: State) -> State | None:
    """The state to enter after ``action`` in ``state``; None to stay as it is.

    Only a look that finds the same file, nothing, or a deletion settles a state
    here: errors and files to open are the caller's, and a rotation in progress
    (``ROTATING``) changes nothing until the new file is there.
    """
    wanted = _SETTLES.get(action)
    return None if wanted is None or wanted is state else wanted


@dataclass(frozen=True, slots=True)
class FirstFile:
    """How to begin the first file the path gives."""

    #: Begin at its end (it was there all along) rather than its start (it is all new).
    at_end: bool
    #: The notice viewers get: ``appeared`` after waiting, ``available`` after an error.
    event: str | None


def first_file(was: State, *, initial: bool) -> FirstFile:
    """A file that appears while we wait is all new; one that was there all along (at
    start, or unreadable until now) is read from its end."""
    event = {State.WAITING: "appeared", State.ERROR: "available"}.get(was)
    return FirstFile(at_end=initial or was is State.ERROR, event=event)


def switch_event(*, old_linked: bool, renamed: bool, was_deleted: bool = False) -> str:
    """The notice for moving on to a new file: ``rotated`` or ``created``.

    A file renamed away (seen leaving by its directory event, or still linked
    under another name) was rotated; one that was deleted and whose name came
    back with a new file was not: the new file was ``created`` (and always is after
    viewers heard ``deleted``).
    """
    if was_deleted:
        return "created"
    return "rotated" if renamed or old_linked else "created"


def writer_moved_on(later_sizes: Sequence[int]) -> bool:
    """Whether a linked file is finished, given the sizes of the files after it.

    A writer that keeps appending to a renamed file (logrotate ``create`` before
    the writer reopens, the kubelet before the runtime reopens) writes nothing to
    the new file yet. The first byte in any later file shows it has moved on.
    """
    return any(size > 0 for size in later_sizes)


def truncated(size: int, offset: int, *, tail_matches: bool) -> bool:
    """Whether a file shrank below ``offset``, or was rewritten before it."""
    return size < offset or (offset > 0 and not tail_matches)


def missed_files(creates: int, opened: int) -> bool:
    """Whether the name was given to more new files than were opened.

    Each directory event that puts a new file under the name (created, or moved
    there) should meet a new file when the path is looked at; a file renamed away
    again before that look was never opened and must be looked for among the
    rotated copies.
    """
    return creates > opened


def late_bytes(end: int | None, size: int) -> int:
    """Bytes written to a finished file past the ``end`` every reader stops at."""
    return 0 if end is None else max(0, size - end)


def lost_to_truncation(offset: int, copy_size: int | None) -> int:
    """Bytes a copytruncate took away before they were read.

    ``copy_size`` is the size of the copy whose bytes before ``offset`` match the
    ones read (None when no copy is found): what it holds past ``offset`` was in
    the file and never read.
    """
    return 0 if copy_size is None else max(0, copy_size - offset)
