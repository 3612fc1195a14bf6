"""Who refreshes a session when, and why a refresh token is never presented twice."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tailgate.auth.errors import ProviderUnavailable, SessionRevoked
from tailgate.auth.identity import Identity
from tailgate.auth.refresh import RETRY_AFTER, Refresher, Step, next_step, tail_is_unconfirmed
from tailgate.auth.session import Session

from .clock import FakeClock as Clock

NOW = 1_000_000.0
INTERVAL = 300.0


def session(*, age: float = 0, owner: str = "a", token: str | None = "rt-0") -> Session:
    return Session(
        Identity("alice", groups=("ops",)),
        issued_at=int(NOW - 3600),
        expires_at=int(NOW + 3600),
        refresh_token=token,
        checked_at=int(NOW - age),
        owner=owner,
        lineage="lin",
    )


@pytest.mark.parametrize(
    ("age", "owner", "step"),
    [
        (0, "a", Step.FRESH),
        (299, "a", Step.FRESH),
        (299, "b", Step.FRESH),
        (300, "a", Step.SPEND),
        (524, "a", Step.SPEND),
        # The owner stands aside around the time another may take over ...
        (525, "a", Step.TRUST),
        (674, "a", Step.TRUST),
        # ... and refreshes again once nobody did (it may be the only replica).
        (675, "a", Step.SPEND),
        (300, "b", Step.TRUST),
        (599, "b", Step.TRUST),
        (600, "b", Step.SPEND),
        (5000, "b", Step.SPEND),
    ],
)
def test_the_owner_refreshes_when_due_and_others_wait_one_more_interval(
    age: float, owner: str, step: Step
) -> None:
    assert next_step(session(age=age, owner=owner), now=NOW, interval=INTERVAL, me="a") is step


class Provider:
    """Rotates at every refresh and revokes on reuse, like the real one in tests/oidc."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.live = {"rt-0"}
        self.spent: set[str] = set()
        self.calls: list[str] = []
        self.groups: tuple[str, ...] = ("ops",)
        self.gate: asyncio.Event | None = None
        self.down = False

    async def spend(self, current: Session) -> Session:
        token = current.refresh_token
        assert token is not None
        self.calls.append(token)
        if self.gate is not None:
            await self.gate.wait()
        if self.down:
            raise ProviderUnavailable("connection refused")
        if token in self.spent:
            self.live.clear()  # reuse detected: the whole grant goes
            raise SessionRevoked("refresh token already used")
        if token not in self.live:
            raise SessionRevoked("refresh token not found")
        self.live.discard(token)
        self.spent.add(token)
        new = f"rt-{len(self.spent)}"
        self.live.add(new)
        return dataclasses.replace(
            current,
            identity=dataclasses.replace(current.identity, groups=self.groups),
            refresh_token=new,
            checked_at=int(self.clock()),
            owner="a",
        )


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def provider(clock: Clock) -> Provider:
    return Provider(clock)


async def test_concurrent_refreshes_of_one_token_make_one_call(
    provider: Provider, clock: Clock
) -> None:
    refresher = Refresher(provider.spend, clock=clock)
    provider.gate = asyncio.Event()
    async with refresher.running():
        waiting = [asyncio.ensure_future(refresher.refresh(session(age=400))) for _ in range(5)]
        await asyncio.sleep(0)
        provider.gate.set()
        results = await asyncio.gather(*waiting)
    assert provider.calls == ["rt-0"]
    assert {r.refresh_token for r in results} == {"rt-1"}


async def test_a_spent_token_seen_again_is_answered_from_memory_and_never_presented(
    provider: Provider, clock: Clock
) -> None:
    refresher = Refresher(provider.spend, clock=clock)
    old = session(age=400)
    async with refresher.running():
        first = await refresher.refresh(old)
        clock.advance(400)
        second = await refresher.refresh(first)
        # The browser still sends the first cookie: it maps to the newest state.
        assert refresher.latest(old) == second
        assert await refresher.refresh(old) == second
    assert provider.calls == ["rt-0", "rt-1"]
    assert provider.live == {"rt-2"}


async def test_a_refusal_is_remembered_for_the_whole_chain(
    provider: Provider, clock: Clock
) -> None:
    outcomes: list[str] = []
    refresher = Refresher(provider.spend, clock=clock, on_outcome=outcomes.append)
    old = session(age=400)
    async with refresher.running():
        first = await refresher.refresh(old)
        provider.live.clear()  # the administrator revoked the grant
        clock.advance(400)
        with pytest.raises(SessionRevoked):
            await refresher.refresh(first)
        with pytest.raises(SessionRevoked):
            refresher.latest(old)
    assert provider.calls == ["rt-0", "rt-1"]
    assert outcomes == ["ok", "refused"]


