"""Open tails: admission under the caps, and closing them from outside.

The catalog closes the tails of a log it removed (4410) or no longer shows to the
viewer (4403), signing out closes the tails of that session (4401), shutdown closes
every tail (1001). Each session owns its tail task, the task that closes its
WebSocket and the timer that ends it with the user's session, so nothing it starts
outlives it.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ..errors import CloseCode, TooManyTails
from ..streaming.viewer import Viewer
from .principal import LOCAL, Principal


@dataclass(eq=False)
class TailSession:
    log_id: str
    kind: str
    client: str
    ws: web.WebSocketResponse
    viewer: Viewer
    principal: Principal = LOCAL
    started: float = field(default_factory=time.monotonic)
    started_at: float = field(default_factory=time.time)
    """Wall-clock start, for the audit record."""
    expiry: asyncio.TimerHandle | None = None
    """Closes the tail with 4401 when the session or token it was opened with ends."""
    task: asyncio.Task[None] | None = None
    handler: asyncio.Task[Any] | None = None
    close_code: int | None = None
    close_reason: str = ""
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def close_soon(self, code: int, reason: str) -> None:
        """Stop the tail now (releasing its source); its handler closes with ``code``.

        The handler is interrupted rather than the WebSocket closed from here, so the
        close handshake runs in the handler, which waits for the client's answer.
        """
        if self.close_code is not None:
            return
        self.close_code = code
        self.close_reason = reason
        self.viewer.closing = True
        if self.task is not None and not self.task.done():
            self.task.cancel()
        handler = self.handler
        if handler is not None and not handler.done() and handler is not asyncio.current_task():
            handler.cancel()


class SessionRegistry:
    def __init__(self, *, max_tails: int, max_per_client: int) -> None:
        self._max_tails = max_tails
        self._max_per_client = max_per_client
        self._sessions: set[TailSession] = set()
        self._per_client: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._sessions)

    def admit(self, client: str) -> None:
        if len(self._sessions) >= self._max_tails:
            raise TooManyTails(f"this server already has {self._max_tails} tails open")
        if self._per_client[client] >= self._max_per_client:
            raise TooManyTails(
                f"you already have {self._max_per_client} tails open; close one first"
            )

    def add(self, session: TailSession) -> None:
        self._sessions.add(session)
        self._per_client[session.client] += 1

    def remove(self, session: TailSession) -> None:
        if session in self._sessions:
            self._sessions.discard(session)
            self._per_client[session.client] -= 1
            if self._per_client[session.client] <= 0:
                del self._per_client[session.client]

    def close_log(self, log_id: str, code: int, reason: str) -> int:
        return self.close_where(lambda s: s.log_id == log_id, code, reason)

    def close_where(self, predicate: Callable[[TailSession], bool], code: int, reason: str) -> int:
        """Close every open tail ``predicate`` picks; returns how many it picked."""
        matching = [s for s in self._sessions if s.close_code is None and predicate(s)]
        for session in matching:
            session.close_soon(code, reason)
        return len(matching)

    async def close_all(self, reason: str, grace: float) -> None:
        sessions = list(self._sessions)
        for session in sessions:
            session.close_soon(CloseCode.GOING_AWAY, reason)
        if sessions:
            waits = [asyncio.ensure_future(s.ended.wait()) for s in sessions]
            _, pending = await asyncio.wait(waits, timeout=grace)
            for waiting in pending:
                waiting.cancel()
