"""Follows one log file for all of its viewers: ``tail -F`` without a polling delay.

A single follower per log reads new lines once, builds each frame once, and writes
it to every viewer standing at the live end. It follows the path, not just the
open file:

- rename + create (logrotate's default, the kubelet, ``RotatingFileHandler``): the
  new file is opened the moment its name appears and linked after the old one
  (``chain``); the old one is read to its end once the writer has moved on (the
  new file has data), then the new one from its start, with a ``rotated`` notice.
  Files renamed away again before they were read are read whole all the same.
- copytruncate: the file shrinking, or the bytes before our offset changing, is a
  truncation: ``truncated`` notice, reading restarts at 0; a ``gap`` notice first
  when the truncation took bytes not read yet (found in the copy it made).
- deleted: ``deleted`` notice; reading the open file goes on until the name returns,
  then ``created``.
- not there yet: ``waiting`` notice, then ``created`` when it appears.
- unreadable: an ``error`` frame; checks go on and the tail recovers by itself.

Changes arrive through inotify (the file's own inode, and its directory for the
name); a slow safety poll catches what inotify cannot see, and network filesystems
are polled, with the ``stat`` that can hang there run off the event loop
(``wakeups``). The follower decides when to look and when to read; reading is
``chain_reader``'s, acting on what the path names is ``path_watch``'s, and the
decisions both make are pure (``path_state``, ``wakeups.dir_news``). Viewers that
fall behind leave the live set (``streaming.fanout``) with their position and catch
up on their own (see ``file_tail``); the follower never waits for anyone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time

from ..metrics import Metrics
from ..streaming.viewer import Viewer
from .chain import HandleChain
from .chain_reader import READ_SIZE, ChainReader
from .follow_state import FollowState, State
from .handle import FileHandle, ReadPoint
from .inotify import IN_IGNORED, InotifyHub
from .lines import DEFAULT_MAX_LINE
from .live_set import LiveSet, position_copy
from .path_watch import PathWatch
from .roots import FileRoots
from .wakeups import POLL_INTERVAL, FollowMode, Wakeups, dir_news, file_news

__all__ = ["READ_SIZE", "FileFollower", "FollowMode", "State"]

log = logging.getLogger(__name__)

#: While reading a large batch, pending events are handed out this often (seconds).
LOOK_EVERY = 0.004


class FileFollower:
    def __init__(
        self,
        path: str,
        *,
        log_id: str,
        hub: InotifyHub | None,
        metrics: Metrics,
        roots: FileRoots,
        mode: FollowMode = FollowMode.AUTO,
        max_line: int = DEFAULT_MAX_LINE,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self.path = path
        self.log_id = log_id
        #: Every file read for this log must lie under these (fixed when following starts).
        self.roots = roots.for_log(path)
        self._name = os.path.basename(path)
        self._loop = asyncio.get_running_loop()
        self._state = FollowState(log_id, metrics)
        self._chain = HandleChain(path, self.roots)
        self._live = LiveSet(self._loop, metrics, log_id)
        self._reader = ChainReader(
            path,
            self.roots,
            self._chain,
            self._live,
            max_line=max_line,
            between_chunks=self._look_between_chunks,
            moved=self._watch_file,
            on_quiet=self._on_quiet,
        )
        self._path = PathWatch(
            path,
            self.roots,
            self._chain,
            self._reader,
            self._state,
            opened=self._watch_file,
            changed=self._notify_changed,
            looked=self._schedule_pump,
        )
        self._changed: asyncio.Future[None] | None = None
        self._pump_handle: asyncio.Handle | asyncio.TimerHandle | None = None
        self._look_handle: asyncio.Handle | None = None
        self._hub = hub
        self._pumping = False
        self._looked_at = 0.0
        self._flush_due = False
        self._late_due = False
        self._wakeups = Wakeups(
            path,
            hub=hub,
            mode=mode,
            poll_interval=poll_interval,
            on_dir=self._on_dir_event,
            on_file=self._on_file_event,
            on_timer=self._on_poll,
            metrics=metrics,
        )
        self._closed = False

    # -- life cycle ---------------------------------------------------------------

    def start(self) -> None:
        self._wakeups.start()
        self._open_early()
        self._chain.count_names(self._wakeups.watching_names)
        self._path.look(initial=True)
        self._wakeups.arm(holding=self.pos is not None)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for handle in (self._pump_handle, self._look_handle):
            if handle is not None:
                handle.cancel()
        if self._path.early is not None and self._hub is not None:
            opener = self._hub.early_opener()
            if opener is not None:
                opener.unfollow(self._path.early)
            self._path.early = None
        self._path.close()
        self._wakeups.close()
        self._live.close()
        self._state.clear()
        self._reader.close()
        self._chain.close()
        self._notify_changed()

    # -- what viewers use -----------------------------------------------------------

    @property
    def pos(self) -> ReadPoint | None:
        """Where the follower stands: the end of what it read (and fanned out)."""
        return self._reader.pos

    @property
    def state(self) -> State:
        return self._state.state

    def attach(self, viewer: Viewer) -> None:
        """Register a viewer for state notices; it hears the current state at once."""
        self._state.attach(viewer)

    def detach(self, viewer: Viewer) -> None:
        self._state.detach(viewer)
        self._live.drop(viewer)

    def try_join(self, viewer: Viewer, pos: ReadPoint) -> asyncio.Future[ReadPoint] | None:
        """Put a viewer in the live set if it stands where the follower stands.

        With nobody live, the follower reads nothing and simply moves to the first
        viewer that wants to join (in the same file, or a later one of its chain);
        with viewers live, a viewer joins only at exactly the follower's position,
        so nobody skips or repeats a line. The future gives the viewer's position
        back when it leaves the set.
        """
        own = self.pos
        if own is None:
            return None
        if pos.handle is not own.handle:
            if self._live or pos.handle not in HandleChain.members(own.handle):
                return None
            own = position_copy(pos)
            self._reader.stand_at(own)
        if pos.truncations != own.handle.truncations:
            return None
        if pos.offset != own.offset:
            if self._live:
                return None
            own.offset, own.tail = pos.offset, pos.tail
            self._reader.partial.done()
        fut = self._live.join(viewer)
        viewer.live_exit = lambda: self.leave_live(viewer)
        fut.add_done_callback(lambda _: setattr(viewer, "live_exit", None))
        # Whatever arrived while nobody was live is read now.
        self._path.due = True
        self._schedule_pump()
        return fut

    def leave_live(self, viewer: Viewer) -> None:
        """Take a viewer out of the live set (pause), handing it the current position."""
        self._live.leave(viewer, self.pos)

    def start_position(self) -> ReadPoint | None:
        """A position at the follower's current place, for a new viewer (or None)."""
        if self.pos is None:
            return None
        return position_copy(self.pos)

    def first_position(self) -> ReadPoint | None:
        """Where the follower began reading its first file, for viewers that waited for it.

        A file that appeared while they waited is read from its start, even if the
        follower already read it on before they woke up.
        """
        pos = self.pos
        if pos is None:
            return None
        first = self._path.first
        if first is None:
            return position_copy(pos)
        handle, offset = first
        if handle.fd < 0 or handle not in HandleChain.members(pos.handle):
            return position_copy(pos)
        return ReadPoint(handle.acquire(), offset, handle.bytes_before(offset), 0)

    async def wait_changed(self, within: float) -> None:
        """Wait until the follower reads, moves on or changes state (at most ``within`` s)."""
        if self._changed is None or self._changed.done():
            self._changed = self._loop.create_future()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._changed), within)

    def handles(self) -> list[FileHandle]:
        """The open handles on the follower's path, newest first (for resuming cursors)."""
        if self.pos is None:
            return []
        return HandleChain.members(self.pos.handle)[::-1]

    def follows(self, handle: FileHandle) -> bool:
        """Whether ``handle`` is in the follower's chain: finished by it, never by a reader."""
        return self.pos is not None and handle in HandleChain.members(self.pos.handle)

    # -- events ---------------------------------------------------------------------

    def _on_dir_event(self, mask: int, name: str | None) -> None:
        pos, chain = self.pos, self._chain
        news = dir_news(
            mask,
            name,
            own=self._name,
            watching_late=chain.watching_late,
            reading_newest=pos is not None and pos.handle is chain.newest,
        )
        if news is None:
            return
        if news.dir_gone:
            # Fall back on polling until the folder returns.
            self._wakeups.dir_gone()
        chain.overflowed |= news.overflowed
        chain.name_events += news.new_name
        self._path.renamed |= news.renamed
        self._path.due |= news.look
        self._late_due |= news.late
        # After the whole batch of events, so that every new name in it is counted
        # before the path is looked at (a file may have come and gone in between).
        self._schedule_look()

    def _on_file_event(self, mask: int, _name: str | None) -> None:
        self._path.due |= file_news(mask)
        if mask & IN_IGNORED:
            self._wakeups.file_gone()
        self._pump_now()

    def _pump_now(self) -> None:
        """Read at once, in the event's callback: a loop iteration less of latency."""
        if self._pumping:
            # An event handled between two chunks of this follower's own reading.
            self._schedule_pump()
        elif self._pump_handle is None and not self._closed:
            self._pump()

    def _on_poll(self) -> None:
        if self._wakeups.file_unwatched and self.pos is not None:
            # inotify is back (the hub made a new instance): watch again, poll less.
            self._watch_file()
            if self._path.early is None:
                self._open_early()
        self._late_due = self._chain.watching_late
        self._path.due = True
        self._schedule_pump()
        self._wakeups.arm(holding=self.pos is not None)

    def _look_if_due(self) -> None:
        # Before each look: a file linked while names go uncounted sends the
        # chain to the rotated copies for files it never saw.
        self._chain.count_names(self._wakeups.watching_names)
        self._path.look_if_due(polling=self._wakeups.polling)

    def _on_quiet(self, offset: int, size: int) -> None:
        pos = self.pos
        try:
            quiet = pos is not None and pos.offset == offset and pos.handle.size() == size
        except OSError:
            quiet = False
        # Only a writer that stopped mid-line for the whole delay gets its line flushed.
        self._flush_due = quiet
        self._schedule_pump()

    def _schedule_pump(self, delay: float = 0.0) -> None:
        if self._pump_handle is not None or self._closed:
            return
        if delay > 0:
            self._pump_handle = self._loop.call_later(delay, self._pump)
        else:
            self._pump_handle = self._loop.call_soon(self._pump)

    def _open_early(self) -> None:
        """New files under the path are opened off the loop from now on (``early_open``)."""
        if self._hub is None or self._wakeups.polling:
            return
        opener = self._hub.early_opener()
        if opener is None:
            return
        try:
            self._path.early = opener.follow(self.path, self.roots, self._on_early)
        except OSError:
            return  # no folder to watch yet: the loop opens new files itself

    def _on_early(self) -> None:
        self._path.due = True
        self._schedule_look()

    def _watch_file(self) -> None:
        self._wakeups.watch_file(self.pos.handle.fd if self.pos is not None else None)

    # -- reading ----------------------------------------------------------------------

    def _schedule_look(self) -> None:
        if self._look_handle is None and not self._closed:
            self._look_handle = self._loop.call_soon(self._look)

    def _look(self) -> None:
        """Look at the path now, even while reading is paced: a new file is opened at once."""
        self._look_handle = None
        if not self._closed:
            self._look_if_due()
        self._schedule_pump()

    def _pump(self) -> None:
        self._pump_handle = None
        if self._closed:
            return
        self._pumping = True
        try:
            self._pump_once()
        finally:
            self._pumping = False
        self._notify_changed()

    def _pump_once(self) -> None:
        # In the middle of a batch of events, the rest of it may say that a file came
        # and went: the path is looked at and files finished after the whole batch.
        mid_batch = self._hub is not None and self._hub.dispatching
        if mid_batch:
            self._schedule_look()
        else:
            self._look_if_due()
        delay = self._live.delay()
        if delay > 0 and self._live:
            self._schedule_pump(delay)
            return
        pos = self.pos
        if pos is not None and not mid_batch:
            try:
                if pos.handle is not self._chain.newest:
                    self._count_new_names()
                if self._chain.finish_ready(pos.handle) or self._late_due:
                    self._late_due = False
                    self._reader.report_late()
            except OSError as exc:
                self._path.error("read_error", f"reading {self.path} failed: {exc.strerror}")
            # Writes under rotated names matter while finished files are watched for them.
            self._wakeups.hear_other_names(self._chain.watching_late)
        if pos is not None and self._live:
            try:
                more = self._reader.read_chain(final=self._flush_due)
            except OSError as exc:
                self._path.error("read_error", f"reading {self.path} failed: {exc.strerror}")
                more = False
            self._flush_due = False
            if more:
                self._schedule_pump()
        elif pos is not None:
            # Nobody at the live end: viewers catching up read for themselves. Only
            # a truncation must still be noticed here, since it is counted here.
            self._reader.skip_finished()
            with contextlib.suppress(OSError):
                self._reader.check_truncation(self.pos or pos)

    def _count_new_names(self) -> None:
        """Before finishing a file: hear every new name the kernel already reported.

        A file created and renamed away again just before the last look is known
        only by its directory event, which may still wait in the queue; counted
        now, it is put back in the chain before anyone reads past its place.
        """
        if self._hub is not None and not self._wakeups.polling:
            self._hub.dispatch_pending()
            self._look_if_due()

    def _look_between_chunks(self) -> None:
        """A long read must not delay a new file's opening: rotations come every few ms.

        At most every ``LOOK_EVERY`` seconds, so that a fast read stays one syscall
        per chunk and the events of a busy file are still handed out in batches.
        """
        now = time.monotonic()
        if now - self._looked_at < LOOK_EVERY:
            return
        self._looked_at = now
        if self._hub is not None and not self._wakeups.polling:
            self._hub.dispatch_pending()
        self._look_if_due()

    def _notify_changed(self) -> None:
        fut = self._changed
        if fut is not None and not fut.done():
            fut.set_result(None)
        self._changed = None
