"""The shared inotify hub against the real kernel: subscriptions, their reference counts,
dispatch on the loop and outside it, and what a subscriber sees when events were lost."""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from tailgate.files.inotify import (
    DIR_EVENTS,
    FILE_EVENTS,
    IN_CREATE,
    IN_DELETE_SELF,
    IN_IGNORED,
    IN_MODIFY,
    IN_Q_OVERFLOW,
    InotifyHub,
    InotifyUnavailable,
)

#: How long a test waits for an event the kernel must send.
TIMEOUT = 5.0


class Seen:
    """A subscriber's callback that records every (mask, name) and lets a test await one."""

    def __init__(self) -> None:
        self.events: list[tuple[int, str | None]] = []
        self._arrived = asyncio.Event()

    def __call__(self, mask: int, name: str | None) -> None:
        self.events.append((mask, name))
        self._arrived.set()

    async def one(self, bit: int) -> tuple[int, str | None]:
        """The first recorded event with ``bit`` in its mask, waiting for it if need be."""
        async with asyncio.timeout(TIMEOUT):
            while True:
                for mask, name in self.events:
                    if mask & bit:
                        return mask, name
                self._arrived.clear()
                await self._arrived.wait()


async def wait_until(predicate: Callable[[], object]) -> None:
    async with asyncio.timeout(TIMEOUT):
        while not predicate():
            await asyncio.sleep(0.005)


@pytest.fixture
async def hub() -> AsyncIterator[InotifyHub]:
    hub = InotifyHub(asyncio.get_running_loop())
    if not hub.available:
        pytest.skip("inotify is not available on this machine")
    yield hub
    hub.close()


@pytest.fixture
def idle_hub() -> Iterator[InotifyHub]:
    """A hub on a loop that never runs: only ``dispatch_pending`` hands events out."""
    loop = asyncio.new_event_loop()
    hub = InotifyHub(loop)
    try:
        if not hub.available:
            pytest.skip("inotify is not available on this machine")
        yield hub
    finally:
        hub.close()
        loop.close()


async def test_a_write_to_a_watched_file_reaches_its_subscriber_without_a_name(
    hub: InotifyHub, tmp_path: Path, idle_hub: InotifyHub
) -> None:
    log = tmp_path / "app.log"
    log.write_text("")
    seen = Seen()
    hub.subscribe(str(log), FILE_EVENTS, seen)
    log.write_text("a line\n")
    assert await seen.one(IN_MODIFY) == (IN_MODIFY, None)


async def test_a_file_created_in_a_watched_folder_is_reported_by_name(
    hub: InotifyHub, tmp_path: Path
) -> None:
    seen = Seen()
    hub.subscribe(str(tmp_path), DIR_EVENTS, seen)
    (tmp_path / "new file é.log").write_text("")
    assert await seen.one(IN_CREATE) == (IN_CREATE, "new file é.log")


async def test_a_subscriber_to_one_name_hears_its_name_the_folder_and_others_once_asked(
    hub: InotifyHub, tmp_path: Path
) -> None:
    # A folder of many followed files: a write to one must not call every follower.
    mine, other, everything = Seen(), Seen(), Seen()
    watch = hub.subscribe(str(tmp_path), DIR_EVENTS, mine, name="app.log")
    hub.subscribe(str(tmp_path), DIR_EVENTS, other, name="other.log")
    hub.subscribe(str(tmp_path), DIR_EVENTS, everything)
    (tmp_path / "other.log").write_text("x\n")
    (tmp_path / "app.log").write_text("y\n")
    await mine.one(IN_CREATE)
    await wait_until(lambda: len({n for _, n in everything.events}) == 2)
    assert {name for _, name in mine.events} == {"app.log"}
    assert {name for _, name in other.events} == {"other.log"}

    watch.hear_all_names(True)  # finished files are watched under their rotated names
    (tmp_path / "app.log.1").write_text("z\n")
    assert await mine.one(IN_CREATE) == (IN_CREATE, "app.log")
    await wait_until(lambda: any(n == "app.log.1" for _, n in mine.events))
    watch.hear_all_names(False)
    before = len(mine.events)
    (tmp_path / "third.log").write_text("w\n")
    (tmp_path / "app.log").write_text("again\n")
    await wait_until(lambda: len(mine.events) > before)
    await wait_until(lambda: any(n == "third.log" for _, n in everything.events))
    assert "third.log" not in {name for _, name in mine.events}

    # The folder's own end reaches every subscriber, whatever name it listens for.
    for child in tmp_path.iterdir():
        child.unlink()
    tmp_path.rmdir()
    await mine.one(IN_IGNORED)
    await other.one(IN_IGNORED)


