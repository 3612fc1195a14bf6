"""One inotify instance for the whole process, dispatched on the asyncio loop.

Following files must not wait on a polling interval, so file changes come from
inotify. Every follower and the catalog watcher share one inotify descriptor: the
kernel returns the same watch descriptor for the same inode, so registrations are
reference-counted here and removed only when the last subscriber leaves.

``inotify_simple`` makes the system calls and decodes the events. Its descriptor is
registered with the loop, and each wake-up reads at most ``READ_SIZE`` bytes with
``os.read`` (its own ``read()`` takes everything queued), so one busy folder cannot
hold the loop for the length of the whole kernel queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from inotify_simple import INotify, flags, parse_events

from .early_open import EarlyOpener

log = logging.getLogger(__name__)

IN_MODIFY = int(flags.MODIFY)
IN_ATTRIB = int(flags.ATTRIB)
IN_CLOSE_WRITE = int(flags.CLOSE_WRITE)
IN_MOVED_FROM = int(flags.MOVED_FROM)
IN_MOVED_TO = int(flags.MOVED_TO)
IN_CREATE = int(flags.CREATE)
IN_DELETE = int(flags.DELETE)
IN_DELETE_SELF = int(flags.DELETE_SELF)
IN_MOVE_SELF = int(flags.MOVE_SELF)
IN_Q_OVERFLOW = int(flags.Q_OVERFLOW)
IN_IGNORED = int(flags.IGNORED)
IN_ONLYDIR = int(flags.ONLYDIR)
IN_MASK_ADD = int(flags.MASK_ADD)

#: What a directory watch reports: names appearing, vanishing, being written.
DIR_EVENTS = (
    IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE
)
#: What a file watch reports: writes and truncation, and the inode being moved or unlinked.
FILE_EVENTS = IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF

#: Bytes of events read at once.
READ_SIZE = 65536
#: ``dispatch_pending`` reads at most this many times (about 65,000 events).
MAX_PENDING_READS = 32

#: Called with the event mask and the name inside a watched directory (or None).
Callback = Callable[[int, str | None], None]

#: Without an instance, making one is tried again at most this often (seconds), when
#: a watch is asked for: instances freed elsewhere end the polling they forced.
RETRY_EVERY = 10.0


class InotifyUnavailable(OSError):
    """inotify cannot be used here (kernel, limits, filesystem): poll instead."""


@dataclass
class _Watch:
    wd: int
    path: str
    #: Subscribers that hear every event of the watch.
    callbacks: dict[int, Callback] = field(default_factory=dict)
    #: Subscribers to a folder that hear only the events naming one entry (and those
    #: naming none), by that name: a folder of many followed files would otherwise
    #: call every follower on every write to any of them.
    named: dict[str, dict[int, Callback]] = field(default_factory=dict)
    #: The name a subscriber of ``named`` listens for, by token (kept when it hears all).
    name_of: dict[int, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.callbacks) or bool(self.named)

    def everyone(self) -> list[Callback]:
        out = list(self.callbacks.values())
        for listeners in self.named.values():
            out.extend(listeners.values())
        return out

    def hearing(self, name: str | None) -> list[Callback]:
        """The subscribers an event naming ``name`` (None: the folder itself) goes to."""
        if name is None:
            return self.everyone()
        named = self.named.get(name)
        if not named:
            return list(self.callbacks.values())
        return [*self.callbacks.values(), *named.values()]

    def hear_all(self, token: int, everything: bool) -> None:
        name = self.name_of.get(token)
        if name is None:
            return
        if everything:
            listeners = self.named.get(name, {})
            callback = listeners.pop(token, None)
            if callback is not None:
                self.callbacks[token] = callback
                if not listeners:
                    self.named.pop(name, None)
        else:
            callback = self.callbacks.pop(token, None)
            if callback is not None:
                self.named.setdefault(name, {})[token] = callback

    def remove(self, token: int) -> None:
        self.callbacks.pop(token, None)
        name = self.name_of.pop(token, None)
        if name is not None:
            listeners = self.named.get(name, {})
            listeners.pop(token, None)
            if not listeners:
                self.named.pop(name, None)


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

    def hear_all_names(self, everything: bool) -> None:
        """A subscription to one name of a folder: hear the events naming any entry too
        (``everything``), or again only its own."""
        if self._wd >= 0:
            entry = self._hub._watches.get(self._wd)
            if entry is not None:
                entry.hear_all(self._token, everything)


class InotifyHub:
    """Owns the inotify descriptor and routes events to subscribers' callbacks."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        factory: Callable[[], INotify] = lambda: INotify(nonblocking=True),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._loop = loop
        self._factory = factory
        self._clock = clock
        self._inotify: INotify | None = None
        self._fd = -1
        self._watches: dict[int, _Watch] = {}
        self._next_token = 0
        self._early: EarlyOpener | None = None
        self._tried_at = 0.0
        self._early_tried_at = 0.0
        self._early_failed = False
        self._closed = False
        #: Events of one read are being handed to subscribers (more may follow).
        self.dispatching = False
        self._create(first=True)

    def _create(self, *, first: bool) -> None:
        """Make the instance; said once when it fails, and once when it comes back."""
        self._tried_at = self._clock()
        try:
            # AttributeError: a C library without inotify_init1 (not Linux).
            self._inotify = self._factory()
        except (OSError, AttributeError) as exc:
            if first:
                log.warning(
                    "inotify unavailable (%s): files will be polled, and inotify tried "
                    "again every %.0f s while they are",
                    exc,
                    RETRY_EVERY,
                )
            return
        self._fd = self._inotify.fileno()
        self._loop.add_reader(self._fd, self._on_readable)
        if not first:
            log.info("inotify available again: files are watched, not polled")

    @property
    def available(self) -> bool:
        return self._fd >= 0

    def subscribe(
        self, path: str, mask: int, callback: Callback, *, name: str | None = None
    ) -> Watch:
        """Watch ``path`` for ``mask``; raises InotifyUnavailable when it cannot.

        ``name``: ``path`` is a folder, and only its events naming that entry, or
        naming none (the folder's own, an overflow), are wanted, until the watch is
        told to hear all names (``Watch.hear_all_names``).
        Without an instance, one is made again first, at most every ``RETRY_EVERY``.
        """
        if (
            self._inotify is None
            and not self._closed
            and self._clock() - self._tried_at >= RETRY_EVERY
        ):
            self._create(first=False)
        if self._inotify is None or self._fd < 0:
            raise InotifyUnavailable(errno.ENOSYS, "inotify is not available")
        try:
            wd: int = self._inotify.add_watch(path, mask | IN_MASK_ADD)
        except OSError as exc:
            err = exc.errno or errno.EINVAL
            raise InotifyUnavailable(err, f"cannot watch {path}: {os.strerror(err)}") from None
        entry = self._watches.get(wd)
        if entry is None:
            entry = self._watches[wd] = _Watch(wd, path)
        self._next_token += 1
        token = self._next_token
        if name is None:
            entry.callbacks[token] = callback
        else:
            entry.named.setdefault(name, {})[token] = callback
            entry.name_of[token] = name
        return Watch(self, wd, token)

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

    def early_opener(self) -> EarlyOpener | None:
        """The thread that opens new files under followed names (started on first use).

        When it cannot start (no inotify instance left for it), it is tried again at
        most every ``RETRY_EVERY``, and said once.
        """
        if self._early is not None or not self.available or self._closed:
            return self._early
        if self._early_tried_at and self._clock() - self._early_tried_at < RETRY_EVERY:
            return None
        self._early_tried_at = self._clock()
        try:
            self._early = EarlyOpener(self._loop)
        except OSError as exc:
            if not self._early_failed:
                log.warning("new files will be opened by the loop alone: %s", exc)
            self._early_failed = True
        return self._early

    def close(self) -> None:
        self._closed = True
        if self._early is not None:
            self._early.close()
            self._early = None
        if self._inotify is not None:
            if self._fd >= 0:
                self._loop.remove_reader(self._fd)
            self._inotify.close()
            self._inotify = None
            self._fd = -1
        self._watches.clear()

    def _unsubscribe(self, wd: int, token: int) -> None:
        entry = self._watches.get(wd)
        if entry is None:
            return
        entry.remove(token)
        if not entry:
            del self._watches[wd]
            if self._inotify is not None:
                # Fails harmlessly (EINVAL) when the kernel already dropped the watch.
                with contextlib.suppress(OSError):
                    self._inotify.rm_watch(wd)

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
        for event in parse_events(data):
            mask: int = event.mask
            if mask & IN_Q_OVERFLOW:
                # Events were lost: everyone re-checks.
                for entry in self._watches.values():
                    calls.extend((cb, mask, None) for cb in entry.everyone())
                continue
            found = self._watches.get(event.wd)
            if found is None:
                continue
            name: str | None = event.name or None
            calls.extend((cb, mask, name) for cb in found.hearing(name))
            if mask & IN_IGNORED:
                self._watches.pop(event.wd, None)
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
