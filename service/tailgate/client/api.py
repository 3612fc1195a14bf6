"""The tailgate server's HTTP API as the client uses it: JSON in, exit codes out.

Every answer is bounded and every refusal becomes a ``ClientError`` whose exit code
says what happened (docs/cli.md): the server's own JSON error (``{"error", "message"}``)
is shown as it is, since it was written for the user.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from .exits import STATUS_EXITS, ClientError, Exit

#: Seconds one API request may take.
API_TIMEOUT = aiohttp.ClientTimeout(total=20, sock_connect=10)

#: A list of logs is small; more than this is not a tailgate server talking.
MAX_ANSWER = 4 << 20


def search_timeout() -> aiohttp.ClientTimeout:
    """A search may read for as long as the server's deadline allows (docs/search.md)."""
    return aiohttp.ClientTimeout(total=300, sock_connect=10)


def describe(error: BaseException) -> str:
    """A network error in a few words (aiohttp's own texts name its internals)."""
    if isinstance(error, aiohttp.ClientConnectorError):
        return error.os_error.strerror or str(error.os_error)
    if isinstance(error, TimeoutError):
        return "timed out"
    return str(error) or type(error).__name__


def bearer(token: str | None) -> dict[str, str]:
    return {} if token is None else {"Authorization": f"Bearer {token}"}


async def get_json(
    http: aiohttp.ClientSession,
    server: str,
    path: str,
    token: str | None = None,
    *,
    limit: int = MAX_ANSWER,
    deadline: aiohttp.ClientTimeout = API_TIMEOUT,
) -> dict[str, Any]:
    """GET ``server + path``; the JSON object, or a ``ClientError`` naming the refusal."""
    url = server + path
    try:
        async with http.get(url, headers=bearer(token), timeout=deadline) as response:
            body = await response.content.read(limit + 1)
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as e:
        raise ClientError(Exit.UNREACHABLE, f"{server} cannot be reached: {describe(e)}") from e
    try:
        data = json.loads(body) if len(body) <= limit else None
    except ValueError:
        data = None
    if status != 200:
        message = data.get("message") if isinstance(data, dict) else None
        text = message if isinstance(message, str) else f"HTTP {status} from {url}"
        raise ClientError(STATUS_EXITS.get(status, Exit.FAILED), text[:300])
    if not isinstance(data, dict):
        raise ClientError(
            Exit.FAILED, f"{url} did not answer with JSON: is this a tailgate server?"
        )
    return data


async def client_config(http: aiohttp.ClientSession, server: str) -> dict[str, Any]:
    """``GET /api/client-config``: how to sign in to ``server`` (docs/cli.md)."""
    try:
        config = await get_json(http, server, "/api/client-config")
    except ClientError as e:
        if e.code is Exit.UNKNOWN_LOG:
            raise ClientError(
                Exit.FAILED, f"{server} has no /api/client-config: is it a tailgate server?"
            ) from e
        raise
    if config.get("auth") not in ("none", "oidc"):
        raise ClientError(
            Exit.FAILED, f"{server} sent a client configuration this client cannot read"
        )
    return config
