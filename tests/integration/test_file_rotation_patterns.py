"""Real rotations at a busy log's pace: every line once, in order, for every viewer.

A writer in another process writes numbered lines and rotates its log the way
real tools do (``bench.writers``): a plain rename, the kubelet (rename to a
timestamped name while the runtime still writes, reopen, gzip the file before),
logrotate's ``create`` (rename, create, the writer reopens on its signal), and
Python's ``RotatingFileHandler``. Rotations come 50 ms apart, so
files are renamed away, written to under their new name and removed while the
server reads. Two viewers stay live; a third is paused for the whole run and
catches up afterwards through the files the server kept open, most of them long
gone from the folder by then.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest
from bench.lines import seq_of
from bench.writers import PATTERNS
from inotify_simple import INotify

from tests.support.files import read_to_last, served_log, transcript, write_rotating
from tests.support.tails import TailClient

LINES = 20_000
ROTATIONS = 20
INTERVAL = 0.05


async def _write_rotating(pattern: str, path: Path) -> None:
    await write_rotating(pattern, path, LINES, ROTATIONS, INTERVAL)


async def _read_all(tail: TailClient, timeout: float = 60.0) -> None:
    await read_to_last(tail, LINES, timeout)


def _around(tail: TailClient, first: list[int]) -> list[str]:
    if not first:
        return []
    shown = [t if t.startswith("<") else t[:12].lstrip("0") for t in transcript(tail)]
    for i, text in enumerate(shown):
        if not text.startswith("<") and text and int(text) > first[0]:
            return shown[max(0, i - 4) : i + 3]
    return shown[-6:]


def _inotify_note(polling: float) -> str:
    """Whether the follower could watch with inotify: a run out of instances polls."""
    try:
        INotify().close()
        free = "inotify instances could be made"
    except OSError as exc:
        free = f"no inotify instance could be made ({exc}; see fs.inotify.max_user_instances)"
    watched = "the follower polled" if polling else "the follower watched with inotify"
    return f"{watched}; {free}"


def _check_every_line_once_in_order(tail: TailClient, who: str) -> None:
    seqs = [seq_of(text) for text in tail.lines]
    events = {event for event in transcript(tail) if event.startswith("<")}
    missing = sorted(set(range(LINES)) - set(seqs))
    assert seqs == list(range(LINES)), (
        f"{who}: {len(missing)} lost (from {missing[:1]}), "
        f"{len(seqs) - len(set(seqs))} repeated, "
        f"{sum(b < a for a, b in itertools.pairwise(seqs))} out of order; "
        f"notices {events}; around the first gap: {_around(tail, missing[:1])}"
    )
    assert events <= {"<rotated>"}, f"{who}: {events}"


@pytest.mark.parametrize("pattern", PATTERNS)
async def test_a_log_rotated_every_50_ms_reaches_every_viewer_whole_and_in_order(
    tmp_path: Path, pattern: str
) -> None:
    async with served_log(tmp_path, []) as (log, server):
        live = [await server.tail("app", backlog=0) for _ in range(2)]
        paused = await server.tail("app", backlog=0)
        for tail in (*live, paused):
            await tail.expect("hello")
        # Paused before the writer (a new process) writes its first line.
        await paused.send({"type": "pause"})
        readers = [asyncio.ensure_future(_read_all(tail)) for tail in live]
        await _write_rotating(pattern, log)
        await asyncio.gather(*readers)
        await paused.send({"type": "resume"})
        await _read_all(paused)
        note = _inotify_note(server.metric("tailgate_file_followers_polling"))
        for who, tail in (("live", live[0]), ("live", live[1]), ("paused", paused)):
            _check_every_line_once_in_order(tail, f"{who} ({note})")
        for tail in (*live, paused):
            await tail.close()
