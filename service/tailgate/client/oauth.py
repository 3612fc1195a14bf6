"""OAuth 2.0 with the server's identity provider, as a public client: plain form POSTs.

The terminal client holds no secret, keeps no ID token and verifies nothing itself:
the server checks every access token it is sent. What is left of OAuth is a handful of
form POSTs (RFC 6749 token requests, RFC 7009 revocation) and reading the provider's
discovery document, so they are written here over the client's own HTTP session
rather than through authlib, which the import contracts keep inside the server's
``auth/`` layer (and whose asynchronous client would bring a second HTTP stack into
the client). Provider answers are bounded and checked; a token never appears in an
error message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from ..loopback import is_loopback
from .api import describe
from .exits import ClientError, Exit

#: Seconds any one request to the provider may take.
PROVIDER_TIMEOUT = aiohttp.ClientTimeout(total=20)

#: Provider answers larger than this are refused (a discovery document is a few KiB).
MAX_ANSWER = 1 << 20

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The provider's endpoints the client uses, from its discovery document."""

    issuer: str
    token: str
    authorization: str | None
    device_authorization: str | None
    revocation: str | None

    def optional(self) -> list[str]:
        """The endpoints the provider may leave out, those it named."""
        named = (self.authorization, self.device_authorization, self.revocation)
        return [url for url in named if url is not None]


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    expires_at: float
    refresh_token: str | None


class OAuthError(Exception):
    """The provider answered a token request with an OAuth error (``error`` is its code)."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description


async def _json(
    response: aiohttp.ClientResponse, what: str, *, empty_ok: bool = False
) -> dict[str, Any]:
    body = await response.content.read(MAX_ANSWER + 1)
    if len(body) > MAX_ANSWER:
        raise ClientError(Exit.FAILED, f"{what}: the answer is too large")
    if empty_ok and not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        raise ClientError(Exit.FAILED, f"{what}: not JSON (HTTP {response.status})") from None
    if not isinstance(data, dict):
        raise ClientError(Exit.FAILED, f"{what}: not a JSON object")
    return data


def _unreachable(what: str, error: Exception) -> ClientError:
    return ClientError(Exit.UNREACHABLE, f"{what}: cannot be reached ({describe(error)})")


async def discover(http: aiohttp.ClientSession, issuer: str) -> Endpoints:
    """The endpoints of ``issuer``, whose discovery document must name it exactly."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    what = f"the identity provider {issuer}"
    try:
        async with http.get(url, headers=ONE_SHOT, timeout=PROVIDER_TIMEOUT) as response:
            if response.status != 200:
                raise ClientError(
                    Exit.FAILED, f"{what}: its discovery document answered HTTP {response.status}"
                )
            metadata = await _json(response, what)
    except (aiohttp.ClientError, TimeoutError) as e:
        raise _unreachable(what, e) from e
    if metadata.get("issuer") != issuer:
        raise ClientError(Exit.FAILED, f"{what}: its discovery document names another issuer")
    token = metadata.get("token_endpoint")
    if not isinstance(token, str):
        raise ClientError(Exit.FAILED, f"{what}: no token endpoint")

    def optional(name: str) -> str | None:
        value = metadata.get(name)
        return value if isinstance(value, str) else None

    endpoints = Endpoints(
        issuer=issuer,
        token=token,
        authorization=optional("authorization_endpoint"),
        device_authorization=optional("device_authorization_endpoint"),
        revocation=optional("revocation_endpoint"),
    )
    for endpoint in (issuer, token, *endpoints.optional()):
        check_secure(endpoint, what)
    return endpoints


def check_secure(url: str, what: str) -> None:
    """Tokens and codes go only to https, or to plain http on this machine."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        return
    raise ClientError(Exit.FAILED, f"{what}: {url[:200]!r} is not an https URL")


#: Every request to the provider on a connection of its own, closed after the answer. A
#: pooled connection the provider has just closed (Node servers drop idle ones after
#: 5 s, shorter than a device poll after ``slow_down``) fails the request, and a grant
#: cannot simply be sent again: a device code or an authorization code works once, a
#: rotated refresh token presented twice ends the sign-in.
ONE_SHOT = {"Connection": "close"}


async def post_form(
    http: aiohttp.ClientSession, url: str, form: Mapping[str, str], what: str
) -> tuple[int, dict[str, Any]]:
    """POST ``form`` to ``url``: the status and the JSON object it answered."""
    try:
        async with http.post(
            url,
            data=dict(form),
            headers={"Accept": "application/json", **ONE_SHOT},
            timeout=PROVIDER_TIMEOUT,
        ) as response:
            # A revocation answers 200 with an empty body.
            return response.status, await _json(response, what, empty_ok=True)
    except (aiohttp.ClientError, TimeoutError) as e:
        raise _unreachable(what, e) from e


async def token_request(
    http: aiohttp.ClientSession, endpoints: Endpoints, form: Mapping[str, str]
) -> Tokens:
    """One request to the token endpoint; ``OAuthError`` for the provider's refusals."""
    started = time.time()
    status, answer = await post_form(http, endpoints.token, form, "the token endpoint")
    if status != 200:
        error = answer.get("error")
        if isinstance(error, str):
            description = answer.get("error_description")
            raise OAuthError(error, description if isinstance(description, str) else "")
        raise ClientError(Exit.FAILED, f"the token endpoint answered HTTP {status}")
    return tokens_from(answer, started)


def tokens_from(answer: Mapping[str, Any], started: float) -> Tokens:
    access = answer.get("access_token")
    if not isinstance(access, str) or not access:
        raise ClientError(Exit.FAILED, "the token endpoint sent no access token")
    lifetime = answer.get("expires_in")
    # Counted from before the request: the token may have been issued that long ago.
    seconds = float(lifetime) if isinstance(lifetime, int | float) and lifetime > 0 else 300.0
    refresh = answer.get("refresh_token")
    return Tokens(access, started + seconds, refresh if isinstance(refresh, str) else None)


async def refresh(
    http: aiohttp.ClientSession, endpoints: Endpoints, client_id: str, refresh_token: str
) -> Tokens:
    """New tokens for ``refresh_token`` (which the provider may rotate: keep the new one)."""
    tokens = await token_request(
        http,
        endpoints,
        {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id},
    )
    if tokens.refresh_token is None:
        # RFC 6749 6: a provider that does not rotate leaves the old one valid.
        tokens = Tokens(tokens.access_token, tokens.expires_at, refresh_token)
    return tokens


async def revoke(
    http: aiohttp.ClientSession, url: str, client_id: str, token: str, hint: str
) -> None:
    """RFC 7009: the provider forgets ``token``; ``ClientError`` when it refuses."""
    status, answer = await post_form(
        http,
        url,
        {"token": token, "token_type_hint": hint, "client_id": client_id},
        "the revocation endpoint",
    )
    if status != 200:
        error = answer.get("error", f"HTTP {status}")
        raise ClientError(Exit.FAILED, f"the provider did not revoke the {hint}: {error}")
