"""A log's ``allow`` rule decides who may tail it."""

from __future__ import annotations

import pytest

from tailgate.auth.access import may_tail
from tailgate.auth.identity import Identity
from tailgate.catalog.model import Allow

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
    rule = Allow(groups=("ops",))
    assert may_tail(ALICE, rule, default_allow=False)
    assert not may_tail(CAROL, rule, default_allow=True)


@pytest.mark.parametrize("entry", ["a-1", "alice@example.com", "ALICE@EXAMPLE.COM"])
def test_a_user_is_matched_by_subject_or_verified_email(entry: str) -> None:
    assert may_tail(ALICE, Allow(users=(entry,)), default_allow=False)


def test_subjects_are_matched_exactly() -> None:
    assert not may_tail(ALICE, Allow(users=("A-1",)), default_allow=True)


def test_an_unverified_email_never_matches_a_listed_address() -> None:
    assert not may_tail(MALLORY, Allow(users=("alice@example.com",)), default_allow=True)


def test_a_user_name_is_not_a_user_entry() -> None:
    # preferred_username can be changed by its owner and is not unique at most providers.
    assert not may_tail(ALICE, Allow(users=("alice",)), default_allow=True)
    assert not may_tail(MALLORY, Allow(users=("alice",)), default_allow=True)


def test_an_empty_rule_admits_nobody() -> None:
    assert not may_tail(ALICE, Allow(), default_allow=True)
