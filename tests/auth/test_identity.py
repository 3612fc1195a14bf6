"""Groups come from the configured claim, wherever each provider puts them."""

from __future__ import annotations

import pytest

from tailgate.auth.identity import Identity, groups_from_claims, identity_from_claims

KEYCLOAK = {
    "sub": "f3a1",
    "preferred_username": "alice",
    "realm_access": {"roles": ["ops", "offline_access"]},
    "resource_access": {"tailgate": {"roles": ["viewer"]}},
}


@pytest.mark.parametrize(
    ("claims", "path", "groups"),
    [
        ({"groups": ["ops", "dev"]}, "groups", ("ops", "dev")),
        (KEYCLOAK, "realm_access.roles", ("ops", "offline_access")),
        (KEYCLOAK, "resource_access.tailgate.roles", ("viewer",)),
        ({"roles": ["Tailgate.Ops"]}, "roles", ("Tailgate.Ops",)),
        ({"https://example.com/groups": ["ops"]}, "https://example.com/groups", ("ops",)),
        ({"groups": "ops"}, "groups", ("ops",)),
        ({"email": "a@example.com"}, "groups", ()),
        ({"groups": ["ops", 7, None, "", "ops"]}, "groups", ("ops",)),
        ({"groups": {"ops": True}}, "groups", ()),
        ({"realm_access": ["ops"]}, "realm_access.roles", ()),
    ],
)
def test_groups_are_read_from_a_claim_name_or_dotted_path(
    claims: dict[str, object], path: str, groups: tuple[str, ...]
) -> None:
    assert groups_from_claims(claims, path) == groups


def test_an_identity_keeps_the_fields_tailgate_shows_and_checks() -> None:
    identity = identity_from_claims(
        {**KEYCLOAK, "email": "alice@example.com", "name": "Alice"},
        groups_claim="realm_access.roles",
    )
    assert identity == Identity(
        subject="f3a1",
        username="alice",
        email="alice@example.com",
        name="Alice",
        groups=("ops", "offline_access"),
    )
    assert identity.display_name == "Alice"


def test_claims_without_a_subject_make_no_identity() -> None:
    with pytest.raises(ValueError, match="sub"):
        identity_from_claims({"email": "a@example.com"}, groups_claim="groups")


@pytest.mark.parametrize(
    ("value", "verified"),
    [
        (True, True),
        ("true", True),
        ("TRUE", True),
        (False, False),
        ("false", False),
        (None, False),
        (1, False),
        ("yes", False),
    ],
)
def test_an_email_counts_as_verified_only_when_the_provider_says_true(
    value: object, verified: bool
) -> None:
    claims: dict[str, object] = {"sub": "s", "email": "a@example.com"}
    if value is not None:
        claims["email_verified"] = value
    assert identity_from_claims(claims, groups_claim="groups").email_verified is verified
