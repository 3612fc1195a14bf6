"""The thread that opens new files under followed names, against the real kernel.

It only opens: checking a descriptor against the roots, and reading it, is the
follower's (``tests/integration/test_file_roots.py`` replaces a tailed log by a
symlink out of its folder and sees nothing of the target).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tailgate.files.early_open import EarlyFiles, EarlyOpener
from tailgate.files.roots import FileRoots


@pytest.fixture
async def opener() -> AsyncIterator[EarlyOpener]:
    early = EarlyOpener(asyncio.get_running_loop())
    try:
        yield early
    finally:
        early.close()


class Woken:
    """The follower's side: counts wake-ups and lets a test await the next one."""

    def __init__(self) -> None:
        self.count = 0
        self.event = asyncio.Event()

    def __call__(self) -> None:
        self.count += 1
        self.event.set()

    async def until(self, count: int) -> None:
        async with asyncio.timeout(5):
            while self.count < count:
                self.event.clear()
                await self.event.wait()


def follow(opener: EarlyOpener, log: Path, woken: Woken) -> EarlyFiles:
    return opener.follow(str(log), FileRoots().for_log(str(log)), woken)


async def test_each_file_under_the_name_is_opened_in_the_order_the_names_came(
    opener: EarlyOpener, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    woken = Woken()
    files = follow(opener, log, woken)
    inodes = []
    for n in range(3):
        log.write_text(f"file {n}\n")
        inodes.append(log.stat().st_ino)
        await woken.until(n + 1)
        log.rename(tmp_path / "app.log.1")  # over the last copy: only the handle holds it
    opened = files.take()
    assert [os.fstat(o.fd).st_ino for o in opened] == inodes
    assert [os.pread(o.fd, 100, 0) for o in opened] == [f"file {n}\n".encode() for n in range(3)]
    # The name's previous file left by a rename each time, except before the first.
    assert [o.renamed for o in opened] == [False, True, True]
    for o in opened:
        os.close(o.fd)


async def test_a_file_that_replaced_a_deleted_one_is_not_taken_for_a_rotation(
    opener: EarlyOpener, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("first\n")
    woken = Woken()
    files = follow(opener, log, woken)
    log.unlink()
    log.write_text("again\n")
    await woken.until(1)
    (opened,) = files.take()
    assert not opened.renamed
    os.close(opened.fd)


async def test_other_names_in_the_folder_are_left_alone(
    opener: EarlyOpener, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    woken = Woken()
    files = follow(opener, log, woken)
    (tmp_path / "app.log.1").write_text("a copy\n")
    (tmp_path / "other.log").write_text("another log\n")
    log.write_text("mine\n")
    await woken.until(1)
    opened = files.take()
    assert [os.fstat(o.fd).st_ino for o in opened] == [log.stat().st_ino] and woken.count == 1
    os.close(opened[0].fd)


def held_inodes() -> set[int]:
    """The inodes this process holds open."""
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            out.add(os.stat(f"/proc/self/fd/{fd}").st_ino)
        except OSError:
            continue
    return out


async def test_unfollowing_closes_what_was_opened_and_opens_nothing_more(
    opener: EarlyOpener, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    woken = Woken()
    files = follow(opener, log, woken)
    log.write_text("one\n")
    first = log.stat().st_ino
    await woken.until(1)
    assert first in held_inodes()
    opener.unfollow(files)
    assert first not in held_inodes()
    log.rename(tmp_path / "app.log.1")
    log.write_text("two\n")
    other = Woken()
    follow(opener, tmp_path / "marker", other)
    (tmp_path / "marker").write_text("")
    await other.until(1)  # the thread got past the later name, and queued nothing
    assert files.take() == [] and woken.count == 1
    assert log.stat().st_ino not in held_inodes()
