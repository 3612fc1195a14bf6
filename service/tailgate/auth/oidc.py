"""Sign-in with an OpenID Connect provider, assembled: the one object the web app keeps.

The other modules each do one step; this one owns the long-lived parts (the HTTP
client, the discovery task, the key cache, the record of completed sign-ins) and
offers what routes need: start a sign-in, finish it, recognise a session cookie (checked
with the provider every ``session_refresh`` seconds, see ``refresh``) or a bearer token,
and sign out (with a form token only tailgate can make; the refresh token is revoked). It
takes and returns plain values so the web layer stays free of OpenID Connect and this
package free of aiohttp.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace

import httpx

from tailgate.auth.csrf import FormTokens
from tailgate.auth.discovery import DEFAULT_BACKOFF, Discovery, DiscoveryError
from tailgate.auth.errors import (
    AuthError,
    NotSignedIn,
    ProviderUnavailable,
    SessionRevoked,
    SessionUnconfirmed,
    TokenInvalid,
)
from tailgate.auth.flow import (
    LOGIN_COOKIE,
    LoginStates,
    authorize_url,
    check_callback,
    end_session_url,
    exchange_code,
)
from tailgate.auth.identity import Identity, identity_from_claims
from tailgate.auth.keys import SigningKeys, http_jwks_fetcher
from tailgate.auth.refresh import (
    Refresher,
    Step,
    next_step,
    refresh_grant,
    revoke_refresh_token,
    tail_is_unconfirmed,
)
from tailgate.auth.session import SESSION_COOKIE, CookieSpec, Session, SessionCodec
from tailgate.auth.settings import OidcSettings
from tailgate.auth.tokens import TokenVerifier
from tailgate.backoff import Backoff

logger = logging.getLogger(__name__)

#: Seconds any single request to the provider may take.
PROVIDER_TIMEOUT = 10.0
#: Before a browser is sent to sign in, the provider must have answered this recently...
PROVIDER_CHECK_INTERVAL = 5.0
#: ...or answer a fresh discovery request within this long.
PROVIDER_CHECK_TIMEOUT = 3.0


@dataclass(frozen=True, slots=True)
class LoginRedirect:
    """Send the browser to ``url`` and set the sign-in cookie to ``cookie``."""

    url: str
    cookie: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A completed sign-in: set the session cookie, clear the sign-in one, go to ``next_path``."""

    identity: Identity
    session: Session
    cookie: str
    next_path: str


