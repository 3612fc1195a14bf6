"""Bearer tokens: the provider's access tokens are accepted, its ID tokens are not."""

from __future__ import annotations

import httpx
import pytest

from tailgate.auth.errors import NotSignedIn, TokenInvalid
from tailgate.auth.oidc import OidcAuth
from tailgate.auth.tokens import TokenVerifier

from .provider import Provider, tokens_for


async def test_an_access_token_is_accepted_as_bearer_with_the_users_groups(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    tokens, _ = await tokens_for(auth, provider, browser, user="bob")
    identity = await auth.identity_from_bearer(f"Bearer {tokens['access_token']}")
    assert identity.subject == "bob"
    assert identity.groups == ("dev", "staff")


async def test_the_bearer_scheme_is_case_insensitive(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    tokens, _ = await tokens_for(auth, provider, browser)
    assert (await auth.identity_from_bearer(f"bearer {tokens['access_token']}")).subject == "alice"


async def test_an_id_token_is_refused_as_bearer(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    tokens, _ = await tokens_for(auth, provider, browser)
    with pytest.raises(TokenInvalid):
        await auth.identity_from_bearer(f"Bearer {tokens['id_token']}")


async def test_an_id_token_is_refused_as_bearer_even_when_the_audience_is_the_client_id(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    tokens, _ = await tokens_for(auth, provider, browser)
    client_audience = TokenVerifier(
        issuer=provider.issuer,
        client_id=provider.client_id,
        audience=provider.client_id,
        keys=auth.keys,
    )
    with pytest.raises(TokenInvalid, match="ID token is not accepted"):
        await client_audience.verify_access_token(tokens["id_token"])


async def test_an_access_token_for_another_audience_is_refused(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    tokens, _ = await tokens_for(auth, provider, browser)
    other_api = TokenVerifier(
        issuer=provider.issuer, client_id=provider.client_id, audience="api://other", keys=auth.keys
    )
    with pytest.raises(TokenInvalid, match="another audience"):
        await other_api.verify_access_token(tokens["access_token"])


async def test_an_access_token_is_refused_once_expired(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    tokens, _ = await tokens_for(auth, provider, browser)
    claims = await auth.tokens.verify_access_token(tokens["access_token"])
    later = TokenVerifier(
        issuer=provider.issuer,
        client_id=provider.client_id,
        audience=provider.audience,
        keys=auth.keys,
        clock=lambda: claims["exp"] + 61,
    )
    with pytest.raises(TokenInvalid, match="expired"):
        await later.verify_access_token(tokens["access_token"])


@pytest.mark.parametrize("header", ["Basic YWxpY2U6eA==", "Bearer", "Bearer ", "Bearer abc.def"])
async def test_anything_but_a_valid_bearer_token_is_refused(auth: OidcAuth, header: str) -> None:
    with pytest.raises(TokenInvalid):
        await auth.identity_from_bearer(header)


async def test_no_authorization_header_means_not_signed_in(auth: OidcAuth) -> None:
    with pytest.raises(NotSignedIn):
        await auth.identity_from_bearer(None)
