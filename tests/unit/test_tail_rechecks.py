"""Re-checking the sessions of open tails: what each outcome does to the tails of a sign-in."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from tailgate.auth.errors import SessionRevoked, SessionUnconfirmed
from tailgate.auth.identity import Identity
from tailgate.auth.session import Session
from tailgate.web.principal import Principal
from tailgate.web.sessions import SessionRegistry
from tailgate.web.tail_session import TailSession


def principal(lineage: str) -> Principal:
    identity = Identity(subject=f"user-{lineage}")
    session = Session(identity, issued_at=0, expires_at=2**40, lineage=lineage)
    return Principal(identity, "session", None, lineage, session)


def tail(registry: SessionRegistry, lineage: str, started: float) -> TailSession:
    # Only what ``close_soon`` touches: re-checking never reads or writes the socket.
    stand_in: Any = SimpleNamespace(closing=False)
    opened = TailSession(
        log_id="app",
        kind="file",
        client="c",
        ws=stand_in,
        viewer=stand_in,
        principal=principal(lineage),
        started=started,
    )
    registry.add(opened)
    return opened


def registry() -> SessionRegistry:
    return SessionRegistry(max_tails=100, max_per_client=100)


async def test_an_unconfirmed_sign_in_reopens_one_tail_per_look_the_oldest_first() -> None:
    tails = registry()
    middle = tail(tails, "a", started=2.0)
    oldest = tail(tails, "a", started=1.0)
    newest = tail(tails, "a", started=3.0)
    other = tail(tails, "b", started=0.5)

    async def recheck(who: Principal) -> Principal:
        if who.session_key == "a":
            raise SessionUnconfirmed()
        return who

    def allowed(_tail: TailSession, _who: Principal) -> bool:
        return True

    order = []
    for _ in range(3):
        assert await tails.recheck_once(recheck, allowed) == 1
        closed = [t for t in (oldest, middle, newest) if t.close_code is not None]
        order.append(next(t for t in closed if t not in order))
    assert order == [oldest, middle, newest]
    assert {t.close_code for t in order} == {1013}
    assert other.close_code is None
    # Nothing open is left to ask.
    assert await tails.recheck_once(recheck, allowed) == 0


async def test_a_refused_sign_in_closes_all_its_tails_at_once() -> None:
    tails = registry()
    mine = [tail(tails, "a", started=float(i)) for i in range(3)]
    kept = tail(tails, "b", started=0.0)

    async def recheck(who: Principal) -> Principal:
        await asyncio.sleep(0)
        if who.session_key == "a":
            raise SessionRevoked("signed out")
        return who

    assert await tails.recheck_once(recheck, lambda _t, _p: True) == 3
    assert [t.close_code for t in mine] == [4401, 4401, 4401]
    assert kept.close_code is None
