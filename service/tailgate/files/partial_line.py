"""A last line without its newline: held back until the writer finishes it or goes quiet.

Writers often write a line in pieces; sending each piece as a line would break it
in two. So the bytes after the last newline wait, and are sent as they are only
once the file has not changed for ``FLUSH_DELAY`` seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

#: A partial last line is sent as it is once the writer has been quiet this long.
FLUSH_DELAY = 0.5


class PartialLine:
    def __init__(self, on_quiet: Callable[[int, int], None]) -> None:
        """``on_quiet(offset, size)`` is called when the file ended mid-line for the delay."""
        self._loop = asyncio.get_running_loop()
        self._on_quiet = on_quiet
        self._at: tuple[int, int] | None = None
        self._timer: asyncio.TimerHandle | None = None

    def waiting(self, offset: int, size: int) -> None:
        """The file ends mid-line: the line starts at ``offset``, the file is ``size`` long."""
        if self._at != (offset, size):
            self._at = (offset, size)
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self._loop.call_later(FLUSH_DELAY, self._fire)

    def done(self) -> None:
        """The line was completed (or the reader moved on): no flush."""
        self._at = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        if self._at is not None:
            self._on_quiet(*self._at)
