"""Deciding whether a token is genuine and meant for tailgate.

Two kinds of token arrive. An ID token comes back from the provider at sign-in and
says who signed in; it must be signed by the provider (a key from its JWKS, an
asymmetric algorithm), issued by the configured issuer, addressed to this client, not
expired, and carry the nonce this sign-in sent. An access token comes with API calls
as ``Authorization: Bearer``; it must be signed and issued the same way and name the
configured API audience. An ID token is not an access token: one presented as a bearer
token is refused, even when its audience would match, because any other application
the user signed in to holds such tokens too.

The claim checks are pure functions; :class:`TokenVerifier` adds the signature.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard

from joserfc import jws
from joserfc.errors import JoseError

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


def check_times(claims: Mapping[str, Any], *, now: float, leeway: int) -> None:
    """``exp`` must be present and in the future; ``iat`` and ``nbf`` not in the future."""
    exp = claims.get("exp")
    if not _is_number(exp):
        raise TokenInvalid("the token has no 'exp'")
    if exp <= now - leeway:
        raise TokenExpired(f"the token expired {int(now - exp)}s ago")
    for name in ("iat", "nbf"):
        value = claims.get(name)
        if value is not None and (not _is_number(value) or value > now + leeway):
            raise TokenInvalid(f"the token's {name!r} is in the future")


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
    if claims.get("iss") != issuer:
        raise TokenInvalid("the ID token is from another issuer")
    audiences = _audiences(claims)
    if client_id not in audiences:
        raise TokenInvalid("the ID token is for another client")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise TokenInvalid("the ID token was issued to another party ('azp')")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenInvalid("the ID token has no 'sub'")
    if not _is_number(claims.get("iat")):
        raise TokenInvalid("the ID token has no 'iat'")
    check_times(claims, now=now, leeway=leeway)
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
    if claims.get("iss") != issuer:
        raise TokenInvalid("the refreshed ID token is from another issuer")
    audiences = _audiences(claims)
    if client_id not in audiences:
        raise TokenInvalid("the refreshed ID token is for another client")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise TokenInvalid("the refreshed ID token was issued to another party ('azp')")
    if claims.get("sub") != subject:
        raise TokenInvalid("the refreshed ID token names another user")
    check_times(claims, now=now, leeway=leeway)


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
    if claims.get("iss") != issuer:
        raise TokenInvalid("the access token is from another issuer")
    if audience not in _audiences(claims):
        raise TokenInvalid("the access token is for another audience")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenInvalid("the access token has no 'sub'")
    check_times(claims, now=now, leeway=leeway)
    typ = header.get("typ")
    if isinstance(typ, str) and typ.lower() in ACCESS_TOKEN_TYPES:
        return
    if any(name in claims for name in ("nonce", "at_hash", "c_hash")) or claims.get("typ") == "ID":
        raise TokenInvalid("an ID token is not accepted as a bearer token")


def _audiences(claims: Mapping[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list):
        return [a for a in aud if isinstance(a, str)]
    return []


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


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
