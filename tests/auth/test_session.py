"""The session cookie: readable only by us, unchangeable, limited in age and size."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tailgate.auth.errors import SessionExpired, SessionInvalid, SessionTooLarge
from tailgate.auth.identity import Identity
from tailgate.auth.sealing import Sealer
from tailgate.auth.session import MAX_SEALED_BYTES, SessionCodec

from .clock import FakeClock

SECRET = "x" * 40
ALICE = Identity(
    "alice", username="alice", email="alice@example.com", name="Alice", groups=("ops",)
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def codec(clock: FakeClock) -> SessionCodec:
    return SessionCodec(SECRET, max_age=3600, clock=clock)


def test_a_sealed_session_opens_to_the_same_identity(codec: SessionCodec, clock: FakeClock) -> None:
    cookie, session = codec.seal(ALICE)
    opened = codec.open(cookie)
    assert opened == session
    assert opened.identity == ALICE
    assert opened.expires_at == clock.now + 3600


def test_the_cookie_does_not_show_who_is_signed_in(codec: SessionCodec) -> None:
    cookie, _ = codec.seal(ALICE)
    assert "alice" not in cookie.lower()


def test_a_session_is_small(codec: SessionCodec) -> None:
    cookie, _ = codec.seal(ALICE)
    assert len(cookie) < 300


def test_a_changed_cookie_is_refused(codec: SessionCodec) -> None:
    cookie, _ = codec.seal(ALICE)
    for position in range(len(cookie)):
        for replacement in "AB_":
            if cookie[position] != replacement:
                with pytest.raises(SessionInvalid):
                    codec.open(cookie[:position] + replacement + cookie[position + 1 :])


@pytest.mark.parametrize("value", ["", "v1.", "v1.!!!", "v2.AAAA", "garbage"])
def test_nonsense_is_refused(codec: SessionCodec, value: str) -> None:
    with pytest.raises(SessionInvalid):
        codec.open(value)


def test_a_session_sealed_with_another_secret_is_refused(clock: FakeClock) -> None:
    cookie, _ = SessionCodec("y" * 40, max_age=3600, clock=clock).seal(ALICE)
    with pytest.raises(SessionInvalid):
        SessionCodec(SECRET, max_age=3600, clock=clock).open(cookie)


def test_a_value_sealed_for_another_purpose_is_not_a_session(codec: SessionCodec) -> None:
    forged = Sealer(SECRET, "tailgate sign-in v1").seal(b'{"v":1,"sub":"root","iat":0,"exp":9e9}')
    with pytest.raises(SessionInvalid):
        codec.open(forged)


def test_a_session_ends_at_its_maximum_age(codec: SessionCodec, clock: FakeClock) -> None:
    cookie, _ = codec.seal(ALICE)
    clock.advance(3599)
    codec.open(cookie)
    clock.advance(1)
    with pytest.raises(SessionExpired):
        codec.open(cookie)


def test_an_identity_too_large_for_a_cookie_is_refused(codec: SessionCodec) -> None:
    many = Identity("alice", groups=tuple(f"group-{i:04d}-{'x' * 20}" for i in range(200)))
    with pytest.raises(SessionTooLarge):
        codec.seal(many)
    some = Identity("alice", groups=tuple(f"group-{i:04d}" for i in range(100)))
    cookie, _ = codec.seal(some)
    assert len(cookie) <= MAX_SEALED_BYTES


def test_a_session_keeps_what_its_next_refresh_needs(codec: SessionCodec) -> None:
    verified = Identity("alice", email="alice@example.com", email_verified=True)
    cookie, session = codec.seal(verified, refresh_token="rt-secret-value", owner="replica-1")
    opened = codec.open(cookie)
    assert opened == session
    assert (opened.refresh_token, opened.owner) == ("rt-secret-value", "replica-1")
    assert opened.identity.email_verified
    assert opened.lineage and opened.checked_at == opened.issued_at
    # A refresh reseals the same sign-in: same lineage, new token and check time.
    later = replace(session, refresh_token="rt-next", checked_at=session.checked_at + 300)
    assert codec.open(codec.seal_session(later)) == later
    assert "rt-secret-value" not in cookie
