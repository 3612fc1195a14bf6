"""Sign-in with a browser and a loopback redirect (RFC 8252), for providers without RFC 8628.

The client listens on 127.0.0.1 on a port of the system's choosing, sends the user to
the provider's authorization endpoint with that redirect URI, a random ``state`` and a
PKCE S256 challenge, and takes the code from the one request the browser brings back.
Native clients may register ``http://127.0.0.1/callback`` once and use any port with it
(RFC 8252 7.3). A request without the right ``state`` is refused and waited past; the
provider's ``iss`` (RFC 9207), when it sends one, must be the issuer signed in at.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import webbrowser
from collections.abc import Callable
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from .exits import ClientError, Exit
from .oauth import Endpoints, OAuthError, Tokens, token_request

#: How long the user has to finish signing in in the browser.
SIGN_IN_TIMEOUT = 300.0

_DONE_PAGE = (
    "<!doctype html><meta charset=utf-8><title>tailgate</title>"
    "<p>{message} You may close this page and go back to the terminal.</p>"
)


def pkce_pair() -> tuple[str, str]:
    """A code verifier (RFC 7636: 43 to 128 characters) and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


async def loopback_sign_in(
    http: aiohttp.ClientSession,
    endpoints: Endpoints,
    client_id: str,
    scopes: str,
    *,
    say: Callable[[str], None],
    open_browser: bool = False,
) -> Tokens:
    assert endpoints.authorization is not None
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    answer: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()

    async def callback(request: web.Request) -> web.Response:
        query = dict(request.query)
        if not secrets.compare_digest(query.get("state", ""), state) or answer.done():
            return web.Response(status=400, text="not the sign-in this terminal is waiting for")
        answer.set_result(query)
        ok = "code" in query and "error" not in query
        message = "Signed in to tailgate." if ok else "The sign-in did not succeed."
        return web.Response(text=_DONE_PAGE.format(message=message), content_type="text/html")

    app = web.Application()
    app.router.add_get("/callback", callback)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        redirect_uri = f"http://127.0.0.1:{port}/callback"
        url = (
            endpoints.authorization
            + "?"
            + urlencode(
                {
                    "response_type": "code",
                    "client_id": client_id,
                    "redirect_uri": redirect_uri,
                    "scope": scopes,
                    "state": state,
                    "code_challenge": challenge,
                    "code_challenge_method": "S256",
                }
            )
        )
        say("To sign in, open this address in a browser on this machine:")
        say(f"  {url}")
        if open_browser:
            webbrowser.open(url)
        try:
            query = await asyncio.wait_for(answer, SIGN_IN_TIMEOUT)
        except TimeoutError:
            raise ClientError(
                Exit.SIGN_IN_NEEDED,
                f"no sign-in came back within {SIGN_IN_TIMEOUT:.0f} s; try again",
            ) from None
    finally:
        await runner.cleanup()
    return await _exchange(http, endpoints, client_id, query, redirect_uri, verifier)


async def _exchange(
    http: aiohttp.ClientSession,
    endpoints: Endpoints,
    client_id: str,
    query: dict[str, str],
    redirect_uri: str,
    verifier: str,
) -> Tokens:
    if "error" in query:
        if query["error"] == "access_denied":
            raise ClientError(
                Exit.SIGN_IN_NEEDED, "the sign-in was refused at the identity provider"
            )
        raise ClientError(
            Exit.FAILED, f"the identity provider refused the sign-in: {query['error'][:100]}"
        )
    if "iss" in query and query["iss"] != endpoints.issuer:
        raise ClientError(Exit.FAILED, "the sign-in came back from another identity provider")
    code = query.get("code")
    if not code:
        raise ClientError(Exit.FAILED, "the identity provider sent no code")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": verifier,
    }
    try:
        return await token_request(http, endpoints, form)
    except OAuthError as e:
        raise ClientError(Exit.FAILED, f"the identity provider refused the code: {e.error}") from e