async def test_signing_out_refuses_every_copy_of_the_chain_here_at_once(
    provider: Provider, clock: Clock
) -> None:
    refresher = Refresher(provider.spend, clock=clock)
    old = session(age=400)
    async with refresher.running():
        first = await refresher.refresh(old)
        refresher.forget_chain(first, SessionRevoked("signed out"))
        for copy in (old, first):
            with pytest.raises(SessionRevoked):
                refresher.latest(copy)


async def test_a_provider_that_is_down_is_not_asked_again_at_once(
    provider: Provider, clock: Clock
) -> None:
    outcomes: list[str] = []
    refresher = Refresher(provider.spend, clock=clock, on_outcome=outcomes.append)
    provider.down = True
    async with refresher.running():
        with pytest.raises(ProviderUnavailable):
            await refresher.refresh(session(age=400))
        with pytest.raises(ProviderUnavailable):
            await refresher.refresh(session(age=400))
        assert provider.calls == ["rt-0"] and outcomes == ["unavailable"]
        provider.down = False
        clock.advance(RETRY_AFTER)
        refreshed = await refresher.refresh(session(age=400))
    assert refreshed.refresh_token == "rt-1"


async def test_a_session_without_a_refresh_token_cannot_be_refreshed(
    provider: Provider, clock: Clock
) -> None:
    async with Refresher(provider.spend, clock=clock).running() as refresher:
        with pytest.raises(SessionRevoked, match="no refresh token"):
            await refresher.refresh(session(token=None, age=400))
    assert provider.calls == []


async def test_a_caller_that_goes_away_does_not_lose_the_new_token(
    provider: Provider, clock: Clock
) -> None:
    refresher = Refresher(provider.spend, clock=clock)
    provider.gate = asyncio.Event()
    old = session(age=400)
    async with refresher.running():
        impatient = asyncio.ensure_future(refresher.refresh(old))
        await asyncio.sleep(0)
        impatient.cancel()
        provider.gate.set()
        assert (await refresher.refresh(old)).refresh_token == "rt-1"
    assert provider.calls == ["rt-0"]


async def test_a_provider_that_never_answers_holds_no_request_and_its_late_answer_counts(
    provider: Provider, clock: Clock
) -> None:
    refresher = Refresher(provider.spend, clock=clock, wait=0.05)
    provider.gate = asyncio.Event()
    old = session(age=400)
    async with refresher.running():
        with pytest.raises(ProviderUnavailable):
            await refresher.refresh(old)
        # Others do not wait again for the refresh already overdue.
        waiting = asyncio.ensure_future(refresher.refresh(old))
        await asyncio.sleep(0)
        assert waiting.done()
        with pytest.raises(ProviderUnavailable):
            waiting.result()
        # The answer that comes late is kept: nothing is spent twice.
        provider.gate.set()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert refresher.latest(old).refresh_token == "rt-1"
        assert (await refresher.refresh(old)).refresh_token == "rt-1"
    assert provider.calls == ["rt-0"]


@pytest.mark.parametrize(("age", "unconfirmed"), [(0, False), (449, False), (450, True)])
def test_an_open_tail_asks_to_be_reopened_after_one_and_a_half_intervals(
    age: float, unconfirmed: bool
) -> None:
    assert tail_is_unconfirmed(session(age=age), now=NOW, interval=INTERVAL) is unconfirmed


def test_a_newer_state_seen_in_any_cookie_is_adopted_and_an_older_one_is_not(
    provider: Provider, clock: Clock
) -> None:
    refresher = Refresher(provider.spend, clock=clock)
    old, newer = session(age=400), session(age=10, token="rt-7")
    refresher.observe(newer)
    assert refresher.latest(old) == newer
    refresher.observe(old)
    assert refresher.latest(old) == newer


async def test_a_refresh_under_way_is_known_until_its_answer_comes(
    provider: Provider, clock: Clock
) -> None:
    # Open tails of a session being refreshed are not asked to reopen meanwhile: the
    # reopening would wait for this same refresh.
    refresher = Refresher(provider.spend, clock=clock)
    provider.gate = asyncio.Event()
    old = session(age=400)
    async with refresher.running():
        assert not refresher.refreshing(old)
        waiting = asyncio.ensure_future(refresher.refresh(old))
        await asyncio.sleep(0)
        assert refresher.refreshing(refresher.latest(old))
        provider.gate.set()
        refreshed = await waiting
        assert not refresher.refreshing(refresher.latest(old))
        assert not refresher.refreshing(refreshed)
