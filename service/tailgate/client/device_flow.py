"""Sign-in with the OAuth 2.0 Device Authorization Grant (RFC 8628).

The terminal prints a URL and a short code; the user approves on any device with a
browser (their laptop, for a session on a server they reached with ssh) while the
client polls the token endpoint. The polling follows the RFC to the letter, because
providers enforce it: never sooner than ``interval`` seconds (5 when the provider does
not say), 5 seconds more after each ``slow_down``, and no longer than the code's
``expires_in``. What a poll's answer means for the next one is the pure
``after_poll``, tested from a table.
"""

from __future__ import annotations

import asyncio
import time
import webbrowser
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from .exits import ClientError, Exit
from .oauth import DEVICE_GRANT, Endpoints, OAuthError, Tokens, post_form, token_request

#: RFC 8628 3.2: the interval when the provider gives none, and 3.5: the slow_down step.
DEFAULT_INTERVAL = 5.0
SLOW_DOWN_STEP = 5.0
#: A provider may not make the client poll faster than this, nor slower than this.
MIN_INTERVAL = 0.5
MAX_INTERVAL = 60.0


@dataclass(frozen=True, slots=True)
class DeviceCode:
    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float


def device_code_from(answer: dict[str, object]) -> DeviceCode:
    """The device authorization response, checked (RFC 8628 3.2)."""

    def text(name: str) -> str | None:
        value = answer.get(name)
        return value if isinstance(value, str) and value else None

    device_code = text("device_code")
    user_code = text("user_code")
    # Google's endpoint still says verification_url, as drafts of the RFC did.
    uri = text("verification_uri") or text("verification_url")
    expires = answer.get("expires_in")
    if device_code is None or user_code is None or uri is None:
        raise ClientError(Exit.FAILED, "the provider's device authorization answer is incomplete")
    if not isinstance(expires, int | float) or isinstance(expires, bool) or expires <= 0:
        raise ClientError(Exit.FAILED, "the provider's device code has no valid expires_in")
    interval = answer.get("interval")
    seconds = (
        float(interval)
        if isinstance(interval, int | float) and not isinstance(interval, bool)
        else DEFAULT_INTERVAL
    )
    return DeviceCode(
        device_code=device_code,
        user_code=user_code,
        verification_uri=uri,
        verification_uri_complete=text("verification_uri_complete"),
        expires_in=float(expires),
        interval=min(MAX_INTERVAL, max(MIN_INTERVAL, seconds)),
    )


def after_poll(error: str, interval: float) -> float:
    """The interval before the next poll after ``error``; ``ClientError`` to stop polling."""
    if error == "authorization_pending":
        return interval
    if error == "slow_down":
        return min(MAX_INTERVAL, interval + SLOW_DOWN_STEP)
    if error == "access_denied":
        raise ClientError(Exit.SIGN_IN_NEEDED, "the sign-in was refused at the identity provider")
    if error == "expired_token":
        raise ClientError(
            Exit.SIGN_IN_NEEDED, "the code expired before the sign-in was approved; try again"
        )
    raise ClientError(Exit.FAILED, f"the identity provider refused the sign-in: {error}")


async def device_sign_in(
    http: aiohttp.ClientSession,
    endpoints: Endpoints,
    client_id: str,
    scopes: str,
    *,
    say: Callable[[str], None],
    open_browser: bool = False,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Tokens:
    """Have the user approve a device code; the tokens once they did."""
    assert endpoints.device_authorization is not None
    status, answer = await post_form(
        http,
        endpoints.device_authorization,
        {"client_id": client_id, "scope": scopes},
        "the device authorization endpoint",
    )
    if status != 200:
        error = answer.get("error", f"HTTP {status}")
        raise ClientError(Exit.FAILED, f"the identity provider refused a device code: {error}")
    code = device_code_from(answer)
    say(f"To sign in, open {code.verification_uri} and enter the code {code.user_code}")
    if code.verification_uri_complete:
        say(f"  or open {code.verification_uri_complete}")
    if open_browser:
        webbrowser.open(code.verification_uri_complete or code.verification_uri)
    deadline = time.monotonic() + code.expires_in
    interval = code.interval
    form = {"grant_type": DEVICE_GRANT, "device_code": code.device_code, "client_id": client_id}
    while True:
        if time.monotonic() + interval > deadline:
            after_poll("expired_token", interval)
        await sleep(interval)
        try:
            return await token_request(http, endpoints, form)
        except OAuthError as e:
            interval = after_poll(e.error, interval)
