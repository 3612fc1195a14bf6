"""The OAuth 2.0 client tailgate sends to the provider's token and revocation endpoints.

authlib's httpx client does the protocol work (client authentication, error responses
as ``OAuthError``); this module imports it once, quietly, and builds it the same way for
every call: the code exchange at sign-in, refreshes, and revocation at sign-out.
"""

from __future__ import annotations

import warnings

import authlib.deprecate

with warnings.catch_warnings():
    # authlib 1.9 prefers the httpx2 package and warns when it falls back to httpx, which
    # tailgate depends on; the client behaves the same on both.
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

import httpx

from tailgate.auth.settings import OidcSettings

__all__ = ["AsyncOAuth2Client", "OAuthError", "oauth_client"]


def oauth_client(settings: OidcSettings, *, timeout: float | httpx.Timeout) -> AsyncOAuth2Client:
    """A client that authenticates as tailgate (``client_secret_basic``)."""
    return AsyncOAuth2Client(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
        redirect_uri=settings.redirect_uri,
        timeout=timeout,
    )
