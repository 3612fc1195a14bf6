"""New files under a followed name, opened the moment they appear by a thread of their own.

A busy log rotates every few milliseconds, and a file is lost once its name has moved
on twice before anyone opened it (``rename`` over the last copy, the kubelet's
compression of old copies). The event loop opens a new file when it looks at the
path, right after its folder's event is handed out; on a loaded machine, or with many
viewers to write to, that can come tens of milliseconds late. This thread blocks on
an inotify descriptor of its own, which hears only names coming and going in
followed folders, and opens each new file under a followed name at once: one
``open`` (read-only, non-blocking), nothing else, since every step here waits for
the interpreter's lock, which a busy loop holds for milliseconds at a time. The
descriptor pins the file; nothing is read from it until the loop has checked it
against the log's roots (``LogRoots.check_descriptor``, as for every file of a log).

Opened files wait, in the order their names came, for the follower's next look,
which checks and links them into the chain before it looks at the path itself. The
loop still opens what the path names when it gets there first; it takes ``lock`` to
do so, so a file this thread is opening at that moment (an older one) is linked
first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import select
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from inotify_simple import INotify, flags

from .roots import LogRoots

log = logging.getLogger(__name__)

_NEW_NAME = int(flags.CREATE | flags.MOVED_TO)
_NAME_LEFT = int(flags.MOVED_FROM)
_NAME_GONE = int(flags.DELETE)
_WATCHED = _NEW_NAME | _NAME_LEFT | _NAME_GONE | int(flags.ONLYDIR)
_OVERFLOW = int(flags.Q_OVERFLOW)
_IGNORED = int(flags.IGNORED)


@dataclass(frozen=True, slots=True)
class Opened:
    """A descriptor opened for a new file under the name, not checked or read yet."""

    fd: int
    #: The name's previous file left by a rename (rotated), not by deletion.
    renamed: bool


@dataclass(eq=False)
class EarlyFiles:
    """One follower's files opened early, oldest first, and how to tell it of more."""

    path: str
    roots: LogRoots
    wake: Callable[[], None]
    #: The folder's watch descriptor and the name in it.
    key: tuple[int, str]
    opened: deque[Opened] = field(default_factory=deque)
    #: Held while a file is being opened and queued: the loop takes it before it
    #: opens a file itself, so nothing opened here is queued after what it opened.
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Events were lost here: the loop looks for what it missed as it always does.
    overflowed: bool = False
    #: Its follower stopped: nothing more is queued.
    closed: bool = False
    #: The name was left by a rename since the last file opened (the thread's own).
    renamed: bool = False

    def take(self) -> list[Opened]:
        """The files opened since the last call, oldest first (the caller owns them)."""
        out = []
        while self.opened:
            out.append(self.opened.popleft())
        return out

    def close(self) -> None:
        with self.lock:
            self.closed = True
        for opened in self.take():
            os.close(opened.fd)


class EarlyOpener:
    """The thread, its inotify descriptor, and the followed names it opens files for."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._inotify = INotify(nonblocking=True)
        self._stop_r, self._stop_w = os.pipe()
        self._lock = threading.Lock()
        #: Watch descriptor -> folder, and (watch, name) -> the followers of that name.
        self._folders: dict[int, str] = {}
        self._names: dict[tuple[int, str], list[EarlyFiles]] = {}
        self._thread = threading.Thread(target=self._run, name="tailgate early open", daemon=True)
        self._thread.start()

    def follow(self, path: str, roots: LogRoots, wake: Callable[[], None]) -> EarlyFiles:
        """Open new files under ``path`` from now on; ``wake`` runs on the loop after each."""
        folder, name = os.path.split(os.path.abspath(path))
        wd: int = self._inotify.add_watch(folder, _WATCHED)
        files = EarlyFiles(path, roots, wake, (wd, name))
        with self._lock:
            self._folders[wd] = folder
            self._names.setdefault(files.key, []).append(files)
        return files

    def unfollow(self, files: EarlyFiles) -> None:
        with self._lock:
            followers = self._names.get(files.key, [])
            if files in followers:
                followers.remove(files)
            if not followers:
                self._names.pop(files.key, None)
            wd = files.key[0]
            if wd in self._folders and not any(w == wd for w, _ in self._names):
                del self._folders[wd]
                with contextlib.suppress(OSError):
                    self._inotify.rm_watch(wd)
        files.close()

    def close(self) -> None:
        os.write(self._stop_w, b"x")
        self._thread.join(timeout=5)
        os.close(self._stop_r)
        os.close(self._stop_w)
        self._inotify.close()
        with self._lock:
            followers = [f for group in self._names.values() for f in group]
            self._names.clear()
        for files in followers:
            files.close()

    # -- the thread -------------------------------------------------------------

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self._inotify.fileno(), select.POLLIN)
        poller.register(self._stop_r, select.POLLIN)
        while True:
            ready = {fd for fd, _ in poller.poll()}
            if self._stop_r in ready:
                return
            try:
                events = self._inotify.read(timeout=0)
            except OSError as exc:
                log.error("reading early-open events failed: %s", exc)
                return
            for event in events:
                try:
                    self._on_event(event.wd, event.mask, event.name)
                except Exception:
                    log.exception("opening a new file early failed")

    def _on_event(self, wd: int, mask: int, name: str) -> None:
        if mask & _OVERFLOW:
            with self._lock:
                everyone = [f for group in self._names.values() for f in group]
            for files in everyone:
                files.overflowed = True
                self._wake(files)
            return
        if mask & _IGNORED:
            # The folder went: the loop opens whatever comes back itself.
            with self._lock:
                self._folders.pop(wd, None)
            return
        with self._lock:
            followers = list(self._names.get((wd, name), ()))
        for files in followers:
            if not mask & _NEW_NAME:
                files.renamed = bool(mask & _NAME_LEFT)
                continue
            with files.lock:
                if files.closed:
                    continue
                try:
                    fd = os.open(files.path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
                except OSError:
                    pass  # gone already, or unreadable: the loop's own look says why
                else:
                    files.opened.append(Opened(fd, files.renamed))
                    files.renamed = False
            self._wake(files)

    def _wake(self, files: EarlyFiles) -> None:
        # RuntimeError: the loop is closed, nobody will look again.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(files.wake)
