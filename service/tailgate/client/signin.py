"""Being signed in to a server: login, the current access token, refresh, logout.

``login`` asks the server how to sign in (``/api/client-config``), then the provider
(its discovery document), and uses the device grant where the provider offers it,
else a loopback redirect. The tokens go to the store (``store``). ``access_token``
hands out the cached token, refreshed first when it is about to expire or when the
server just refused it; a refresh the provider refuses ends the sign-in (the cache is
deleted, the command says to log in again). ``logout`` revokes the refresh token and
the access token at the provider, then deletes them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import aiohttp

from .api import client_config, get_json
from .device_flow import device_sign_in
from .exits import ClientError, Exit
from .loopback_flow import loopback_sign_in
from .oauth import Endpoints, OAuthError, discover, refresh, revoke
from .store import Credentials, Store

#: An access token this close to its expiry is refreshed before it is used.
REFRESH_EARLY = 30.0


async def login(
    http: aiohttp.ClientSession,
    server: str,
    store: Store,
    *,
    flow: str | None,
    open_browser: bool,
    say: Callable[[str], None],
) -> str:
    """Sign in to ``server``; what the server calls the user (``/api/me``)."""
    config = await client_config(http, server)
    if config["auth"] == "none":
        store.remember(server)
        return ""
    issuer, client_id = config.get("issuer"), config.get("client_id")
    if not isinstance(issuer, str) or not isinstance(client_id, str) or not client_id:
        raise ClientError(
            Exit.FAILED,
            f"{server} does not offer sign-in from a terminal: its operator has not set "
            "TAILGATE_CLI_CLIENT_ID",
        )
    raw_scopes = config.get("scopes")
    scopes = (
        " ".join(s for s in raw_scopes if isinstance(s, str))
        if isinstance(raw_scopes, list)
        else ""
    )
    endpoints = await discover(http, issuer)
    use_device = endpoints.device_authorization is not None and flow != "loopback"
    if flow == "device" and endpoints.device_authorization is None:
        raise ClientError(Exit.FAILED, f"{issuer} offers no device sign-in; use --flow loopback")
    if use_device:
        tokens = await device_sign_in(
            http, endpoints, client_id, scopes or "openid", say=say, open_browser=open_browser
        )
    elif endpoints.authorization is not None:
        tokens = await loopback_sign_in(
            http, endpoints, client_id, scopes or "openid", say=say, open_browser=open_browser
        )
    else:
        raise ClientError(Exit.FAILED, f"{issuer} offers neither device nor browser sign-in")
    me = await get_json(http, server, "/api/me", tokens.access_token)
    store.save(
        Credentials(
            server=server,
            issuer=issuer,
            client_id=client_id,
            token_endpoint=endpoints.token,
            access_token=tokens.access_token,
            expires_at=tokens.expires_at,
            refresh_token=tokens.refresh_token,
            revocation_endpoint=endpoints.revocation,
        )
    )
    user = me.get("user")
    return user if isinstance(user, str) else "?"


async def access_token(
    http: aiohttp.ClientSession, server: str, store: Store, *, refused: str | None = None
) -> str | None:
    """The token to send to ``server``; ``None`` when it needs no sign-in.

    ``refused`` is a token the server just turned away: it is refreshed even if it has
    not expired (the provider may know better, say after a change of groups).
    """
    credentials = store.load(server)
    if credentials is None:
        config = await client_config(http, server)
        if config["auth"] == "none":
            return None
        raise _sign_in_needed(server, "not signed in")
    due = credentials.expires_at - time.time() < REFRESH_EARLY
    if not due and credentials.access_token != refused:
        return credentials.access_token
    lock = await asyncio.to_thread(store.lock, server)
    try:
        # Another command (or tail) may have refreshed while this one waited for the
        # lock: a token that new is used as long as it is valid at all, or tokens that
        # live less than REFRESH_EARLY would be refreshed once per waiter.
        latest = store.load(server)
        if latest is None:
            raise _sign_in_needed(server, "signed out")
        if (
            latest.access_token not in (credentials.access_token, refused)
            and latest.expires_at > time.time()
        ):
            return latest.access_token
        return (await _refreshed(http, store, latest)).access_token
    finally:
        store.unlock(lock)


async def _refreshed(
    http: aiohttp.ClientSession, store: Store, credentials: Credentials
) -> Credentials:
    if credentials.refresh_token is None:
        store.delete(credentials.server)
        raise _sign_in_needed(credentials.server, "the sign-in has expired")
    endpoints = Endpoints(
        issuer=credentials.issuer,
        token=credentials.token_endpoint,
        authorization=None,
        device_authorization=None,
        revocation=credentials.revocation_endpoint,
    )
    try:
        tokens = await refresh(http, endpoints, credentials.client_id, credentials.refresh_token)
    except OAuthError as e:
        store.delete(credentials.server)
        raise _sign_in_needed(
            credentials.server, f"the identity provider ended the sign-in ({e.error})"
        ) from e
    renewed = Credentials(
        server=credentials.server,
        issuer=credentials.issuer,
        client_id=credentials.client_id,
        token_endpoint=credentials.token_endpoint,
        access_token=tokens.access_token,
        expires_at=tokens.expires_at,
        refresh_token=tokens.refresh_token,
        revocation_endpoint=credentials.revocation_endpoint,
    )
    store.save(renewed)
    return renewed


def _sign_in_needed(server: str, why: str) -> ClientError:
    return ClientError(Exit.SIGN_IN_NEEDED, f"{why}: run `tailgate login --server {server}`")


async def logout(
    http: aiohttp.ClientSession, server: str, store: Store, *, say: Callable[[str], None]
) -> bool:
    """Revoke and delete the sign-in to ``server``; whether there was one."""
    credentials = store.load(server)
    if credentials is None:
        return store.delete(server)
    try:
        if credentials.revocation_endpoint is None:
            say("the identity provider offers no revocation: the tokens were only deleted here")
        else:
            if credentials.refresh_token is not None:
                await revoke(
                    http,
                    credentials.revocation_endpoint,
                    credentials.client_id,
                    credentials.refresh_token,
                    "refresh_token",
                )
            await revoke(
                http,
                credentials.revocation_endpoint,
                credentials.client_id,
                credentials.access_token,
                "access_token",
            )
    except ClientError as e:
        say(f"warning: {e.message}; the tokens were deleted here all the same")
    finally:
        store.delete(server)
    return True
