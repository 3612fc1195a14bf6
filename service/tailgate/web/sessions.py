"""Open tails: admission under the caps, and closing them from outside.

One tail's own life is ``tail_session.TailSession``; this is the registry of them.

The catalog closes the tails of a log it removed (4410) or no longer shows to the
viewer (4403), signing out closes the tails of that session (4401), shutdown closes
every tail (1001). While sign-in is on, the registry also re-checks the sessions of
open tails (``rechecking``): a tail whose user lost access closes with 4403, one whose
session the provider refused with 4401, and one whose session nobody confirmed for too
long with 1013, so that the page reopens it and the handshake checks the session. Each
session owns its tail task, its writer and the timer that ends it with the user's
session, so nothing it starts outlives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable

from ..auth.errors import AuthError, SessionInvalid, SessionUnconfirmed
from ..errors import CloseCode, TooManyTails
from .principal import Principal
from .tail_session import TailSession

log = logging.getLogger(__name__)

#: How often per ``--session-refresh`` interval the sessions of open tails are looked at.
#: An unconfirmed sign-in gets one reopening per look, so this many give its reopenings
#: several chances to reach the replica that owns the session before another takes it
#: over (between 1.5 and 2 intervals, see ``tailgate.auth.refresh``).
RECHECKS_PER_INTERVAL = 8

#: Asks the provider about a principal's session: the principal as it is now.
Recheck = Callable[[Principal], Awaitable[Principal]]
#: Whether a tail may go on for a (re-checked) principal.
StillAllowed = Callable[[TailSession, Principal], bool]


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

    @contextlib.asynccontextmanager
    async def rechecking(
        self, every: float, recheck: Recheck, still_allowed: StillAllowed
    ) -> AsyncIterator[None]:
        """Re-check the sessions of open tails while the block runs (one owned task).

        The registry looks ``RECHECKS_PER_INTERVAL`` times per interval; the check
        itself decides what a tail may go on with (see ``tailgate.auth.refresh``).
        """
        task = asyncio.create_task(
            self._recheck_forever(every, recheck, still_allowed), name="tail session re-check"
        )
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _recheck_forever(
        self, every: float, recheck: Recheck, still_allowed: StillAllowed
    ) -> None:
        tick = max(0.05, every / RECHECKS_PER_INTERVAL)
        while True:
            await asyncio.sleep(tick)
            try:
                await self.recheck_once(recheck, still_allowed)
            except Exception:
                # A bug must not end the re-checks for good: log it and look again.
                log.exception("re-checking the sessions of open tails failed")

    async def recheck_once(self, recheck: Recheck, still_allowed: StillAllowed) -> int:
        """Re-check every open tail's session once; returns how many tails it closed.

        Tails of one sign-in share one check. Of the tails of a sign-in nobody confirmed
        lately, one is asked to reopen per look (the one open longest): its handshake
        checks the session for all of them, and the reopenings of one browser's panes
        come one after another, each carrying the cookie the one before brought back.
        Asked all at once, they would reach several replicas together with one old
        cookie, and two of them could spend its token (see ``tailgate.auth.refresh``).
        """
        groups: defaultdict[str, list[TailSession]] = defaultdict(list)
        for tail in self._sessions:
            key = tail.principal.session_key
            if tail.close_code is None and key is not None and tail.principal.session is not None:
                groups[key].append(tail)
        outcomes = await asyncio.gather(
            *(recheck(tails[0].principal) for tails in groups.values()), return_exceptions=True
        )
        closed = 0
        for tails, outcome in zip(groups.values(), outcomes, strict=True):
            if isinstance(outcome, SessionUnconfirmed):
                # Reopening it (the page retries 1013) checks the session.
                open_tails = [tail for tail in tails if tail.close_code is None]
                if open_tails:
                    oldest = min(open_tails, key=lambda tail: tail.started)
                    oldest.close_soon(outcome.close_code, outcome.message)
                    closed += 1
                continue
            for tail in tails:
                if tail.close_code is not None:
                    continue
                if isinstance(outcome, SessionInvalid):
                    tail.close_soon(outcome.close_code, outcome.message)
                    closed += 1
                elif isinstance(outcome, AuthError):
                    continue  # the provider cannot say now; the last state holds
                elif isinstance(outcome, BaseException):
                    log.error("re-checking a session failed", exc_info=outcome)
                    break
                else:
                    tail.principal = outcome
                    if not still_allowed(tail, outcome):
                        tail.close_soon(CloseCode.FORBIDDEN, "you may no longer tail this log")
                        closed += 1
        return closed

    async def close_all(self, reason: str, grace: float) -> None:
        sessions = list(self._sessions)
        for session in sessions:
            session.close_soon(CloseCode.GOING_AWAY, reason)
        if sessions:
            waits = [asyncio.ensure_future(s.ended.wait()) for s in sessions]
            _, pending = await asyncio.wait(waits, timeout=grace)
            for waiting in pending:
                waiting.cancel()
