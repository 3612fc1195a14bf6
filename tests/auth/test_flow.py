"""The steps of the code flow that need no provider: paths, PKCE, state, callback checks."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlsplit

import pytest

from tailgate.auth.discovery import ProviderMetadata
from tailgate.auth.errors import IssuerMismatch, LoginReplayed, LoginStateInvalid, ProviderRefused
from tailgate.auth.flow import (
    LoginStates,
    authorize_url,
    check_callback,
    end_session_url,
    is_local_path,
    pkce_challenge,
)
from tailgate.auth.settings import OidcSettings

from .clock import FakeClock

SECRET = "z" * 40
METADATA = ProviderMetadata(
    issuer="https://id.example.com",
    authorization_endpoint="https://id.example.com/auth?tenant=main",
    token_endpoint="https://id.example.com/token",
    jwks_uri="https://id.example.com/jwks",
    end_session_endpoint="https://id.example.com/logout",
    iss_parameter_supported=True,
)
SETTINGS = OidcSettings(
    issuer="https://id.example.com",
    client_id="tailgate",
    client_secret="secret",
    public_url="https://logs.example.com",
    session_secret=SECRET,
)


@pytest.mark.parametrize("path", ["/", "/x", "/logs/web?since=1h", "/a/b#c", "/%2F%2Fevil"])
def test_a_local_path_is_accepted_as_next(path: str) -> None:
    assert is_local_path(path)


@pytest.mark.parametrize(
    "path",
    [
        "//evil.com",
        "https://evil",
        "/\\evil",
        "\\\\evil",
        "/x\\..\\evil",
        "evil",
        "",
        "javascript:alert(1)",
        "/\t/evil.com",
        "/x\r\nSet-Cookie: a=b",
    ],
)
def test_anything_that_could_leave_the_site_is_not_a_local_path(path: str) -> None:
    assert not is_local_path(path)


def test_the_pkce_challenge_is_s256_as_in_rfc_7636() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_the_authorize_url_carries_pkce_state_and_nonce() -> None:
    login, _ = LoginStates(SECRET).begin("/logs/web")
    url = authorize_url(METADATA, SETTINGS, login)
    assert url.startswith("https://id.example.com/auth?tenant=main&")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query == {
        "tenant": "main",
        "response_type": "code",
        "client_id": "tailgate",
        "redirect_uri": "https://logs.example.com/auth/callback",
        "scope": "openid profile email",
        "state": login.state,
        "nonce": login.nonce,
        "code_challenge": pkce_challenge(login.code_verifier),
        "code_challenge_method": "S256",
    }


def test_each_sign_in_gets_fresh_secrets() -> None:
    states = LoginStates(SECRET)
    first, _ = states.begin()
    second, _ = states.begin()
    assert {first.state, first.nonce, first.code_verifier}.isdisjoint(
        {second.state, second.nonce, second.code_verifier}
    )
    assert len(first.code_verifier) >= 43


def test_a_foreign_next_path_becomes_the_home_page() -> None:
    login, _ = LoginStates(SECRET).begin("//evil.com/")
    assert login.next_path == "/"


def test_a_sign_in_completes_once() -> None:
    states = LoginStates(SECRET)
    login, cookie = states.begin("/x")
    assert states.complete(cookie, login.state) == login
    with pytest.raises(LoginReplayed):
        states.complete(cookie, login.state)


def test_a_callback_with_another_state_is_refused() -> None:
    states = LoginStates(SECRET)
    _, cookie = states.begin()
    other, _ = states.begin()
    with pytest.raises(LoginStateInvalid, match="does not match"):
        states.complete(cookie, other.state)


@pytest.mark.parametrize("cookie", [None, "", "v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAA"])
def test_a_callback_without_a_valid_sign_in_cookie_is_refused(cookie: str | None) -> None:
    with pytest.raises(LoginStateInvalid):
        LoginStates(SECRET).complete(cookie, "some-state")


def test_a_sign_in_cookie_expires() -> None:
    clock = FakeClock()
    states = LoginStates(SECRET, max_age=600, clock=clock)
    login, cookie = states.begin()
    clock.advance(600)
    with pytest.raises(LoginStateInvalid, match="expired"):
        states.complete(cookie, login.state)


def test_completed_sign_ins_are_forgotten_once_expired_and_memory_is_bounded() -> None:
    clock = FakeClock()
    states = LoginStates(SECRET, max_age=60, clock=clock, remember=3)
    for _ in range(5):
        login, cookie = states.begin()
        states.complete(cookie, login.state)
    assert states.remembered == 3
    clock.advance(61)
    login, cookie = states.begin()
    states.complete(cookie, login.state)
    assert states.remembered == 1


def test_a_callback_from_our_issuer_gives_its_code() -> None:
    assert check_callback({"code": "c", "iss": "https://id.example.com"}, METADATA) == "c"


def test_a_callback_naming_another_issuer_is_refused() -> None:
    with pytest.raises(IssuerMismatch):
        check_callback({"code": "c", "iss": "https://evil.example.com"}, METADATA)


def test_a_callback_without_iss_is_refused_when_the_provider_sends_it() -> None:
    with pytest.raises(IssuerMismatch):
        check_callback({"code": "c"}, METADATA)


def test_a_callback_without_iss_is_accepted_from_a_provider_that_never_sends_it() -> None:
    older = dataclasses.replace(METADATA, iss_parameter_supported=False)
    assert check_callback({"code": "c"}, older) == "c"


def test_an_error_from_the_provider_is_reported_as_such() -> None:
    query = {"error": "access_denied", "error_description": "no", "iss": METADATA.issuer}
    with pytest.raises(ProviderRefused) as caught:
        check_callback(query, METADATA)
    assert caught.value.error == "access_denied"


def test_logout_goes_to_the_provider_with_the_client_id_and_comes_back_home() -> None:
    url = end_session_url(METADATA, SETTINGS)
    assert url == (
        "https://id.example.com/logout?client_id=tailgate"
        "&post_logout_redirect_uri=https%3A%2F%2Flogs.example.com%2F"
    )
