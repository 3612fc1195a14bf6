"""Reloading the catalog file when it changes.

The file's directory is watched, not the file: editors replace files by rename, and
Kubernetes updates a mounted ConfigMap by swapping the ``..data`` symlink in that
directory, which never touches the path itself. Events are debounced briefly, and a
slow poll compares the content as a safety net for filesystems without inotify.

Reading and parsing happen in worker threads (a network filesystem can stall a
read, a large catalog takes seconds to check), driven by one task per watcher:
changes noticed while a reload runs are folded into one more reload after it, so
reloads never overlap and the newest text is always the last applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os

from ..files.inotify import DIR_EVENTS, InotifyHub, InotifyUnavailable, Watch
from .file_reading import read_catalog_file
from .store import CatalogStore

__all__ = ["CatalogFileWatcher", "read_catalog_file"]

log = logging.getLogger(__name__)

DEBOUNCE = 0.05
POLL = 2.0


class CatalogFileWatcher:
    def __init__(self, path: str, store: CatalogStore, hub: InotifyHub | None) -> None:
        self._path = path
        self._name = os.path.basename(path)
        self._store = store
        self._hub = hub
        self._loop = asyncio.get_running_loop()
        self._watch: Watch | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._poll: asyncio.TimerHandle | None = None
        self._last_text: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def start(self, initial_text: str) -> None:
        self._last_text = initial_text
        if self._hub is not None:
            try:
                self._watch = self._hub.subscribe(
                    os.path.dirname(self._path) or ".", DIR_EVENTS, self._on_event
                )
            except InotifyUnavailable as exc:
                log.warning("polling the catalog: %s", exc)
        self._poll = self._loop.call_later(POLL, self._on_poll)

    def close(self) -> None:
        """Stop watching; a reload under way is cancelled (``aclose`` also awaits it)."""
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        for timer in (self._timer, self._poll):
            if timer is not None:
                timer.cancel()
        self._timer = self._poll = None
        if self._task is not None:
            self._task.cancel()

    async def aclose(self) -> None:
        self.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _on_event(self, _mask: int, name: str | None) -> None:
        # Only the file itself, or the ``..data`` link a ConfigMap mount swaps, matter:
        # log files written in the same folder must not trigger reloads.
        if name is not None and name not in (self._name, "..data"):
            return
        if self._timer is None:
            self._timer = self._loop.call_later(DEBOUNCE, self._reload)

    def _on_poll(self) -> None:
        self._poll = self._loop.call_later(POLL, self._on_poll)
        self._reload()

    def _reload(self) -> None:
        self._timer = None
        self._again = True
        if self._task is None or self._task.done():
            self._task = self._loop.create_task(
                self._reload_while_changed(), name=f"catalog reload {self._path}"
            )

    async def _reload_while_changed(self) -> None:
        while self._again:
            self._again = False
            try:
                await self._reload_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                # Never let a defect end the watching: the next change tries again.
                log.exception("reloading the catalog from %s failed", self._path)

    async def _reload_once(self) -> None:
        try:
            text = await asyncio.to_thread(read_catalog_file, self._path)
        except OSError as exc:
            if self._last_text is not None:
                # Reported once per failure, not on every poll.
                self._last_text = None
                self._store.reject(f"cannot read {self._path}: {exc}")
            return
        if text == self._last_text:
            return
        self._last_text = text
        await self._store.reload(text, self._path)
