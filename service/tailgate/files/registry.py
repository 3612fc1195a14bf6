"""Shared followers, one per (log, path): created by the first viewer, closed with the last.

Closing happens synchronously when the last viewer leaves, so the file descriptor
and inotify watches are released the moment a tail ends.
"""

from __future__ import annotations

from ..metrics import Metrics
from .follower import FileFollower, FollowMode
from .inotify import InotifyHub
from .roots import FileRoots


class FollowerRegistry:
    def __init__(
        self,
        hub: InotifyHub | None,
        metrics: Metrics,
        *,
        max_line: int,
        roots: FileRoots | None = None,
    ) -> None:
        self._hub = hub
        self._roots = roots or FileRoots()
        self._metrics = metrics
        self._max_line = max_line
        self._followers: dict[tuple[str, str, FollowMode], tuple[FileFollower, int]] = {}

    def acquire(self, log_id: str, path: str, mode: FollowMode) -> FileFollower:
        key = (log_id, path, mode)
        found = self._followers.get(key)
        if found is not None:
            follower, refs = found
            self._followers[key] = (follower, refs + 1)
            return follower
        follower = FileFollower(
            path,
            log_id=log_id,
            hub=self._hub,
            metrics=self._metrics,
            roots=self._roots,
            mode=mode,
            max_line=self._max_line,
        )
        self._followers[key] = (follower, 1)
        try:
            follower.start()
        except BaseException:
            del self._followers[key]
            follower.close()
            raise
        return follower

    def release(self, follower: FileFollower, mode: FollowMode) -> None:
        key = (follower.log_id, follower.path, mode)
        found = self._followers.get(key)
        if found is None or found[0] is not follower:
            follower.close()
            return
        refs = found[1] - 1
        if refs > 0:
            self._followers[key] = (follower, refs)
            return
        del self._followers[key]
        follower.close()

    def __len__(self) -> int:
        return len(self._followers)

    def close(self) -> None:
        for follower, _ in self._followers.values():
            follower.close()
        self._followers.clear()
