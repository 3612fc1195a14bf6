"""A log's ``allow`` rule decides who may tail it."""

from __future__ import annotations

import pytest

from tailgate.auth.access import Allow, may_tail, parse_allow
from tailgate.auth.identity import Identity

ALICE = Identity(
    "a-1",
    username="alice",
    email="Alice@Example.com",
    email_verified=True,
    groups=("ops", "staff"),
)
CAROL = Identity("c-3", username="carol", email="carol@example.com", email_verified=True)
#: Typed alice's address in at registration; the provider never checked it.
MALLORY = Identity("m-9", username="alice", email="alice@example.com", email_verified=False)


def test_a_log_without_a_rule_follows_the_default() -> None:
    assert may_tail(CAROL, None, default_allow=True)
    assert not may_tail(CAROL, None, default_allow=False)


def test_a_listed_group_admits_its_members_only() -> None:
    rule = Allow(groups=frozenset({"ops"}))
    assert may_tail(ALICE, rule, default_allow=False)
    assert not may_tail(CAROL, rule, default_allow=True)


@pytest.mark.parametrize("entry", ["a-1", "alice@example.com", "ALICE@EXAMPLE.COM"])
def test_a_user_is_matched_by_subject_or_verified_email(entry: str) -> None:
    assert may_tail(ALICE, Allow(users=frozenset({entry})), default_allow=False)


def test_subjects_are_matched_exactly() -> None:
    assert not may_tail(ALICE, Allow(users=frozenset({"A-1"})), default_allow=True)


def test_an_unverified_email_never_matches_a_listed_address() -> None:
    assert not may_tail(MALLORY, Allow(users=frozenset({"alice@example.com"})), default_allow=True)


def test_a_user_name_is_not_a_user_entry() -> None:
    # preferred_username can be changed by its owner and is not unique at most providers.
    assert not may_tail(ALICE, Allow(users=frozenset({"alice"})), default_allow=True)
    assert not may_tail(MALLORY, Allow(users=frozenset({"alice"})), default_allow=True)


def test_an_empty_rule_admits_nobody() -> None:
    assert not may_tail(ALICE, Allow(), default_allow=True)


def test_rules_are_parsed_from_the_catalog() -> None:
    assert parse_allow(None) is None
    assert parse_allow({"groups": ["ops"], "users": ["carol"]}) == Allow(
        groups=frozenset({"ops"}), users=frozenset({"carol"})
    )
    assert parse_allow({}) == Allow()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["ops"], "must be a mapping"),
        ({"group": ["ops"]}, "unknown keys: group"),
        ({"groups": "ops"}, "'allow.groups' must be a list"),
        ({"users": ["", "bob"]}, "'allow.users' must be a list of non-empty strings"),
    ],
)
def test_a_malformed_rule_is_refused_with_what_is_wrong(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_allow(value)
