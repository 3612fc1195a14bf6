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

from . import fstype
from .inotify import DIR_EVENTS, FILE_EVENTS, Callback, InotifyHub, InotifyUnavailable, Watch

log = logging.getLogger(__name__)

#: With inotify, the path is still re-checked this often, for what inotify cannot see.
SAFETY_POLL = 2.0
#: Without inotify, the file is checked this often.
POLL_INTERVAL = 0.25


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
        self._file_watch: Watch | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False

    @property
    def polling(self) -> bool:
        return self.mode is FollowMode.POLL

    def start(self) -> None:
        if self.mode is FollowMode.AUTO and fstype.is_remote(fstype.mount_type(self._path)):
            log.info("polling %s: it is on a network filesystem", self._path)
            self.mode = FollowMode.POLL
        self.watch_dir()

    def close(self) -> None:
        self._closed = True
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
            self._dir_watch = self._hub.subscribe(self._dir, DIR_EVENTS, self._on_dir)
        except InotifyUnavailable:
            self._dir_watch = None

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
        self._timer = self._loop.call_later(interval, self._fire)

    def _fire(self) -> None:
        self._timer = None
        if self._dir_watch is None:
            self.watch_dir()
        self._on_timer()