class OidcAuth:
    """Everything sign-in needs at run time, for one provider and one client."""

    def __init__(
        self,
        settings: OidcSettings,
        *,
        http: httpx.AsyncClient,
        backoff: Backoff = DEFAULT_BACKOFF,
        min_key_refetch: float = 30.0,
        clock: Callable[[], float] = time.time,
        on_refresh: Callable[[str], None] = lambda _result: None,
    ) -> None:
        self.settings = settings
        self._http = http
        self.discovery = Discovery(settings.issuer, http, backoff=backoff)
        #: Seconds a successful provider check stays good (see ``confirm_provider``).
        self.provider_check_interval = PROVIDER_CHECK_INTERVAL
        self._provider_confirmed = float("-inf")
        self.keys = SigningKeys(
            http_jwks_fetcher(http, lambda: self.discovery.metadata.jwks_uri),
            min_refetch_interval=min_key_refetch,
        )
        self.tokens = TokenVerifier(
            issuer=settings.issuer,
            client_id=settings.client_id,
            audience=settings.audience,
            keys=self.keys,
            leeway=settings.clock_skew,
            clock=clock,
        )
        self.sessions = SessionCodec(
            settings.session_secret, max_age=settings.session_max_age, clock=clock
        )
        self.logins = LoginStates(settings.session_secret, clock=clock)
        self.logout_tokens = FormTokens(settings.session_secret, "tailgate sign-out form v1")
        self._clock = clock
        #: Names this process in the cookies it seals: the owner of their refresh tokens.
        self.instance = secrets.token_urlsafe(9)
        self.refresher = Refresher(self._spend, clock=clock, on_outcome=on_refresh)
        self.session_cookie = CookieSpec(
            SESSION_COOKIE,
            max_age=settings.session_max_age,
            secure=settings.secure_cookies,
            path=settings.cookie_path,
        )
        self.login_cookie = CookieSpec(
            LOGIN_COOKIE,
            max_age=self.logins.max_age,
            secure=settings.secure_cookies,
            path=settings.cookie_path,
        )

    @classmethod
    def create(
        cls,
        settings: OidcSettings,
        *,
        backoff: Backoff = DEFAULT_BACKOFF,
        min_key_refetch: float = 30.0,
        on_refresh: Callable[[str], None] = lambda _result: None,
    ) -> OidcAuth:
        """Sign-in with an HTTP client of its own, which ``serving`` starts and closes.

        ``on_refresh`` hears the result of each refresh sent (``Refresher``)."""
        http = httpx.AsyncClient(timeout=PROVIDER_TIMEOUT)
        return cls(
            settings,
            http=http,
            backoff=backoff,
            min_key_refetch=min_key_refetch,
            on_refresh=on_refresh,
        )

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[OidcAuth]:
        """Run discovery and refreshes in the background; everything stops when the block ends.

        Meant for one ``cleanup_ctx`` entry of the app, once, on what ``create`` made (the
        HTTP client closes at the end). Start-up does not wait for the provider: ``ready``
        turns true once it has answered.
        """
        async with self._http, self.discovery.running(), self.refresher.running():
            yield self

    @classmethod
    @contextlib.asynccontextmanager
    async def running(
        cls,
        settings: OidcSettings,
        *,
        backoff: Backoff = DEFAULT_BACKOFF,
        min_key_refetch: float = 30.0,
    ) -> AsyncIterator[OidcAuth]:
        """``create`` and ``serving`` in one block."""
        auth = cls.create(settings, backoff=backoff, min_key_refetch=min_key_refetch)
        async with auth.serving():
            yield auth

    @property
    def ready(self) -> bool:
        return self.discovery.ready

    async def confirm_provider(self) -> None:
        """Check the provider answers before sending a browser there to sign in.

        A provider that went down after start-up would otherwise leave people on their
        browser's own error page; this way they get ours, with a way to try again.
        Raises ``ProviderUnavailable``.
        """
        now = time.monotonic()
        if now - self._provider_confirmed < self.provider_check_interval:
            return
        try:
            async with asyncio.timeout(PROVIDER_CHECK_TIMEOUT):
                await self.discovery.refresh()
        except (DiscoveryError, TimeoutError) as exc:
            raise ProviderUnavailable(f"the identity provider is not answering: {exc}") from exc
        self._provider_confirmed = time.monotonic()

    def begin_login(self, next_path: str = "/") -> LoginRedirect:
        """Where to send a browser that wants to sign in; ``ProviderUnavailable`` if unknown."""
        metadata = self.discovery.metadata
        login, cookie = self.logins.begin(next_path)
        return LoginRedirect(authorize_url(metadata, self.settings, login), cookie)

    async def finish_login(self, query: Mapping[str, str], login_cookie: str | None) -> SignedIn:
        """Complete the sign-in the provider sent the browser back from."""
        login = self.logins.complete(login_cookie, query.get("state"))
        metadata = self.discovery.metadata
        code = check_callback(query, metadata)
        tokens = await exchange_code(
            metadata,
            self.settings,
            code=code,
            code_verifier=login.code_verifier,
            request_timeout=PROVIDER_TIMEOUT,
        )
        claims = await self.tokens.verify_id_token(tokens["id_token"], nonce=login.nonce)
        identity = identity_from_claims(claims, groups_claim=self.settings.groups_claim)
        refresh_token = tokens.get("refresh_token")
        if not isinstance(refresh_token, str) or not refresh_token:
            # The session then ends at its first check (see docs/auth.md).
            logger.warning("the provider issued no refresh token; is 'offline_access' needed?")
            refresh_token = None
        cookie, session = self.sessions.seal(
            identity, refresh_token=refresh_token, owner=self.instance
        )
        logger.info("signed in: sub=%s groups=%d", identity.subject, len(identity.groups))
        return SignedIn(identity, session, cookie, login.next_path)

    def session_from_cookie(self, cookie: str | None) -> Session:
        """The session in the session cookie as sealed, unchecked; ``NotSignedIn`` without one."""
        if not cookie:
            raise NotSignedIn()
        return self.sessions.open(cookie)

    async def current_session(self, cookie: str | None) -> tuple[Session, str | None]:
        """The session of a cookie, checked with the provider when due.

        Returns the session and, when it changed (refreshed here, or this process knows a
        newer state of it), the cookie value to send back to the browser.
        """
        opened = self.session_from_cookie(cookie)
        self.refresher.observe(opened)
        checked = await self.checked(opened)
        if checked is opened:
            return opened, None
        return checked, self.sessions.seal_session(checked)

    async def checked(self, session: Session) -> Session:
        """``session`` as the provider sees it now, refreshed if due (see ``refresh``).

        ``SessionRevoked`` when the provider refused it or it was signed out here. A
        provider that cannot be reached leaves the last confirmed state in force.
        """
        latest = self.refresher.latest(session)
        step = next_step(
            latest,
            now=self._clock(),
            interval=self.settings.session_refresh,
            me=self.instance,
        )
        if step is not Step.SPEND:
            return latest
        try:
            return await self.refresher.refresh(latest)
        except ProviderUnavailable:
            # Said once per failed refresh by the refresher, not once per request.
            return latest

    def confirmed_for_tail(self, session: Session) -> Session:
        """An open tail's session as this process last learned it, without spending.

        ``SessionRevoked`` when refused or signed out here; ``SessionUnconfirmed`` when
        nothing newer than ``TAIL_RECONNECT`` intervals is known (the tail should be
        reopened, which checks the session), unless the provider could not be asked
        within the last interval.
        """
        latest = self.refresher.latest(session)
        interval = self.settings.session_refresh
        # While the provider cannot answer, reopening the tail could not check the
        # session either: the last confirmed state holds (docs/auth.md, the window).
        # Nor while a refresh of it is under way here: a reopening would wait for that
        # same refresh, whose outcome the next look takes.
        if (
            tail_is_unconfirmed(latest, now=self._clock(), interval=interval)
            and not self.refresher.unavailable_within(latest, interval)
            and not self.refresher.refreshing(latest)
        ):
            raise SessionUnconfirmed()
        return latest

    async def _spend(self, session: Session) -> Session:
        """One refresh grant for ``session``; the refreshed session (``Refresher`` calls it)."""
        assert session.refresh_token is not None
        tokens = await refresh_grant(
            self.discovery.metadata,
            self.settings,
            session.refresh_token,
            request_timeout=PROVIDER_TIMEOUT,
        )
        identity = session.identity
        id_token = tokens.get("id_token")
        if isinstance(id_token, str):
            try:
                claims = await self.tokens.verify_refreshed_id_token(
                    id_token, subject=identity.subject
                )
                identity = identity_from_claims(claims, groups_claim=self.settings.groups_claim)
            except (TokenInvalid, ValueError) as exc:
                raise SessionRevoked(f"the refreshed ID token was refused: {exc}") from exc
        rotated = tokens.get("refresh_token")
        if not isinstance(rotated, str) or not rotated:
            rotated = session.refresh_token  # the provider does not rotate
        refreshed = replace(
            session,
            identity=identity,
            refresh_token=rotated,
            checked_at=int(self._clock()),
            owner=self.instance,
        )
        logger.info(
            "session refreshed: sub=%s groups=%d rotated=%s",
            identity.subject,
            len(identity.groups),
            refreshed.refresh_token != session.refresh_token,
        )
        return refreshed

    async def sign_out(self, session: Session) -> bool:
        """End ``session``: refused here from now on, its refresh token revoked (RFC 7009).

        Returns whether the provider confirmed the revocation. Other replicas refuse the
        session at their next check of it, when the provider refuses the refresh.
        """
        try:
            latest = self.refresher.latest(session)
        except SessionRevoked:
            return False
        self.refresher.forget_chain(latest, SessionRevoked("signed out"))
        revoked = False
        if latest.refresh_token is not None and self.discovery.ready:
            revoked = await revoke_refresh_token(
                self.discovery.metadata,
                self.settings,
                latest.refresh_token,
                request_timeout=PROVIDER_TIMEOUT,
            )
        logger.info("signed out: sub=%s revoked=%s", latest.identity.subject, revoked)
        return revoked

    async def identity_from_bearer(self, authorization: str | None) -> Identity:
        """The user an ``Authorization: Bearer`` access token speaks for."""
        return (await self.session_from_bearer(authorization)).identity

    async def session_from_bearer(self, authorization: str | None) -> Session:
        """The user a bearer access token speaks for, until the token expires.

        Shaped like a cookie session so that whatever is opened with the token (a tail)
        can end when the token does.
        """
        return (await self.bearer(authorization))[0]

    async def bearer(self, authorization: str | None) -> tuple[Session, str | None]:
        """``session_from_bearer``, and the client the token was issued to.

        The client is RFC 9068's ``client_id`` claim, else ``azp``: it tells the terminal
        client's tokens (``cli_client_id``) from a script's, for the audit trail. It is
        never a reason to let a token in.
        """
        if not authorization:
            raise NotSignedIn()
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise TokenInvalid("the Authorization header is not a bearer token")
        claims = await self.tokens.verify_access_token(token)
        try:
            identity = identity_from_claims(claims, groups_claim=self.settings.groups_claim)
        except ValueError as e:
            raise TokenInvalid(str(e)) from e
        # verify_access_token checked that ``exp`` is a number; ``iat`` is optional.
        iat = claims.get("iat")
        issued = int(iat) if isinstance(iat, int | float) else int(self._clock())
        client = claims.get("client_id", claims.get("azp"))
        return (
            Session(identity, issued_at=issued, expires_at=int(claims["exp"])),
            client if isinstance(client, str) else None,
        )

    def logout_token(self, cookie: str | None) -> str:
        """The sign-out form token for the holder of ``cookie``.

        Tied to the sign-in (its lineage), not to the cookie's bytes: a refresh reseals
        the cookie, and a form shown just before must still sign out.
        """
        return self.logout_tokens.token(self._form_subject(cookie))

    def check_logout_token(self, token: str, cookie: str | None) -> bool:
        return self.logout_tokens.check(token, self._form_subject(cookie))

    def _form_subject(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return "lineage:" + self.sessions.open(cookie).lineage
        except AuthError:
            return None

    def logout_url(self) -> str:
        """Where to send the browser after clearing the session cookie."""
        if self.discovery.ready:
            url = end_session_url(self.discovery.metadata, self.settings)
            if url is not None:
                return url
        return self.settings.post_logout_redirect_uri
