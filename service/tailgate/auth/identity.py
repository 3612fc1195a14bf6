"""Who a verified token says the user is, in the few fields tailgate uses.

Providers disagree on where groups live: Dex and Okta say ``groups``, Keycloak nests
realm roles under ``realm_access.roles``, Entra ID says ``groups`` (object ids) or
``roles``, Auth0 uses namespaced claims such as ``https://example.com/groups``. The
configured claim is read here, once, so the rest of tailgate sees only
:class:`Identity`. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Identity:
    """A signed-in user, as the access policy and the web pages need it."""

    subject: str
    """The ``sub`` claim: stable and unique within the issuer."""

    username: str | None = None
    """``preferred_username`` when the provider sends one."""

    email: str | None = None
    email_verified: bool = False
    """Whether the provider says it checked that ``email`` belongs to the user."""

    name: str | None = None
    groups: tuple[str, ...] = ()
    """Groups (or roles) read from the configured claim, in the provider's order."""

    @property
    def display_name(self) -> str:
        return self.name or self.username or self.email or self.subject


def claim_at(claims: Mapping[str, Any], path: str) -> Any:
    """The claim at ``path``: the literal name first, else a dotted path into objects.

    A literal match comes first because namespaced claim names contain dots
    (``https://example.com/groups``). ``None`` when nothing is there.
    """
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def groups_from_claims(claims: Mapping[str, Any], path: str) -> tuple[str, ...]:
    """The groups at ``path``: a list of strings, or one string; anything else is none.

    Non-string members are skipped rather than refused: one odd entry from a provider
    should not lock a user out of the logs the other groups allow.
    """
    value = claim_at(claims, path)
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list | tuple):
        return tuple(dict.fromkeys(g for g in value if isinstance(g, str) and g))
    return ()


def _text(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) and value else None


def email_verified(claims: Mapping[str, Any]) -> bool:
    """``email_verified`` as a boolean: ``true``, or the string ``"true"`` some providers send.

    Anything else (absent, ``false``, other text) is unverified: an address the user could
    have typed in without owning it must not open another person's logs.
    """
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def identity_from_claims(claims: Mapping[str, Any], *, groups_claim: str) -> Identity:
    """Build an :class:`Identity` from verified claims (ID token or access token)."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise ValueError("the token has no 'sub' claim")
    return Identity(
        subject=subject,
        username=_text(claims, "preferred_username"),
        email=_text(claims, "email"),
        email_verified=email_verified(claims),
        name=_text(claims, "name"),
        groups=groups_from_claims(claims, groups_claim),
    )
