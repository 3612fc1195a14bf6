"""Signing in against a real provider, and every way a sign-in is refused."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
from urllib.parse import urlencode

import httpx
import pytest

from tailgate.auth.errors import (
    CodeExchangeFailed,
    IssuerMismatch,
    LoginReplayed,
    LoginStateInvalid,
    ProviderRefused,
    TokenExpired,
    TokenInvalid,
)
from tailgate.auth.flow import authorize_url, check_callback, exchange_code
from tailgate.auth.oidc import OidcAuth
from tailgate.auth.settings import OidcSettings
from tailgate.auth.tokens import TokenVerifier

from .provider import Provider, callback_query, sign_in, tokens_for


@pytest.mark.parametrize(
    ("user", "groups"), [("alice", ("ops", "staff")), ("bob", ("dev", "staff")), ("carol", ())]
)
async def test_a_user_signs_in_and_gets_a_session_with_their_groups(
    auth: OidcAuth,
    provider: Provider,
    browser: httpx.AsyncClient,
    user: str,
    groups: tuple[str, ...],
) -> None:
    start = auth.begin_login("/logs/web")
    callback = await sign_in(browser, start.url, redirect_uri=provider.redirect_uri, user=user)
    signed_in = await auth.finish_login(callback_query(callback), start.cookie)
    assert signed_in.identity.subject == user
    assert signed_in.identity.username == user
    assert signed_in.identity.email == f"{user}@example.com"
    assert signed_in.identity.groups == groups
    assert signed_in.next_path == "/logs/web"
    assert auth.session_from_cookie(signed_in.cookie).identity == signed_in.identity


async def test_the_provider_sends_iss_with_the_code(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    start = auth.begin_login()
    query = callback_query(await sign_in(browser, start.url, redirect_uri=provider.redirect_uri))
    assert query["iss"] == provider.issuer
    assert set(query) == {"code", "state", "iss"}


async def test_a_replayed_callback_is_refused(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    start = auth.begin_login()
    query = callback_query(await sign_in(browser, start.url, redirect_uri=provider.redirect_uri))
    await auth.finish_login(query, start.cookie)
    with pytest.raises(LoginReplayed):
        await auth.finish_login(query, start.cookie)


async def test_a_callback_for_another_browsers_sign_in_is_refused(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    victim = auth.begin_login()
    attacker = auth.begin_login()
    query = callback_query(await sign_in(browser, attacker.url, redirect_uri=provider.redirect_uri))
    with pytest.raises(LoginStateInvalid):
        await auth.finish_login(query, victim.cookie)


async def test_a_callback_naming_another_issuer_is_refused(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    start = auth.begin_login()
    query = callback_query(await sign_in(browser, start.url, redirect_uri=provider.redirect_uri))
    with pytest.raises(IssuerMismatch):
        await auth.finish_login({**query, "iss": "https://evil.example.com"}, start.cookie)


async def test_a_code_is_refused_without_the_pkce_verifier(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    metadata = auth.discovery.metadata
    login, _ = auth.logins.begin()
    url = authorize_url(metadata, auth.settings, login)
    code = check_callback(
        callback_query(await sign_in(browser, url, redirect_uri=provider.redirect_uri)), metadata
    )
    with pytest.raises(CodeExchangeFailed, match="invalid_grant"):
        await exchange_code(metadata, auth.settings, code=code, code_verifier="")


async def test_a_code_is_refused_with_another_pkce_verifier(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    metadata = auth.discovery.metadata
    login, _ = auth.logins.begin()
    other, _ = auth.logins.begin()
    url = authorize_url(metadata, auth.settings, login)
    code = check_callback(
        callback_query(await sign_in(browser, url, redirect_uri=provider.redirect_uri)), metadata
    )
    with pytest.raises(CodeExchangeFailed, match="invalid_grant"):
        await exchange_code(metadata, auth.settings, code=code, code_verifier=other.code_verifier)


async def test_the_provider_refuses_a_sign_in_without_a_pkce_challenge(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    start = auth.begin_login()
    without_pkce = start.url.replace("code_challenge_method=S256", "").replace(
        "code_challenge=", "x_dropped="
    )
    response = await browser.get(without_pkce)
    assert response.is_redirect
    query = callback_query(response.headers["location"])
    assert query["error"] == "invalid_request"
    with pytest.raises(ProviderRefused):
        await auth.finish_login(query, start.cookie)


async def test_the_provider_refuses_a_plain_pkce_challenge(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    start = auth.begin_login()
    plain = start.url.replace("code_challenge_method=S256", "code_challenge_method=plain")
    response = await browser.get(plain)
    assert callback_query(response.headers["location"])["error"] == "invalid_request"


async def test_a_code_is_refused_the_second_time(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    metadata = auth.discovery.metadata
    login, _ = auth.logins.begin()
    url = authorize_url(metadata, auth.settings, login)
    code = check_callback(
        callback_query(await sign_in(browser, url, redirect_uri=provider.redirect_uri)), metadata
    )
    await exchange_code(metadata, auth.settings, code=code, code_verifier=login.code_verifier)
    with pytest.raises(CodeExchangeFailed, match="invalid_grant"):
        await exchange_code(metadata, auth.settings, code=code, code_verifier=login.code_verifier)


def _tamper(token: str, **changes: object) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


async def test_a_tampered_id_token_is_refused(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    tokens, login = await tokens_for(auth, provider, browser, user="carol")
    await auth.tokens.verify_id_token(tokens["id_token"], nonce=login.nonce)
    forged = _tamper(tokens["id_token"], groups=["ops"])
    with pytest.raises(TokenInvalid, match="signature"):
        await auth.tokens.verify_id_token(forged, nonce=login.nonce)


async def test_an_id_token_with_another_nonce_is_refused(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    tokens, _ = await tokens_for(auth, provider, browser)
    with pytest.raises(TokenInvalid, match="nonce"):
        await auth.tokens.verify_id_token(tokens["id_token"], nonce="not-the-nonce")


async def test_an_id_token_for_another_client_is_refused(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    tokens, login = await tokens_for(auth, provider, browser)
    other_client = TokenVerifier(
        issuer=provider.issuer, client_id="another-app", audience=None, keys=auth.keys
    )
    with pytest.raises(TokenInvalid, match="another client"):
        await other_client.verify_id_token(tokens["id_token"], nonce=login.nonce)


async def test_an_id_token_is_refused_once_expired(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    tokens, login = await tokens_for(auth, provider, browser)
    claims = await auth.tokens.verify_id_token(tokens["id_token"], nonce=login.nonce)
    after_expiry = TokenVerifier(
        issuer=provider.issuer,
        client_id=provider.client_id,
        audience=None,
        keys=auth.keys,
        leeway=60,
        clock=lambda: claims["exp"] + 60,
    )
    with pytest.raises(TokenExpired):
        await after_expiry.verify_id_token(tokens["id_token"], nonce=login.nonce)


async def test_a_new_signing_key_is_fetched_when_the_provider_rotates(
    settings: OidcSettings, provider: Provider, browser: httpx.AsyncClient
) -> None:
    # No refetch interval here: the rate limit has its own test.
    async with OidcAuth.running(settings, min_key_refetch=0) as auth:
        async with asyncio.timeout(10):
            await auth.discovery.wait_ready()
        tokens, login = await tokens_for(auth, provider, browser)
        await auth.tokens.verify_id_token(tokens["id_token"], nonce=login.nonce)
        assert auth.keys.fetches == 1

        new_kid = provider.rotate_keys()
        tokens, login = await tokens_for(auth, provider, browser)
        header = json.loads(base64.urlsafe_b64decode(tokens["id_token"].split(".")[0] + "=="))
        assert header["kid"] == new_kid
        await auth.tokens.verify_id_token(tokens["id_token"], nonce=login.nonce)
        assert auth.keys.fetches == 2


async def test_sign_out_returns_through_the_provider_to_the_home_page(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    start = auth.begin_login()
    await auth.finish_login(
        callback_query(await sign_in(browser, start.url, redirect_uri=provider.redirect_uri)),
        start.cookie,
    )
    # Signed in at the provider: another sign-in goes straight back to the app.
    remembered = await browser.get(auth.begin_login().url)
    assert remembered.headers["location"].startswith(provider.redirect_uri)

    page = await browser.get(auth.logout_url())
    assert page.status_code == 200
    xsrf = page.text.split('name="xsrf" value="')[1].split('"')[0]
    form_action = page.text.split('action="')[1].split('"')[0]
    response = await browser.post(
        provider.issuer + form_action if form_action.startswith("/") else form_action,
        content=urlencode({"xsrf": xsrf, "logout": "yes"}),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    while response.is_redirect and not response.headers["location"].startswith(
        provider.post_logout_redirect_uri
    ):
        response = await browser.get(response.headers["location"])
    assert response.headers["location"] == provider.post_logout_redirect_uri

    # Signed out at the provider: the next sign-in shows the login form again.
    again = await browser.get(auth.begin_login().url)
    assert "/interaction/" in again.headers["location"]


async def test_the_provider_issues_refresh_tokens_for_offline_access(
    auth: OidcAuth, provider: Provider, browser: httpx.AsyncClient
) -> None:
    metadata = auth.discovery.metadata
    settings = dataclasses.replace(auth.settings, scopes=(*auth.settings.scopes, "offline_access"))
    login, _ = auth.logins.begin()
    url = authorize_url(metadata, settings, login) + "&prompt=consent"
    callback = await sign_in(browser, url, redirect_uri=provider.redirect_uri, user="bob")
    code = check_callback(callback_query(callback), metadata)
    tokens = await exchange_code(metadata, settings, code=code, code_verifier=login.code_verifier)
    refreshed = await browser.post(
        metadata.token_endpoint,
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=(provider.client_id, provider.client_secret),
    )
    assert refreshed.status_code == 200
    identity = await auth.identity_from_bearer(f"Bearer {refreshed.json()['access_token']}")
    assert identity.groups == ("dev", "staff")
