"""One inotify instance for the whole process, dispatched on the asyncio loop.

Following files must not wait on a polling interval, so file changes come from
inotify. Every follower and the catalog watcher share one inotify descriptor: the
kernel returns the same watch descriptor for the same inode, so registrations are
reference-counted here and removed only when the last subscriber leaves.

Bound through ctypes: the three system calls are all we need, and no dependency
reads events on our loop the way followers need them.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import errno
import logging
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_MASK_ADD = 0x20000000

IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000

#: What a directory watch reports: names appearing, vanishing, being written.
DIR_EVENTS = (
    IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE
)
#: What a file watch reports: writes and truncation, and the inode being moved or unlinked.
FILE_EVENTS = IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF

_EVENT_HEADER = struct.Struct("iIII")
#: Bytes of events read at once.
READ_SIZE = 65536
#: ``dispatch_pending`` reads at most this many times (about 65,000 events).
MAX_PENDING_READS = 32

#: Called with the event mask and the name inside a watched directory (or None).
Callback = Callable[[int, str | None], None]


class InotifyUnavailable(OSError):
    """inotify cannot be used here (kernel, limits, filesystem): poll instead."""


def _load_libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6", use_errno=True)
        libc.inotify_init1.argtypes = [ctypes.c_int]
        libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        libc.inotify_rm_watch.argtypes = [ctypes.c_int, ctypes.c_int]
    except (OSError, AttributeError):
        return None
    return libc


@dataclass
class _Watch:
    wd: int
    path: str
    callbacks: dict[int, Callback] = field(default_factory=dict)


class Watch:
    """A subscription; ``close()`` ends it (idempotent)."""

    __slots__ = ("_hub", "_token", "_wd")

    def __init__(self, hub: InotifyHub, wd: int, token: int) -> None:
        self._hub = hub
        self._wd = wd
        self._token = token

    def close(self) -> None:
        if self._wd >= 0:
            self._hub._unsubscribe(self._wd, self._token)
            self._wd = -1


class InotifyHub:
    """Owns the inotify descriptor and routes events to subscribers' callbacks."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._libc = _load_libc()
        self._fd = -1
        self._watches: dict[int, _Watch] = {}
        self._next_token = 0
        #: Events of one read are being handed to subscribers (more may follow).
        self.dispatching = False
        if self._libc is None:
            return
        fd = self._libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            log.warning("inotify unavailable (%s): files will be polled", _strerror())
            return
        self._fd = fd
        loop.add_reader(fd, self._on_readable)

    @property
    def available(self) -> bool:
        return self._fd >= 0

    def subscribe(self, path: str, mask: int, callback: Callback) -> Watch:
        """Watch ``path`` for ``mask``; raises InotifyUnavailable when it cannot."""
        if self._fd < 0 or self._libc is None:
            raise InotifyUnavailable(errno.ENOSYS, "inotify is not available")
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(path), mask | IN_MASK_ADD)
        if wd < 0:
            err = ctypes.get_errno()
            raise InotifyUnavailable(err, f"cannot watch {path}: {os.strerror(err)}")
        entry = self._watches.get(wd)
        if entry is None:
            entry = self._watches[wd] = _Watch(wd, path)
        self._next_token += 1
        entry.callbacks[self._next_token] = callback
        return Watch(self, wd, self._next_token)

    def dispatch_pending(self) -> None:
        """Handle the events waiting now, without waiting for the loop to get to them.

        A follower busy reading a large batch calls this between chunks, so that
        a new file's name is seen (and the file opened) before it can be renamed
        away again.
        """
        # A busy folder queues an event per write: read until the queue is empty
        # (or a bound), so that the events that matter are not left behind the rest.
        for _ in range(MAX_PENDING_READS):
            if self._fd < 0 or not self._on_readable():
                return

    def close(self) -> None:
        if self._fd >= 0:
            self._loop.remove_reader(self._fd)
            os.close(self._fd)
            self._fd = -1
        self._watches.clear()

    def _unsubscribe(self, wd: int, token: int) -> None:
        entry = self._watches.get(wd)
        if entry is None:
            return
        entry.callbacks.pop(token, None)
        if not entry.callbacks:
            del self._watches[wd]
            if self._fd >= 0 and self._libc is not None:
                # Fails harmlessly (EINVAL) when the kernel already dropped the watch.
                self._libc.inotify_rm_watch(self._fd, wd)

    def _on_readable(self) -> bool:
        """Hand out one read of events; False when there was nothing to read."""
        try:
            data = os.read(self._fd, READ_SIZE)
        except BlockingIOError:
            return False
        except OSError as exc:
            log.error("reading inotify events failed: %s", exc)
            return False
        # Collect first, then call: a callback may subscribe or unsubscribe.
        calls: list[tuple[Callback, int, str | None]] = []
        pos = 0
        while pos + _EVENT_HEADER.size <= len(data):
            wd, mask, _cookie, length = _EVENT_HEADER.unpack_from(data, pos)
            pos += _EVENT_HEADER.size
            raw_name = data[pos : pos + length].rstrip(b"\0")
            pos += length
            name = os.fsdecode(raw_name) if raw_name else None
            if mask & IN_Q_OVERFLOW:
                # Events were lost: everyone re-checks.
                for entry in self._watches.values():
                    calls.extend((cb, mask, None) for cb in entry.callbacks.values())
                continue
            found = self._watches.get(wd)
            if found is None:
                continue
            calls.extend((cb, mask, name) for cb in found.callbacks.values())
            if mask & IN_IGNORED:
                self._watches.pop(wd, None)
        # Subscribers can tell a batch still being handed out from one handed out whole.
        self.dispatching = True
        try:
            for callback, mask, name in calls:
                try:
                    callback(mask, name)
                except Exception:
                    log.exception("inotify callback failed")
        finally:
            self.dispatching = False
        return True


def _strerror() -> str:
    return os.strerror(ctypes.get_errno())
