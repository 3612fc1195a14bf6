"""Rotation under polling: every file the name held is read, or told as a ``gap``.

A follower polls when its log says ``follow: poll`` (or sits on a network
filesystem), and every follower of the process does when inotify instances run
out. Nothing then counts the files the name was given between two looks, so the
follower looks through the rotated copies each time it meets a new file, and puts
back those it never opened. A writer in another process rotates faster than the
poll (``bench.writers``), with tools that keep their copies a while (logrotate's
numbered copies, ``RotatingFileHandler``): every line arrives exactly once. A copy
gone before it could be opened is told, never skipped in silence.
"""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Iterator
from pathlib import Path

import inotify_simple
import pytest
from bench.lines import seq_of

import tailgate.files.chain as chain_module
from tailgate.files.copies import Copy
from tailgate.files.handle import FileHandle
from tailgate.files.roots import LogRoots
from tests.support.files import (
    append_lines,
    read_to_last,
    read_until,
    started,
    transcript,
    write_rotating,
)
from tests.support.tails import TailClient, running_server, wait_for

LINES = 4_000
ROTATIONS = 10
#: Two rotations fall within one poll (0.25 s) now and then; the tools keep five copies.
INTERVAL = 0.12


def _no_inotify(*_args: object, **_kwargs: object) -> object:
    raise OSError(errno.EMFILE, "Too many open files")


@pytest.fixture(params=["follow: poll", "out of inotify instances"])
def polled(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """How the log comes to be polled: its catalog entry, or no inotify for the process."""
    if request.param != "follow: poll":
        monkeypatch.setattr("tailgate.files.inotify.INotify", _no_inotify)
        monkeypatch.setattr("tailgate.files.early_open.INotify", _no_inotify)
    yield request.param


async def _write_rotating(pattern: str, path: Path) -> None:
    await write_rotating(pattern, path, LINES, ROTATIONS, INTERVAL)


async def _read_all(tail: TailClient, timeout: float = 30.0) -> None:
    await read_to_last(tail, LINES, timeout)


@pytest.mark.parametrize("pattern", ["logrotate", "python"])
async def test_a_polled_log_rotated_faster_than_the_poll_reaches_every_viewer_once(
    tmp_path: Path, pattern: str, polled: str
) -> None:
    log = tmp_path / "app.log"
    append_lines(log, ["start"])
    follow = "    follow: poll\n" if polled == "follow: poll" else ""
    catalog = f"logs:\n  - id: app\n    file: {log}\n{follow}"
    async with running_server(tmp_path, catalog, file_roots=(str(tmp_path),)) as server:
        live = await started(server, "app", backlog=0)
        paused = await started(server, "app", backlog=0)
        assert server.metric("tailgate_file_followers_polling") == 1
        await paused.send({"type": "pause"})
        reader = asyncio.ensure_future(_read_all(live))
        await _write_rotating(pattern, log)
        await reader
        await paused.send({"type": "resume"})
        await _read_all(paused)
        for who, tail in (("live", live), ("paused", paused)):
            seqs = [seq_of(text) for text in tail.lines]
            events = {t for t in transcript(tail) if t.startswith("<")}
            missing = sorted(set(range(LINES)) - set(seqs))
            assert seqs == list(range(LINES)), (
                f"{who} ({polled}): {len(missing)} lost (from {missing[:1]}), "
                f"{len(seqs) - len(set(seqs))} repeated; notices {events}"
            )
            assert events <= {"<rotated>"}, events
        for tail in (live, paused):
            await tail.close()
    assert server.metric("tailgate_file_followers_polling") == 0


async def test_a_copy_gone_before_it_could_be_opened_is_told_as_a_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open_copy = chain_module.open_copy
    removed: list[str] = []

    def open_copy(copy: Copy, roots: LogRoots) -> FileHandle | None:
        # The rotator removes (or gzips) the copy between the listing and the open.
        if copy.path.endswith(".2"):
            os.unlink(copy.path)
            removed.append(copy.path)
        return real_open_copy(copy, roots)

    monkeypatch.setattr(chain_module, "open_copy", open_copy)
    log = tmp_path / "app.log"
    append_lines(log, ["a-0"])
    catalog = f"logs:\n  - id: app\n    file: {log}\n    follow: poll\n"
    async with running_server(tmp_path, catalog, file_roots=(str(tmp_path),)) as server:
        tail = await started(server, "app", backlog=1)
        assert await read_until(tail, "a-0") == ["a-0"]
        # Two rotations within one poll: the file between them is seen only as a copy.
        os.rename(log, f"{log}.1")
        append_lines(log, ["b-0"])
        os.rename(log, f"{log}.2")
        append_lines(log, ["c-0"])
        seen = await read_until(tail, "<gap>")
        await read_until(tail, "c-0")
        assert removed, "the copy was never looked for"
        lines = [t for t in transcript(tail) if not t.startswith("<")]
        assert lines == ["a-0", "c-0"], seen
        gap = next(f for f in tail.frames if f["type"] == "notice" and f["event"] == "gap")
        assert gap["files"] == 1, gap
        await tail.close()


async def test_followers_leave_polling_once_inotify_instances_are_free_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = False
    real = inotify_simple.INotify

    def instance(*args: object, **kwargs: object) -> inotify_simple.INotify:
        if not room:
            raise OSError(errno.EMFILE, "Too many open files")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("tailgate.files.inotify.INotify", instance)
    monkeypatch.setattr("tailgate.files.early_open.INotify", instance)
    monkeypatch.setattr("tailgate.files.inotify.RETRY_EVERY", 0.0)
    log = tmp_path / "app.log"
    append_lines(log, ["a-0"])
    async with running_server(tmp_path, {"app": log}) as server:
        tail = await started(server, "app", backlog=1)
        await read_until(tail, "a-0")
        assert server.metric("tailgate_file_followers_polling") == 1
        room = True
        await wait_for(lambda: server.metric("tailgate_file_followers_polling") == 0)
        # Watched again: two rotations at once are counted by the folder's events.
        os.rename(log, f"{log}.1")
        append_lines(log, ["b-0"])
        os.rename(log, f"{log}.2")
        append_lines(log, ["c-0"])
        seen = await read_until(tail, "c-0")
        assert [t for t in seen if not t.startswith("<")] == ["a-0", "b-0", "c-0"], seen
        assert "<gap>" not in seen, seen
        await tail.close()
