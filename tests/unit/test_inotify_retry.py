"""Out of inotify instances, the hub polls, and tries again (rate-limited) when asked to watch.

The instance is made by an injected factory and the time read from an injected clock,
so running out of instances, and getting one back, are staged without the kernel's limit.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from pathlib import Path

import pytest
from inotify_simple import INotify

from tailgate.files.inotify import DIR_EVENTS, RETRY_EVERY, InotifyHub, InotifyUnavailable
from tests.auth.clock import FakeClock


class Instances:
    """A factory of real instances that fails (EMFILE) until told there is room again."""

    def __init__(self) -> None:
        self.room = False
        self.calls = 0

    def __call__(self) -> INotify:
        self.calls += 1
        if not self.room:
            raise OSError(errno.EMFILE, "Too many open files")
        return INotify(nonblocking=True)


def _ignore(_mask: int, _name: str | None) -> None:
    pass


async def test_a_hub_out_of_instances_tries_again_at_most_every_retry_interval(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tailgate.files.inotify")
    instances, clock = Instances(), FakeClock(1000.0)
    hub = InotifyHub(asyncio.get_running_loop(), factory=instances, clock=clock)
    try:
        assert not hub.available and instances.calls == 1
        for _ in range(3):
            with pytest.raises(InotifyUnavailable):
                hub.subscribe(str(tmp_path), DIR_EVENTS, _ignore)
        # Asking again and again within the interval costs no system call.
        assert instances.calls == 1
        clock.now += RETRY_EVERY
        with pytest.raises(InotifyUnavailable):
            hub.subscribe(str(tmp_path), DIR_EVENTS, _ignore)
        assert instances.calls == 2
        instances.room = True
        clock.now += RETRY_EVERY / 2
        with pytest.raises(InotifyUnavailable):
            hub.subscribe(str(tmp_path), DIR_EVENTS, _ignore)
        assert instances.calls == 2
        clock.now += RETRY_EVERY / 2
        watch = hub.subscribe(str(tmp_path), DIR_EVENTS, _ignore)
        assert hub.available and instances.calls == 3
        watch.close()
        # Said once when it failed and once when it came back, never per try.
        said = [r.getMessage() for r in caplog.records if r.name == "tailgate.files.inotify"]
        assert len(said) == 2, said
        assert "unavailable" in said[0] and "available again" in said[1]
    finally:
        hub.close()


async def test_a_closed_hub_makes_no_new_instance(tmp_path: Path) -> None:
    instances, clock = Instances(), FakeClock(1000.0)
    hub = InotifyHub(asyncio.get_running_loop(), factory=instances, clock=clock)
    hub.close()
    instances.room = True
    clock.now += RETRY_EVERY
    with pytest.raises(InotifyUnavailable):
        hub.subscribe(str(tmp_path), DIR_EVENTS, _ignore)
    assert instances.calls == 1


async def test_the_early_opener_out_of_instances_is_tried_again_at_most_every_retry_interval(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for_opener, clock = Instances(), FakeClock(1000.0)
    monkeypatch.setattr("tailgate.files.early_open.INotify", lambda **_: for_opener())
    for_hub = Instances()
    for_hub.room = True
    hub = InotifyHub(asyncio.get_running_loop(), factory=for_hub, clock=clock)
    try:
        for _ in range(3):
            assert hub.early_opener() is None
        assert for_opener.calls == 1
        clock.now += RETRY_EVERY
        assert hub.early_opener() is None
        assert for_opener.calls == 2
        said = [r.getMessage() for r in caplog.records if r.name == "tailgate.files.inotify"]
        assert len(said) == 1 and "opened by the loop alone" in said[0], said
        for_opener.room = True
        clock.now += RETRY_EVERY
        assert hub.early_opener() is not None
        assert hub.early_opener() is hub.early_opener()
    finally:
        hub.close()
