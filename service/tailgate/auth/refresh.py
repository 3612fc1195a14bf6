"""Asking the provider again, so that access follows it: and spending each refresh token once.

A session is checked with the provider every ``session_refresh`` seconds by a refresh
grant: the provider re-reads the account, so new groups arrive in a new ID token, and a
user it disabled or a grant it revoked (signing out revokes it, RFC 7009) is refused with
``invalid_grant``, which ends the session.

Providers may rotate refresh tokens: a refresh spends the token and returns the next one,
and a spent token presented again is taken as theft, which revokes the whole grant (this
is what oidc-provider, Auth0 without a reuse interval and Okta after its grace period
do). The session cookie has many copies (every pane of the browser, every replica the
requests reach, every open tail), and tailgate keeps no shared state, so who spends a
token must be decided without asking anyone:

- **Once per process.** :class:`Refresher` spends a token at most once in this process
  (concurrent callers wait for the one refresh) and remembers what it got, by a digest of
  the spent token. A copy of the cookie seen later (another pane, a tail, a request that
  was already on its way) is answered from that memory and never presented again.
- **By its owner.** The cookie names the process that sealed its token (``owner``).
  Other processes trust the cookie's last check for one more interval and take over only
  after that (:func:`next_step`), so two replicas reached at once by the same cookie do
  not both spend it; and the owner stands aside around that moment, so its refresh and
  a take-over never overlap. The owner is usually the replica that answered the browser last;
  the browser carries its newest cookie to every replica.
- **Only where the new cookie reaches the browser.** A refresh happens for an HTTP
  request or a WebSocket handshake, whose response carries the new cookie. An open tail
  cannot set a cookie, so it never spends: it takes the newest state its process knows
  (from any cookie the browser brings here, or a refresh made here), and when that is
  older than ``TAIL_RECONNECT`` intervals it asks the browser to reconnect
  (:func:`tail_is_unconfirmed`); the new handshake is checked like a request. Had a
  tail spent the token, the browser would carry a spent token to other replicas.

A provider that cannot be reached is not a refusal: the last confirmed state holds and
the next request or tick tries again (not more often than ``RETRY_AFTER``).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

from tailgate.auth.discovery import ProviderMetadata
from tailgate.auth.errors import AuthError, ProviderUnavailable, SessionRevoked
from tailgate.auth.oauth_client import OAuthError, oauth_client
from tailgate.auth.session import Session
from tailgate.auth.settings import OidcSettings

logger = logging.getLogger(__name__)

#: Seconds before a refresh that failed for want of the provider is tried again.
RETRY_AFTER = 5.0
#: How long a refresh grant waits for the answer once its request is sent. A request
#: the provider received may be answered late (an overloaded or paused provider), and
#: its token must not be presented again meanwhile: a provider that rotates refresh
#: tokens takes a second use as theft and revokes the sign-in. Nobody waits this long:
#: requests go on after ``REFRESH_WAIT``, and the refresh finishes behind them.
REFRESH_ANSWER_TIMEOUT = 120.0
#: How long a request waits for a refresh before it goes on with the session's last
#: confirmed state (the refresh itself goes on, and its outcome is remembered).
REFRESH_WAIT = 3.0

#: Spent tokens remembered at most (each entry is one session's refresh).
REMEMBERED_REFRESHES = 50_000

#: OAuth errors that mean "this session is over", not "the provider has a problem".
REFUSALS = frozenset({"invalid_grant", "unauthorized_client", "access_denied"})


class Step(enum.Enum):
    """What a request or a tail does with a session it holds."""

    FRESH = "fresh"
    """Checked less than an interval ago: use it."""

    TRUST = "trust"
    """Due, but another process owns its token and checked it recently: use it."""

    SPEND = "spend"
    """Refresh it now with the provider."""


#: The part of an interval on either side of two intervals in which the owner does
#: not refresh: another process may take the session over from two intervals on, and
#: a refresh the owner began before this margin has been answered by then (unless the
#: provider takes longer than the margin: 75 s at the default interval).
OWNER_STANDS_ASIDE = 0.25


def next_step(session: Session, *, now: float, interval: float, me: str) -> Step:
    """Whether ``session`` is checked now, and by whom; pure, see the module docstring.

    The owner refreshes once an interval has passed. Another process waits one more
    interval for the owner (whose newer cookie the browser brings along) and then takes
    over, so a session whose owner went away (a replica replaced in a rolling update)
    is still checked, at most two intervals apart. Around that moment the owner stands
    aside, so the owner and a process taking over never spend the token together;
    past it the owner refreshes again (nobody took over: it may be the only replica).
    """
    age = now - session.checked_at
    if age < interval:
        return Step.FRESH
    if session.owner != me:
        return Step.SPEND if age >= 2 * interval else Step.TRUST
    if (2 - OWNER_STANDS_ASIDE) * interval <= age < (2 + OWNER_STANDS_ASIDE) * interval:
        return Step.TRUST
    return Step.SPEND


#: Intervals after which an open tail nobody re-checked asks to be reopened. Between the
#: owner's one and the others' two: the reconnect is refreshed if it reaches the owner
#: and trusted elsewhere, so two panes reconnecting at once do not both spend the token.
TAIL_RECONNECT = 1.5


def tail_is_unconfirmed(session: Session, *, now: float, interval: float) -> bool:
    """Whether an open tail's session is too old to go on without a new check."""
    return now - session.checked_at >= TAIL_RECONNECT * interval


