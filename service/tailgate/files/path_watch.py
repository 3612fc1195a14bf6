"""What the followed path names now, and what that means for its viewers.

After every directory event and on a timer the follower looks at its path (a
``stat``); what the look means is decided by pure functions (``path_state``), and
this acts on it: opens the first file (at its end, or at its start when it
appeared while viewers waited), links a new file after the newest one held
(``rotated`` or ``created``), and keeps the path's state (``waiting``,
``deleted``, an error) that every viewer hears (``follow_state``). Files the name
was given to and lost again before a look are reported as a ``gap``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable

from ..errors import FileRefused
from . import notices
from .backlog import line_boundary_at_or_before
from .chain import HandleChain
from .chain_reader import ChainReader
from .early_open import EarlyFiles
from .follow_state import FollowState, State, error_reason
from .handle import FileHandle, ReadPoint
from .path_state import Action, FirstFile, Held, first_file, on_path, settled, switch_event
from .roots import LogRoots

#: The notice each settled state gives viewers (none when all is well again).
_STATE_NOTICES: dict[State, Callable[[str], bytes | None]] = {
    State.OK: lambda _path: None,
    State.WAITING: notices.waiting,
    State.DELETED: notices.deleted,
}
_FIRST_NOTICES: dict[str, Callable[[str], bytes]] = {
    "appeared": notices.appeared,
    "available": notices.available,
}


class PathWatch:
    def __init__(
        self,
        path: str,
        roots: LogRoots,
        chain: HandleChain,
        reader: ChainReader,
        state: FollowState,
        *,
        opened: Callable[[], None],
        changed: Callable[[], None],
        looked: Callable[[], None],
    ) -> None:
        self.path = path
        self._roots = roots
        self._chain = chain
        self._reader = reader
        self._state = state
        #: Called when the first file was opened (its watch follows it).
        self._opened = opened
        #: Called when the state changed (viewers waiting for news look again).
        self._changed = changed
        #: Called after a look made off the loop (what it found may be read now).
        self._looked = looked
        #: New files opened off the loop as their names appeared (``early_open``).
        self.early: EarlyFiles | None = None
        #: Something may have changed what the path names: look at it when next due.
        self.due = True
        self._look_task: asyncio.Task[None] | None = None
        self._closed = False
        #: The name left by a rename since the last new file (rotated, not deleted).
        self.renamed = False
        #: The first file read, and where reading it began (for viewers that waited).
        self.first: tuple[FileHandle, int] | None = None

    def close(self) -> None:
        self._closed = True
        if self._look_task is not None:
            self._look_task.cancel()

    def look_if_due(self, *, polling: bool) -> None:
        """Look at the path if something may have changed it (off the loop when polling)."""
        if not self.due:
            return
        self.due = False
        if not polling:
            self.look()
        elif self._look_task is None:
            # On a network filesystem a stat can hang: never on the event loop.
            self._look_task = asyncio.get_running_loop().create_task(self._look_off_loop())

    async def _look_off_loop(self) -> None:
        try:
            seen = await asyncio.to_thread(stat_path, self.path)
        finally:
            self._look_task = None
        if not self._closed:
            self.look(seen=seen)
            self._looked()

    def look(self, *, initial: bool = False, seen: os.stat_result | OSError | None = None) -> None:
        """Act on what the path names now (``seen``: a ``stat`` already made off the loop)."""
        self._link_early()
        if seen is None:
            seen = stat_path(self.path)
        newest = self._chain.newest
        held = None
        if newest is not None:
            linked = True
            if isinstance(seen, FileNotFoundError):
                with contextlib.suppress(OSError):
                    linked = newest.linked()
            held = Held(newest.dev, newest.ino, linked)
        action = on_path(held, seen)
        enter = settled(action, self._state.state)
        if enter is not None:
            self.set_state(enter, _STATE_NOTICES[enter](self.path))
        elif action is Action.NOT_A_FILE:
            self.error("not_a_file", f"{self.path} is not a regular file")
        elif action is Action.ERROR:
            assert isinstance(seen, OSError)
            self.error(error_reason(seen), f"cannot access {self.path}: {seen.strerror}")
        elif action in (Action.OPEN_FIRST, Action.OPEN_NEXT):
            self._open_new(initial=initial)
        if action is not Action.ROTATING:
            self._reader.missed()

    def error(self, reason: str, message: str) -> None:
        if self._state.error(reason, message):
            self._changed()

    def set_state(self, state: State, frame: bytes | None) -> None:
        self._state.set(state, frame)
        self._changed()

    def _link_early(self) -> None:
        """Link the files opened off the loop, oldest first, before anything else."""
        early = self.early
        if early is None:
            return
        if early.overflowed:
            early.overflowed = False
            self._chain.overflowed = True
        for opened in early.take():
            handle = self._checked(opened.fd)
            if handle is None:
                continue
            if self._reader.pos is None or self._chain.newest is None or self._holds(handle):
                handle.release()
                continue
            self.renamed |= opened.renamed
            self._link(handle)

    def _checked(self, fd: int) -> FileHandle | None:
        """A handle on a descriptor opened off the loop, once it passed the roots' check."""
        try:
            self._roots.check_descriptor(fd)
            return FileHandle(fd, self.path)
        except FileRefused as exc:
            os.close(fd)
            self._chain.names_met()
            self.error(exc.code, f"{self.path} {exc}; not reading it")
        except OSError as exc:
            os.close(fd)
            self.error(error_reason(exc), f"cannot open {self.path}: {exc.strerror}")
        return None

    def _holds(self, handle: FileHandle) -> bool:
        pos = self._reader.pos
        start = pos.handle if pos is not None else self._chain.newest
        if start is None:
            return False
        key = (handle.dev, handle.ino)
        return any((f.dev, f.ino) == key for f in HandleChain.members(start))

    def _open_new(self, *, initial: bool) -> None:
        if self.early is not None:
            # A file being opened off the loop now is older than the one the path
            # names next: it is linked first (a later one would get this same file).
            with self.early.lock:
                self._link_early()
                self._open_now(initial=initial)
        else:
            self._open_now(initial=initial)

    def _open_now(self, *, initial: bool) -> None:
        try:
            new = FileHandle.open(self.path, self._roots)
        except FileNotFoundError:
            return
        except FileRefused as exc:
            # Say what is wrong, never where the file leads. The name was met: the
            # file it gave is not one to read, not one that was missed.
            self._chain.names_met()
            self.error(exc.code, f"{self.path} {exc}; not reading it")
            return
        except OSError as exc:
            self.error(error_reason(exc), f"cannot open {self.path}: {exc.strerror}")
            return
        chain = self._chain
        newest = chain.newest
        if newest is not None and (newest.dev, newest.ino) == (new.dev, new.ino):
            new.release()
            return
        if self._reader.pos is None or newest is None:
            self._open_first(new, first_file(self._state.state, initial=initial))
            self.renamed = False
        else:
            self._link(new)

    def _link(self, new: FileHandle) -> None:
        """``new`` took the name after the newest file held (takes over the reference)."""
        newest = self._chain.newest
        assert newest is not None
        old_linked = True
        with contextlib.suppress(OSError):
            old_linked = newest.linked()
        event = switch_event(
            old_linked=old_linked,
            renamed=self.renamed,
            was_deleted=self._state.state is State.DELETED,
        )
        self._chain.link(new, event)
        self.set_state(State.OK, None)
        self.renamed = False

    def _open_first(self, handle: FileHandle, first: FirstFile) -> None:
        offset = line_boundary_at_or_before(handle.fd, handle.size()) if first.at_end else 0
        self._chain.hold(handle, appeared=first.event == "appeared")
        self._reader.stand_at(ReadPoint(handle.acquire(), offset, handle.bytes_before(offset), 0))
        self.first = (handle, offset)
        self._opened()
        notice = _FIRST_NOTICES[first.event] if first.event is not None else None
        self.set_state(State.OK, notice(self.path) if notice is not None else None)


def stat_path(path: str) -> os.stat_result | OSError:
    """``stat(path)``, or the error it raised."""
    try:
        return os.stat(path)
    except OSError as exc:
        return exc
