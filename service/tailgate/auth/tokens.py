"""Deciding whether a token is genuine and meant for tailgate.

Two kinds of token arrive. An ID token comes back from the provider at sign-in and
says who signed in; it must be signed by the provider (a key from its JWKS, an
asymmetric algorithm), issued by the configured issuer, addressed to this client, not
expired, and carry the nonce this sign-in sent. An access token comes with API calls
as ``Authorization: Bearer``; it must be signed and issued the same way and name the
configured API audience. An ID token is not an access token: one presented as a bearer
token is refused, even when its audience would match, because any other application
the user signed in to holds such tokens too.

The claim checks are pure functions; :class:`TokenVerifier` adds the signature. The
registered claims (``iss``, ``aud``, ``sub``, ``exp``, ``iat``, ``nbf``, and ``azp``)
are checked by joserfc's claims registry, and its refusals are told in our words; the
``nonce`` and the access token's type are checked here.
"""

from __future__ import annotations

import hmac
import json
import math
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard

from joserfc import jws
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidClaimError, JoseError
from joserfc.jwt import ClaimsOption, JWTClaimsRegistry

from tailgate.auth.errors import TokenExpired, TokenInvalid
from tailgate.auth.keys import SigningKeys

#: Asymmetric algorithms only: ``none`` and HMAC (keyed with the client secret, which
#: tailgate shares with the provider) would let the wrong party mint tokens.
SIGNING_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)

#: RFC 9068 ``typ`` of JWT access tokens (the ``application/`` prefix may be left out).
ACCESS_TOKEN_TYPES = ("at+jwt", "application/at+jwt")

Claims = dict[str, Any]


class _Registry(JWTClaimsRegistry):
    """joserfc's checks of the registered claims, and ``azp`` a string like ``iss``.

    joserfc would let a list ``azp`` pass when it holds the expected value; OpenID
    Connect makes ``azp`` a single string.
    """

    def validate_azp(self, value: object) -> None:
        if not isinstance(value, str):
            raise InvalidClaimError("azp", "Claim 'azp' must be a string")
        self.check_value("azp", value)


#: The order claims are checked in (missing ones first, joserfc checks for all of them
#: at once), so that a token with several faults is always refused for the same one,
#: and for being expired only when nothing else is wrong.
_ORDER = ("iss", "aud", "azp", "sub", "exp", "iat", "nbf")

#: Why an ID token is refused, by the claim that failed.
_ID_TOKEN_REFUSALS = {
    "iss": "the ID token is from another issuer",
    "aud": "the ID token is for another client",
    "azp": "the ID token was issued to another party ('azp')",
    "sub": "the ID token has no 'sub'",
    "iat": "the ID token has no 'iat'",
}
_REFRESHED_ID_TOKEN_REFUSALS = {
    "iss": "the refreshed ID token is from another issuer",
    "aud": "the refreshed ID token is for another client",
    "azp": "the refreshed ID token was issued to another party ('azp')",
    "sub": "the refreshed ID token names another user",
}
_ACCESS_TOKEN_REFUSALS = {
    "iss": "the access token is from another issuer",
    "aud": "the access token is for another audience",
    "sub": "the access token has no 'sub'",
}
#: The times, the same for every kind of token.
_TIME_REFUSALS = {
    "exp": "the token has no 'exp'",
    "iat": "the token's 'iat' is not a time",
    "nbf": "the token's 'nbf' is not a time",
}


def _check(
    claims: Mapping[str, Any],
    options: dict[str, ClaimsOption],
    refusals: Mapping[str, str],
    *,
    now: float,
    leeway: int,
) -> None:
    """Run joserfc's checks of ``options`` (and of ``exp``, ``iat``, ``nbf``); refuse in our words.

    ``exp`` must be present and in the future, ``iat`` and ``nbf`` (when present) not
    in the future, each with ``leeway`` seconds of clock skew. joserfc counts in whole
    seconds: flooring ``now`` changes nothing for the whole-second times tokens carry.
    """
    registry = _Registry(now=math.floor(now), leeway=leeway, exp={"essential": True}, **options)
    # Only the claims we check, in our order: joserfc checks them in the order given.
    ordered = {name: claims[name] for name in _ORDER if name in claims}
    try:
        registry.validate(ordered)
    except ExpiredTokenError as e:
        raise TokenExpired(f"the token expired {int(now - claims['exp'])}s ago") from e
    except ClaimError as e:
        # A missing-claims error names them all ("exp,sub"): report the first we check.
        name = min(e.claim.split(","), key=lambda n: _ORDER.index(n) if n in _ORDER else 99)
        if name in ("iat", "nbf") and _is_time(claims.get(name)):
            raise TokenInvalid(f"the token's {name!r} is in the future") from e
        refusal = refusals.get(name) or _TIME_REFUSALS.get(name)
        raise TokenInvalid(refusal or f"the token's {name!r} is not accepted") from e


def _audience_options(claims: Mapping[str, Any], client_id: str) -> dict[str, ClaimsOption]:
    """Addressed to ``client_id``; among several audiences, also issued to it (``azp``)."""
    options: dict[str, ClaimsOption] = {"aud": {"essential": True, "value": client_id}}
    aud = claims.get("aud")
    # Only where the audience itself passes: a missing ``azp`` would be told first.
    if isinstance(aud, list) and len(aud) > 1 and _all_strings(aud) and client_id in aud:
        options["azp"] = {"essential": True, "value": client_id}
    return options