def token_digest(token: str) -> str:
    """A name for a refresh token that does not reveal it, for memory and logs."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


async def refresh_grant(
    metadata: ProviderMetadata,
    settings: OidcSettings,
    refresh_token: str,
    *,
    request_timeout: float,
) -> dict[str, Any]:
    """The provider's answer to a refresh grant; ``SessionRevoked`` if it refuses.

    ``ProviderUnavailable`` when it cannot be asked or answers with something other
    than a refusal (a 5xx, a gateway's HTML page, ``invalid_client``).
    """
    timeout = httpx.Timeout(request_timeout, read=REFRESH_ANSWER_TIMEOUT)
    client = oauth_client(settings, timeout=timeout)
    try:
        async with client:
            token = await client.refresh_token(metadata.token_endpoint, refresh_token=refresh_token)
    except OAuthError as e:
        if e.error in REFUSALS:
            raise SessionRevoked(f"the provider refused the refresh: {e.error}") from e
        raise ProviderUnavailable(f"the token endpoint answered {e.error}") from e
    except (httpx.HTTPError, ValueError, TypeError) as e:
        raise ProviderUnavailable(f"the token endpoint failed: {type(e).__name__}") from e
    return dict(token)


async def revoke_refresh_token(
    metadata: ProviderMetadata,
    settings: OidcSettings,
    refresh_token: str,
    *,
    request_timeout: float,
) -> bool:
    """RFC 7009 revocation at sign-out; whether the provider confirmed it.

    Never raises: signing out must finish even when the provider cannot be reached (the
    token then ends with the provider's own expiry, and this process refuses it now).
    """
    if metadata.revocation_endpoint is None:
        return False
    client = oauth_client(settings, timeout=request_timeout)
    try:
        async with client:
            response = await client.revoke_token(
                metadata.revocation_endpoint,
                token=refresh_token,
                token_type_hint="refresh_token",  # noqa: S106 (a hint name)
            )
    except (httpx.HTTPError, OAuthError, ValueError) as e:
        logger.warning("revoking a refresh token at sign-out failed: %s", type(e).__name__)
        return False
    if response.status_code != 200:
        logger.warning("the revocation endpoint answered %d at sign-out", response.status_code)
        return False
    return True


Spend = Callable[[Session], Awaitable[Session]]


class Refresher:
    """Spends each refresh token at most once in this process, and remembers the outcome.

    ``spend`` performs one refresh with the provider and returns the refreshed session
    (``SessionRevoked`` when refused). The outcome is kept by the digest of the token
    spent: the next session of the chain, or the refusal. Run it with
    ``async with refresher.running():`` so refreshes in flight are awaited or cancelled.
    """

    def __init__(
        self,
        spend: Spend,
        *,
        remember: int = REMEMBERED_REFRESHES,
        clock: Callable[[], float] = time.time,
        wait: float = REFRESH_WAIT,
        on_outcome: Callable[[str], None] = lambda _result: None,
    ) -> None:
        self._spend = spend
        #: Told ``ok``, ``refused`` or ``unavailable`` after each refresh sent.
        self._on_outcome = on_outcome
        self._wait = wait
        self._remember = remember
        self._clock = clock
        self._outcomes: OrderedDict[str, Session | SessionRevoked] = OrderedDict()
        #: The newest state of each sign-in seen here (refreshed here, or sealed by any
        #: replica and brought by the browser), and the sign-ins refused here.
        self._newest: OrderedDict[str, Session] = OrderedDict()
        self._refused: OrderedDict[str, SessionRevoked] = OrderedDict()
        self._in_flight: dict[str, asyncio.Task[Session]] = {}
        #: When each refresh in flight began (the event loop's clock).
        self._began: dict[str, float] = {}
        #: When a refresh of each sign-in last failed because the provider could not answer.
        self._unavailable: OrderedDict[str, float] = OrderedDict()
        self._failed_at: dict[str, float] = {}
        self.spent = 0
        """Refreshes sent to the provider; for tests and logs."""

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Refresher]:
        try:
            yield self
        finally:
            tasks = list(self._in_flight.values())
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    def latest(self, session: Session) -> Session:
        """The newest state of ``session``'s sign-in this process knows.

        Follows the chain of tokens this process spent, and the newest state of the
        sign-in it has seen in any cookie (sealed by a replica, so confirmed when it
        says). ``SessionRevoked`` if the sign-in was refused or signed out here.
        """
        refused = self._refused.get(session.lineage)
        if refused is not None:
            raise refused
        current = session
        newest = self._newest.get(session.lineage)
        if newest is not None and newest.checked_at > current.checked_at:
            current = newest
        for _ in range(len(self._outcomes) + 1):
            token = current.refresh_token
            outcome = self._outcomes.get(token_digest(token)) if token else None
            if outcome is None:
                return current
            if isinstance(outcome, SessionRevoked):
                raise outcome
            if outcome.refresh_token == token:
                # A provider that does not rotate: the outcome is the newest state.
                return outcome if outcome.checked_at >= current.checked_at else current
            current = outcome
        return current

    def refreshing(self, session: Session) -> bool:
        """Whether a refresh of ``session``'s newest known state is under way here."""
        token = session.refresh_token
        return token is not None and token_digest(token) in self._in_flight

    def unavailable_within(self, session: Session, seconds: float) -> bool:
        """Whether refreshing ``session``'s sign-in failed for want of the provider lately."""
        failed = self._unavailable.get(session.lineage)
        return failed is not None and self._clock() - failed < seconds

    def observe(self, session: Session) -> None:
        """Remember ``session`` (from a cookie) if it is the newest state of its sign-in."""
        known = self._newest.get(session.lineage)
        if known is None or session.checked_at > known.checked_at:
            self._keep(self._newest, session.lineage, session)

    def forget_chain(self, session: Session, reason: SessionRevoked) -> None:
        """Refuse ``session``'s sign-in from now on in this process (signed out here)."""
        self._keep(self._refused, session.lineage, reason)
        current = session
        seen: set[str] = set()
        while current.refresh_token and (key := token_digest(current.refresh_token)) not in seen:
            seen.add(key)
            outcome = self._outcomes.get(key)
            self._remember_outcome(key, reason)
            if not isinstance(outcome, Session):
                break
            current = outcome

    async def refresh(self, session: Session) -> Session:
        """Refresh ``session`` with the provider, once per token.

        When this process already holds a newer state of the chain (another caller
        refreshed it meanwhile), that state is the answer and nothing is spent. Raises
        ``SessionRevoked`` when the provider refuses, ``ProviderUnavailable`` when it
        cannot be asked (or was not answering a moment ago).
        """
        newest = self.latest(session)
        if newest.checked_at > session.checked_at:
            return newest
        session = newest
        token = session.refresh_token
        if token is None:
            raise SessionRevoked("the provider gave this session no refresh token")
        key = token_digest(token)
        loop = asyncio.get_running_loop()
        task = self._in_flight.get(key)
        if task is None:
            failed = self._failed_at.get(key)
            if failed is not None and self._clock() - failed < RETRY_AFTER:
                raise ProviderUnavailable("the provider did not answer a moment ago")
            task = asyncio.create_task(self._run(key, session), name="session refresh")
            # Callers may stop waiting: the outcome is kept by ``_run``, never lost.
            task.add_done_callback(_outcome_seen)
            self._in_flight[key] = task
            self._began[key] = loop.time()
        left = self._began[key] + self._wait - loop.time()
        if left <= 0:
            self._keep(self._unavailable, session.lineage, self._clock())
            raise ProviderUnavailable("the provider is slow to answer a refresh")
        # Shielded: a caller that goes away (a closed tab), or stops waiting, must not
        # abandon a refresh whose new token nobody else would learn. Bounded: a provider
        # that accepts connections and never answers must not hold every request.
        try:
            return await asyncio.wait_for(asyncio.shield(task), left)
        except TimeoutError:
            if session.lineage not in self._unavailable:
                logger.warning("the provider is slow to answer a refresh; going on without it")
            self._keep(self._unavailable, session.lineage, self._clock())
            raise ProviderUnavailable("the provider is slow to answer a refresh") from None

    async def _run(self, key: str, session: Session) -> Session:
        try:
            self.spent += 1
            refreshed = await self._spend(session)
        except SessionRevoked as e:
            self._on_outcome("refused")
            self._remember_outcome(key, e)
            self._keep(self._refused, session.lineage, e)
            raise
        except AuthError as e:
            self._on_outcome("unavailable")
            logger.warning("cannot refresh a session now, keeping its last state: %s", e.detail)
            now = self._clock()
            self._failed_at = {k: t for k, t in self._failed_at.items() if now - t < RETRY_AFTER}
            self._failed_at[key] = now
            self._keep(self._unavailable, session.lineage, now)
            raise
        else:
            self._on_outcome("ok")
            self._failed_at.pop(key, None)
            self._unavailable.pop(session.lineage, None)
            self._remember_outcome(key, refreshed)
            self.observe(refreshed)
            return refreshed
        finally:
            self._in_flight.pop(key, None)
            self._began.pop(key, None)

    def _remember_outcome(self, key: str, outcome: Session | SessionRevoked) -> None:
        self._outcomes[key] = outcome
        self._outcomes.move_to_end(key)
        now = self._clock()
        while self._outcomes:
            oldest_key, oldest = next(iter(self._outcomes.items()))
            expired = isinstance(oldest, Session) and oldest.expires_at <= now
            if len(self._outcomes) <= self._remember and not expired:
                break
            del self._outcomes[oldest_key]

    def _keep(self, table: OrderedDict[str, Any], key: str, value: object) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > self._remember:
            table.popitem(last=False)


def _outcome_seen(task: asyncio.Task[Session]) -> None:
    """Mark a refresh's failure as handled: ``_run`` kept it for every caller."""
    if not task.cancelled():
        task.exception()
