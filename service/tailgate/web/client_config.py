"""``GET /api/client-config``: what the terminal client needs to sign in to this server.

``tailgate login`` knows only the server's URL. This public answer tells it whether
sign-in is on, which provider to sign in at and as which public client, and which
scopes to ask for; the client finds the provider's endpoints through the issuer's own
discovery document. Nothing here is secret (a public client has no secret, and the
issuer and audience are in every token), so it needs no sign-in, like the login page
it stands in for.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .context import SERVICES


async def client_config(request: web.Request) -> web.Response:
    """``{"auth": "none"}``, or the provider, client ID, scopes and audience to sign in with.

    With sign-in on but no terminal client configured (``TAILGATE_CLI_CLIENT_ID`` unset),
    ``client_id`` is ``null``: the client says so instead of guessing.
    """
    oidc = request.app[SERVICES].settings.oidc
    body: dict[str, Any]
    if oidc is None:
        body = {"auth": "none"}
    else:
        body = {
            "auth": "oidc",
            "issuer": oidc.issuer,
            "client_id": oidc.cli_client_id,
            "scopes": list(oidc.cli_scopes) if oidc.cli_client_id else [],
            "audience": oidc.audience if oidc.cli_client_id else None,
        }
    response = web.json_response(body)
    # The same for everyone, but it changes with the server's settings: check each time.
    response.headers["Cache-Control"] = "no-cache"
    return response
