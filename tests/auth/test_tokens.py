"""Token checks against keys made here: what is accepted, and every reason to refuse."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from tailgate.auth.errors import (
    ProviderUnavailable,
    TokenExpired,
    TokenInvalid,
    UnknownSigningKey,
)
from tailgate.auth.keys import SigningKeys
from tailgate.auth.tokens import TokenVerifier

from .clock import FakeClock

ISSUER = "https://id.example.com"
NOW = 1_800_000_000
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
NEW_KEY = RSAKey.generate_key(2048, parameters={"kid": "k2", "use": "sig"})


class Jwks:
    """Serves whichever keys the test publishes, counting the fetches."""

    def __init__(self, *keys: RSAKey) -> None:
        self.keys = list(keys)
        self.fetches = 0

    async def __call__(self) -> Mapping[str, Any]:
        self.fetches += 1
        return {"keys": [k.as_dict(private=False) for k in self.keys]}


def sign(claims: dict[str, Any], *, key: RSAKey = KEY, **header: Any) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid, **header}, claims, key)


def b64json(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def id_claims(**changes: Any) -> dict[str, Any]:
    claims = {
        "iss": ISSUER,
        "aud": "tailgate",
        "sub": "alice",
        "iat": NOW,
        "exp": NOW + 300,
        "nonce": "n-1",
        "groups": ["ops"],
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def access_claims(**changes: Any) -> dict[str, Any]:
    claims = {
        "iss": ISSUER,
        "aud": "api://tailgate",
        "sub": "alice",
        "client_id": "tailgate",
        "iat": NOW,
        "exp": NOW + 300,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def jwks() -> Jwks:
    return Jwks(KEY)


@pytest.fixture
def verifier(jwks: Jwks, clock: FakeClock) -> TokenVerifier:
    keys = SigningKeys(jwks, min_refetch_interval=30, clock=clock)
    return TokenVerifier(
        issuer=ISSUER, client_id="tailgate", audience="api://tailgate", keys=keys, clock=clock
    )


async def test_a_genuine_id_token_gives_its_claims(verifier: TokenVerifier) -> None:
    claims = await verifier.verify_id_token(sign(id_claims()), nonce="n-1")
    assert claims["sub"] == "alice"
    assert claims["groups"] == ["ops"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"iss": "https://evil.example.com"}, "another issuer"),
        ({"aud": "other-app"}, "another client"),
        ({"aud": ["tailgate", "other-app"]}, "another party"),
        ({"aud": ["tailgate", "other-app"], "azp": "other-app"}, "another party"),
        ({"nonce": "n-2"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"sub": None}, "'sub'"),
        ({"iat": None}, "'iat'"),
        ({"exp": None}, "'exp'"),
        ({"iat": NOW + 3600}, "in the future"),
        ({"nbf": NOW + 3600}, "in the future"),
        ({"iss": None}, "another issuer"),
        ({"iss": ""}, "another issuer"),
        ({"aud": None}, "another client"),
        ({"aud": []}, "another client"),
        ({"aud": ["other-app", 5]}, "another client"),
        ({"aud": ["tailgate", "other-app"], "azp": ["tailgate"]}, "another party"),
        ({"sub": ""}, "'sub'"),
        ({"sub": 42}, "'sub'"),
        ({"iat": "yesterday"}, "'iat'"),
        ({"exp": "soon"}, "'exp'"),
        ({"exp": True}, "'exp'"),
        # NaN compares false with every time, so it would never expire.
        ({"exp": float("nan")}, "'exp'"),
        ({"exp": float("inf")}, "'exp'"),
        ({"nbf": "later"}, "'nbf'"),
        # Of several faults, one that is not expiry is told, the same one every time.
        ({"iss": "https://evil.example.com", "exp": NOW - 3600}, "another issuer"),
        ({"sub": None, "exp": NOW - 3600}, "'sub'"),
        ({"iss": None, "sub": None, "exp": None}, "another issuer"),
    ],
)
async def test_an_id_token_failing_a_claim_check_is_refused(
    verifier: TokenVerifier, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(TokenInvalid, match=message):
        await verifier.verify_id_token(sign(id_claims(**changes)), nonce="n-1")


async def test_an_id_token_for_several_audiences_is_accepted_when_we_are_its_azp(
    verifier: TokenVerifier,
) -> None:
    token = sign(id_claims(aud=["tailgate", "other"], azp="tailgate"))
    assert (await verifier.verify_id_token(token, nonce="n-1"))["sub"] == "alice"


async def test_an_expired_token_is_refused_after_the_clock_skew_allowance(
    verifier: TokenVerifier, clock: FakeClock
) -> None:
    token = sign(id_claims())
    clock.advance(300 + 59)
    await verifier.verify_id_token(token, nonce="n-1")
    clock.advance(1)
    with pytest.raises(TokenExpired):
        await verifier.verify_id_token(token, nonce="n-1")


@pytest.mark.parametrize("name", ["iat", "nbf"])
async def test_a_token_from_the_future_is_accepted_within_the_clock_skew_allowance(
    verifier: TokenVerifier, name: str
) -> None:
    token = sign(id_claims(**{name: NOW + 60}))
    await verifier.verify_id_token(token, nonce="n-1")
    with pytest.raises(TokenInvalid, match="in the future"):
        await verifier.verify_id_token(sign(id_claims(**{name: NOW + 61})), nonce="n-1")


async def test_an_expired_token_says_how_long_ago_it_expired(verifier: TokenVerifier) -> None:
    with pytest.raises(TokenExpired, match="expired 3600s ago"):
        await verifier.verify_id_token(sign(id_claims(exp=NOW - 3600)), nonce="n-1")


async def test_a_token_signed_by_another_key_with_our_kid_is_refused(
    verifier: TokenVerifier,
) -> None:
    impostor = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with pytest.raises(TokenInvalid, match="signature is wrong"):
        await verifier.verify_id_token(sign(id_claims(), key=impostor), nonce="n-1")


async def test_a_token_with_a_changed_payload_is_refused(verifier: TokenVerifier) -> None:
    header, _, signature = sign(id_claims()).split(".")
    forged_payload = sign(id_claims(sub="root")).split(".")[1]
    with pytest.raises(TokenInvalid, match="signature is wrong"):
        await verifier.verify_id_token(f"{header}.{forged_payload}.{signature}", nonce="n-1")


async def test_unsigned_and_hmac_tokens_are_refused(verifier: TokenVerifier) -> None:
    unsigned = f"{b64json({'alg': 'none'})}.{b64json(id_claims())}."
    with pytest.raises(TokenInvalid, match="'none' is not accepted"):
        await verifier.verify_id_token(unsigned, nonce="n-1")
    hmac_key = OctKey.import_key("tailgate-test-secret-0123456789ab")
    hmac_token = jwt.encode({"alg": "HS256", "kid": "k1"}, id_claims(), hmac_key)
    with pytest.raises(TokenInvalid, match="'HS256' is not accepted"):
        await verifier.verify_id_token(hmac_token, nonce="n-1")


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "e30.e30.", "\u00e9.x.y"])
async def test_garbage_is_not_a_token(verifier: TokenVerifier, token: str) -> None:
    with pytest.raises(TokenInvalid):
        await verifier.verify_id_token(token, nonce="n-1")


async def test_a_new_key_is_fetched_when_a_token_names_it(
    verifier: TokenVerifier, jwks: Jwks, clock: FakeClock
) -> None:
    await verifier.verify_id_token(sign(id_claims()), nonce="n-1")
    jwks.keys.insert(0, NEW_KEY)
    clock.advance(30)
    await verifier.verify_id_token(sign(id_claims(), key=NEW_KEY), nonce="n-1")
    assert jwks.fetches == 2


async def test_unknown_kids_refetch_the_keys_at_most_once_per_interval(
    verifier: TokenVerifier, jwks: Jwks, clock: FakeClock
) -> None:
    await verifier.verify_id_token(sign(id_claims()), nonce="n-1")
    stranger = RSAKey.generate_key(2048, parameters={"kid": "unknown"})
    for _ in range(5):
        with pytest.raises(UnknownSigningKey):
            await verifier.verify_id_token(sign(id_claims(), key=stranger), nonce="n-1")
    assert jwks.fetches == 1
    clock.advance(30)
    with pytest.raises(UnknownSigningKey):
        await verifier.verify_id_token(sign(id_claims(), key=stranger), nonce="n-1")
    assert jwks.fetches == 2


async def test_a_token_without_kid_is_checked_against_a_lone_key(verifier: TokenVerifier) -> None:
    token = jwt.encode({"alg": "RS256"}, id_claims(), KEY)
    assert (await verifier.verify_id_token(token, nonce="n-1"))["sub"] == "alice"


async def test_keys_that_cannot_be_fetched_make_the_provider_unavailable(clock: FakeClock) -> None:
    async def down() -> Mapping[str, Any]:
        raise ProviderUnavailable("connection refused")

    keys = SigningKeys(down, clock=clock)
    verifier = TokenVerifier(issuer=ISSUER, client_id="tailgate", audience=None, keys=keys)
    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            await verifier.verify_id_token(sign(id_claims()), nonce="n-1")


async def test_a_typed_access_token_for_our_audience_is_accepted(verifier: TokenVerifier) -> None:
    token = sign(access_claims(groups=["ops"]), typ="at+jwt")
    assert (await verifier.verify_access_token(token))["groups"] == ["ops"]


async def test_an_untyped_access_token_is_accepted_when_nothing_marks_an_id_token(
    verifier: TokenVerifier,
) -> None:
    assert (await verifier.verify_access_token(sign(access_claims())))["sub"] == "alice"


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (access_claims(aud="tailgate"), "another audience"),
        (access_claims(iss="https://evil.example.com"), "another issuer"),
        (access_claims(exp=NOW - 3600), "expired"),
        (access_claims(nonce="n-1"), "ID token is not accepted"),
        (access_claims(at_hash="abc"), "ID token is not accepted"),
        (access_claims(typ="ID"), "ID token is not accepted"),
        (access_claims(aud=None), "another audience"),
        (access_claims(aud=["other-api", "tailgate"]), "another audience"),
        (access_claims(iss=None), "another issuer"),
        (access_claims(sub=None), "'sub'"),
        (access_claims(sub=""), "'sub'"),
        (access_claims(exp=None), "'exp'"),
        (access_claims(iat=NOW + 3600), "in the future"),
        (access_claims(nbf=NOW + 3600), "in the future"),
        (access_claims(iat="now"), "'iat' is not a time"),
    ],
)
async def test_a_bad_bearer_token_is_refused(
    verifier: TokenVerifier, claims: dict[str, Any], message: str
) -> None:
    with pytest.raises(TokenInvalid, match=message):
        await verifier.verify_access_token(sign(claims))


async def test_an_id_token_is_refused_as_a_bearer_token_even_for_our_audience(
    jwks: Jwks, clock: FakeClock
) -> None:
    keys = SigningKeys(jwks, clock=clock)
    verifier = TokenVerifier(
        issuer=ISSUER, client_id="tailgate", audience="tailgate", keys=keys, clock=clock
    )
    with pytest.raises(TokenInvalid, match="ID token is not accepted"):
        await verifier.verify_access_token(sign(id_claims()))


async def test_bearer_tokens_are_refused_when_no_audience_is_configured(
    jwks: Jwks, clock: FakeClock
) -> None:
    keys = SigningKeys(jwks, clock=clock)
    verifier = TokenVerifier(issuer=ISSUER, client_id="tailgate", audience=None, keys=keys)
    with pytest.raises(TokenInvalid, match="no audience"):
        await verifier.verify_access_token(sign(access_claims(), typ="at+jwt"))


async def test_a_refreshed_id_token_must_name_the_same_user(verifier: TokenVerifier) -> None:
    token = sign(id_claims())
    claims = await verifier.verify_refreshed_id_token(token, subject="alice")
    assert claims["sub"] == "alice"
    # No nonce is needed after a refresh, but the user must not change.
    assert await verifier.verify_refreshed_id_token(sign(id_claims(nonce=None)), subject="alice")
    with pytest.raises(TokenInvalid, match="another user"):
        await verifier.verify_refreshed_id_token(token, subject="bob")
    with pytest.raises(TokenInvalid, match="another client"):
        await verifier.verify_refreshed_id_token(sign(id_claims(aud="x")), subject="alice")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"iss": "https://evil.example.com"}, "another issuer"),
        ({"aud": ["tailgate", "other-app"]}, "another party"),
        ({"aud": ["tailgate", "other-app"], "azp": "other-app"}, "another party"),
        ({"sub": None}, "another user"),
        ({"exp": None}, "'exp'"),
        ({"exp": NOW - 3600}, "expired"),
        ({"nbf": NOW + 3600}, "in the future"),
    ],
)
async def test_a_refreshed_id_token_failing_a_claim_check_is_refused(
    verifier: TokenVerifier, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(TokenInvalid, match=message):
        await verifier.verify_refreshed_id_token(sign(id_claims(**changes)), subject="alice")


async def test_a_refreshed_id_token_needs_no_iat_and_may_name_us_as_its_azp(
    verifier: TokenVerifier,
) -> None:
    token = sign(id_claims(iat=None, nonce=None, aud=["tailgate", "x"], azp="tailgate"))
    assert (await verifier.verify_refreshed_id_token(token, subject="alice"))["sub"] == "alice"