def check_id_token_claims(
    claims: Mapping[str, Any],
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    now: float,
    leeway: int,
) -> None:
    """OpenID Connect Core 1.0 section 3.1.3.7, the parts that apply to a code flow."""
    options: dict[str, ClaimsOption] = {
        "iss": {"essential": True, "value": issuer},
        **_audience_options(claims, client_id),
        "sub": {"essential": True},
        "iat": {"essential": True},
    }
    _check(claims, options, _ID_TOKEN_REFUSALS, now=now, leeway=leeway)
    # Compared here, in constant time: joserfc compares values with ``==``.
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not hmac.compare_digest(
        token_nonce.encode(), nonce.encode()
    ):
        raise TokenInvalid("the ID token's nonce is not the one this sign-in sent")


def check_refreshed_id_token_claims(
    claims: Mapping[str, Any],
    *,
    issuer: str,
    client_id: str,
    subject: str,
    now: float,
    leeway: int,
) -> None:
    """OpenID Connect Core 1.0 section 12.2: an ID token from a refresh.

    The same issuer, audience and party as at sign-in, and the same ``sub``: a provider
    that answered a refresh with another user's token must not switch the session to
    them. A ``nonce`` is not required (the refresh sent none).
    """
    options: dict[str, ClaimsOption] = {
        "iss": {"essential": True, "value": issuer},
        **_audience_options(claims, client_id),
        "sub": {"essential": True, "value": subject},
    }
    _check(claims, options, _REFRESHED_ID_TOKEN_REFUSALS, now=now, leeway=leeway)


def check_access_token_claims(
    header: Mapping[str, Any],
    claims: Mapping[str, Any],
    *,
    issuer: str,
    audience: str,
    now: float,
    leeway: int,
) -> None:
    """RFC 9068 checks, and a refusal of anything shaped like an ID token.

    Not every provider types its access tokens ``at+jwt`` (Entra ID and Okta send
    ``JWT``), so an untyped token is accepted when nothing marks it as an ID token: no
    ``nonce``, ``at_hash`` or ``c_hash`` (only ID tokens carry those) and no Keycloak
    ``typ: ID`` claim.
    """
    options: dict[str, ClaimsOption] = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": audience},
        "sub": {"essential": True},
    }
    _check(claims, options, _ACCESS_TOKEN_REFUSALS, now=now, leeway=leeway)
    typ = header.get("typ")
    if isinstance(typ, str) and typ.lower() in ACCESS_TOKEN_TYPES:
        return
    if any(name in claims for name in ("nonce", "at_hash", "c_hash")) or claims.get("typ") == "ID":
        raise TokenInvalid("an ID token is not accepted as a bearer token")


def _all_strings(values: list[object]) -> bool:
    return all(isinstance(v, str) for v in values)


def _is_time(value: object) -> TypeGuard[int | float]:
    """A NumericDate: a number, not a boolean, and finite (``NaN`` compares false to all)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class TokenVerifier:
    """Checks signatures with the provider's keys, then the claims."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        audience: str | None,
        keys: SigningKeys,
        leeway: int = 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.audience = audience
        self._keys = keys
        self._leeway = leeway
        self._clock = clock

    async def verify_id_token(self, token: str, *, nonce: str) -> Claims:
        _, claims = await self._verify_signature(token)
        check_id_token_claims(
            claims,
            issuer=self.issuer,
            client_id=self.client_id,
            nonce=nonce,
            now=self._clock(),
            leeway=self._leeway,
        )
        return claims

    async def verify_refreshed_id_token(self, token: str, *, subject: str) -> Claims:
        _, claims = await self._verify_signature(token)
        check_refreshed_id_token_claims(
            claims,
            issuer=self.issuer,
            client_id=self.client_id,
            subject=subject,
            now=self._clock(),
            leeway=self._leeway,
        )
        return claims

    async def verify_access_token(self, token: str) -> Claims:
        if self.audience is None:
            raise TokenInvalid("bearer tokens are not accepted: no audience is configured")
        header, claims = await self._verify_signature(token)
        check_access_token_claims(
            header,
            claims,
            issuer=self.issuer,
            audience=self.audience,
            now=self._clock(),
            leeway=self._leeway,
        )
        return claims

    async def _verify_signature(self, token: str) -> tuple[dict[str, Any], Claims]:
        try:
            signed = jws.extract_compact(token.encode("ascii"))
        except (JoseError, ValueError, UnicodeError) as e:
            raise TokenInvalid("the token is not a signed JWT") from e
        header = signed.headers()
        alg = header.get("alg")
        if alg not in SIGNING_ALGORITHMS:
            raise TokenInvalid(f"the token's algorithm {alg!r} is not accepted")
        kid = header.get("kid")
        key = await self._keys.key_for(kid if isinstance(kid, str) else None)
        try:
            valid = jws.validate_compact(signed, key, algorithms=[alg])
        except JoseError as e:
            raise TokenInvalid(f"the token's signature cannot be checked: {e}") from e
        if not valid:
            raise TokenInvalid("the token's signature is wrong")
        try:
            claims = json.loads(signed.payload)
        except ValueError as e:
            raise TokenInvalid("the token's payload is not JSON") from e
        if not isinstance(claims, dict):
            raise TokenInvalid("the token's payload is not a JSON object")
        return dict(header), claims