async def test_two_subscribers_of_one_inode_share_a_watch_until_the_last_leaves(
    hub: InotifyHub, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("")
    first, second, third = Seen(), Seen(), Seen()
    one = hub.subscribe(str(log), FILE_EVENTS, first)
    two = hub.subscribe(str(log), FILE_EVENTS, second)
    one.close()
    one.close()  # idempotent: the second close must not end the other subscription
    log.write_text("a line\n")
    await second.one(IN_MODIFY)
    assert first.events == []
    two.close()
    # The watch left the kernel with its last subscriber; a new one is made afresh.
    hub.subscribe(str(log), FILE_EVENTS, third)
    log.write_text("another\n")
    await third.one(IN_MODIFY)
    assert first.events == []


async def test_a_callback_may_unsubscribe_and_subscribe_while_events_are_handed_out(
    hub: InotifyHub, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("")
    later = Seen()
    calls: list[bool] = []

    def once(mask: int, name: str | None) -> None:
        calls.append(hub.dispatching)
        watch.close()
        hub.subscribe(str(log), FILE_EVENTS, later)

    watch = hub.subscribe(str(log), FILE_EVENTS, once)
    log.write_text("a line\n")
    await wait_until(lambda: calls)
    log.write_text("another\n")
    await later.one(IN_MODIFY)
    assert calls and all(calls)
    assert hub.dispatching is False


async def test_a_failing_callback_does_not_keep_events_from_the_others(
    hub: InotifyHub, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("")
    seen = Seen()

    def broken(mask: int, name: str | None) -> None:
        raise RuntimeError("a subscriber's own bug")

    hub.subscribe(str(log), FILE_EVENTS, broken)
    hub.subscribe(str(log), FILE_EVENTS, seen)
    log.write_text("a line\n")
    await seen.one(IN_MODIFY)


async def test_a_deleted_file_reports_its_end_and_its_watch_is_dropped(
    hub: InotifyHub, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("")
    seen = Seen()
    watch = hub.subscribe(str(log), FILE_EVENTS, seen)
    log.unlink()
    await seen.one(IN_DELETE_SELF)
    await seen.one(IN_IGNORED)
    # The kernel already removed the watch: closing the subscription is still fine.
    watch.close()


def test_pending_events_are_handed_out_without_the_loop_getting_to_them(
    tmp_path: Path, idle_hub: InotifyHub
) -> None:
    hub = idle_hub
    seen = Seen()
    hub.subscribe(str(tmp_path), DIR_EVENTS, seen)
    (tmp_path / "a.log").write_text("")
    hub.dispatch_pending()
    assert (IN_CREATE, "a.log") in seen.events
    count = len(seen.events)
    hub.dispatch_pending()  # nothing is left: returns at once
    assert len(seen.events) == count


def test_lost_events_reach_every_subscriber_as_an_overflow(
    tmp_path: Path, idle_hub: InotifyHub
) -> None:
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 100_000:
        pytest.skip(f"the kernel queues {limit} events: too many to overflow in a test")
    hub = idle_hub
    busy = tmp_path / "busy"
    busy.mkdir()
    quiet = tmp_path / "quiet.log"
    quiet.write_text("")
    in_busy, in_quiet = Seen(), Seen()
    hub.subscribe(str(busy), DIR_EVENTS, in_busy)
    hub.subscribe(str(quiet), FILE_EVENTS, in_quiet)
    # Distinct names, so the kernel cannot merge them: more events than it queues.
    for i in range(limit + 10):
        os.close(os.open(busy / f"{i}.log", os.O_CREAT | os.O_WRONLY, 0o644))
    hub.dispatch_pending()
    while hub._on_readable():
        pass
    assert (IN_Q_OVERFLOW, None) in in_busy.events
    assert in_quiet.events == [(IN_Q_OVERFLOW, None)]


def test_one_hand_out_reads_a_bounded_number_of_events(
    tmp_path: Path, idle_hub: InotifyHub
) -> None:
    hub = idle_hub
    seen = Seen()
    hub.subscribe(str(tmp_path), DIR_EVENTS, seen)
    # 16 bytes of header and a name padded to 16: 32 bytes an event, so 6,000
    # events take three reads of 64 KiB.
    for i in range(6000):
        os.close(os.open(tmp_path / f"{i:04d}", os.O_CREAT | os.O_RDONLY, 0o644))
    assert hub._on_readable()
    first = len(seen.events)
    assert 0 < first < 6000
    hub.dispatch_pending()
    assert [name for _, name in seen.events] == [f"{i:04d}" for i in range(6000)]


async def test_a_path_that_cannot_be_watched_raises_inotify_unavailable(
    hub: InotifyHub, tmp_path: Path
) -> None:
    with pytest.raises(InotifyUnavailable) as raised:
        hub.subscribe(str(tmp_path / "missing"), FILE_EVENTS, Seen())
    assert raised.value.errno == errno.ENOENT
    assert "missing" in str(raised.value)


async def test_a_closed_hub_refuses_subscriptions_and_closing_twice_is_fine(
    tmp_path: Path,
) -> None:
    hub = InotifyHub(asyncio.get_running_loop())
    hub.close()
    hub.close()
    assert not hub.available
    with pytest.raises(InotifyUnavailable):
        hub.subscribe(str(tmp_path), DIR_EVENTS, Seen())
