"""What wakes a follower: inotify watches on its folder and its open file, and a timer.

Followers must not wait on a polling interval, so changes come from inotify: the
folder's watch for the name (files appearing, renamed, deleted), the open file's
own watch (through ``/proc/self/fd``, whatever its name now) for writes. A timer
catches what inotify cannot see: slowly with inotify, often without it (network
filesystems, where changes may come from another machine, or no inotify at all).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from ..metrics import Metrics
from . import fstype
from .inotify import (
    DIR_EVENTS,
    FILE_EVENTS,
    IN_ATTRIB,
    IN_CREATE,
    IN_DELETE,
    IN_DELETE_SELF,
    IN_IGNORED,
    IN_MOVE_SELF,
    IN_MOVED_FROM,
    IN_MOVED_TO,
    IN_Q_OVERFLOW,
    Callback,
    InotifyHub,
    InotifyUnavailable,
    Watch,
)

log = logging.getLogger(__name__)

#: With inotify, the path is still re-checked this often, for what inotify cannot see.
SAFETY_POLL = 2.0
#: Without inotify, the file is checked this often.
POLL_INTERVAL = 0.25


#: Directory events that may change which file the path names.
_NAME_CHANGES = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB
#: Directory events that give the name to a new file.
_NEW_NAME = IN_CREATE | IN_MOVED_TO
#: Events on the open file that may mean its name changed.
_FILE_NAME_CHANGES = IN_MOVE_SELF | IN_DELETE_SELF | IN_ATTRIB | IN_IGNORED | IN_Q_OVERFLOW


@dataclass(frozen=True, slots=True)
class DirNews:
    """What one event of the folder's watch tells a follower (pure: see ``dir_news``)."""

    #: Look at the path again.
    look: bool = False
    #: Perhaps a write to a finished file under its rotated name.
    late: bool = False
    #: The name was given to a new file (created or moved there).
    new_name: bool = False
    #: The name left by a rename (rotated, not deleted).
    renamed: bool = False
    #: The kernel dropped events: anything may have happened.
    overflowed: bool = False
    #: The folder itself went away (its watch ended).
    dir_gone: bool = False


def dir_news(
    mask: int, name: str | None, *, own: str, watching_late: bool, reading_newest: bool
) -> DirNews | None:
    """What a folder event means for the follower of the name ``own``; None: nothing.

    ``reading_newest``: the follower reads the newest file that had the name (a write
    to it is reported by the file's own watch too); ``watching_late``: finished files
    are watched for writes under their rotated names.
    """
    if name is None or mask & (IN_Q_OVERFLOW | IN_IGNORED):
        return DirNews(
            look=True, overflowed=bool(mask & IN_Q_OVERFLOW), dir_gone=bool(mask & IN_IGNORED)
        )
    if name != own:
        return DirNews(late=True) if watching_late else None
    if mask & _NAME_CHANGES:
        return DirNews(
            look=True, new_name=bool(mask & _NEW_NAME), renamed=bool(mask & IN_MOVED_FROM)
        )
    # A write to a newer file than the one read: the writer may have moved on.
    return None if reading_newest else DirNews(look=True)


def file_news(mask: int) -> bool:
    """Whether an event on the open file means the path must be looked at again."""
    return bool(mask & _FILE_NAME_CHANGES)


class FollowMode(enum.StrEnum):
    AUTO = "auto"
    POLL = "poll"


class Wakeups:
    def __init__(
        self,
        path: str,
        *,
        hub: InotifyHub | None,
        mode: FollowMode,
        poll_interval: float,
        on_dir: Callback,
        on_file: Callback,
        on_timer: Callable[[], None],
        metrics: Metrics | None = None,
    ) -> None:
        self._path = path
        self._dir = os.path.dirname(path) or "."
        self._hub = hub
        self.mode = mode
        self._poll_interval = poll_interval
        self._on_dir = on_dir
        self._on_file = on_file
        self._on_timer = on_timer
        self._loop = asyncio.get_running_loop()
        self._dir_watch: Watch | None = None
        #: Events naming other entries of the folder are heard too (``hear_other_names``).
        self._other_names = False
        self._file_watch: Watch | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._metrics = metrics
        #: Counted in ``tailgate_file_followers_polling`` now.
        self._counted_polling = False

    @property
    def polling(self) -> bool:
        return self.mode is FollowMode.POLL

    @property
    def watching_names(self) -> bool:
        """Whether the folder's watch tells every new file under the name.

        Without it (polling, or no watch on the folder now) files renamed away
        between two looks are known by nothing but the rotated copies.
        """
        return not self.polling and self._dir_watch is not None

    def start(self) -> None:
        if self.mode is FollowMode.AUTO and fstype.is_remote(fstype.mount_type(self._path)):
            log.info("polling %s: it is on a network filesystem", self._path)
            self.mode = FollowMode.POLL
        self.watch_dir()

    def close(self) -> None:
        self._closed = True
        self._count_polling(False)
        if self._timer is not None:
            self._timer.cancel()
        for watch in (self._dir_watch, self._file_watch):
            if watch is not None:
                watch.close()

    def watch_dir(self) -> None:
        """Watch the folder, unless polling or already watching."""
        if self.polling or self._hub is None or self._dir_watch is not None:
            return
        try:
            self._dir_watch = self._hub.subscribe(
                self._dir, DIR_EVENTS, self._on_dir, name=os.path.basename(self._path)
            )
        except InotifyUnavailable:
            self._dir_watch = None
            return
        if self._other_names:
            self._dir_watch.hear_all_names(True)

    def hear_other_names(self, wanted: bool) -> None:
        """Hear the folder's events about other names too (finished files are watched
        for late writes under their rotated names), or only the path's own name."""
        if wanted is self._other_names:
            return
        self._other_names = wanted
        if self._dir_watch is not None:
            self._dir_watch.hear_all_names(wanted)

    def watch_file(self, fd: int | None) -> None:
        """Watch the open file ``fd`` (None: no file), instead of the one watched before."""
        if self._file_watch is not None:
            self._file_watch.close()
            self._file_watch = None
        if self.polling or self._hub is None or fd is None:
            return
        # /proc/self/fd/N names exactly the inode we hold open, whatever its name now.
        try:
            self._file_watch = self._hub.subscribe(
                f"/proc/self/fd/{fd}", FILE_EVENTS, self._on_file
            )
        except InotifyUnavailable:
            self._file_watch = None

    @property
    def file_unwatched(self) -> bool:
        """Whether the open file could be watched but is not (inotify came back since)."""
        return not self.polling and self._dir_watch is not None and self._file_watch is None

    def dir_gone(self) -> None:
        """The folder went away (its watch ended): poll until it returns."""
        self._dir_watch = None

    def file_gone(self) -> None:
        self._file_watch = None

    def arm(self, *, holding: bool) -> None:
        """Start the timer: soon without inotify, slowly with it."""
        if self._closed:
            return
        polling = self.polling or self._dir_watch is None
        if holding and self._file_watch is None:
            polling = True
        interval = self._poll_interval if polling else SAFETY_POLL
        self._count_polling(polling)
        self._timer = self._loop.call_later(interval, self._fire)

    def _count_polling(self, polling: bool) -> None:
        if self._metrics is None or polling is self._counted_polling:
            return
        self._counted_polling = polling
        gauge = self._metrics.file_followers_polling
        if polling:
            gauge.inc()
        else:
            gauge.dec()

    def _fire(self) -> None:
        self._timer = None
        if self._dir_watch is None:
            self.watch_dir()
        self._on_timer()
