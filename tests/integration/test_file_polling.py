"""Polled logs (``follow: poll``, network filesystems) never stall the other tails.

On a network filesystem a ``stat`` can hang for as long as the server is away. A
hang is staged by holding ``stat`` of one path until the test lets go: lines of
another log must arrive meanwhile, and the polled log recovers afterwards.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.support.files import append_lines, read_until
from tests.support.tails import running_server, wait_for


async def test_a_hanging_stat_of_a_polled_log_does_not_hold_up_another_tail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "nfs").mkdir()
    polled = tmp_path / "nfs" / "app.log"
    local = tmp_path / "local.log"
    append_lines(polled, ["p-0"])
    append_lines(local, ["l-0"])
    hang = threading.Event()
    release = threading.Event()
    hung = threading.Event()
    on_the_loop = threading.Event()
    loop_thread = threading.get_ident()
    real_stat = os.stat

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if hang.is_set() and os.fspath(path) == str(polled):  # type: ignore[arg-type]
            if threading.get_ident() == loop_thread:
                # Hanging here would freeze the whole server (and this test).
                on_the_loop.set()
            else:
                hung.set()
                release.wait(10)
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", stat)
    catalog = (
        f"logs:\n  - id: polled\n    file: {polled}\n    follow: poll\n"
        f"  - id: local\n    file: {local}\n"
    )
    try:
        async with running_server(tmp_path, catalog, file_roots=(str(tmp_path),)) as server:
            slow = await server.tail("polled", backlog=1)
            fast = await server.tail("local", backlog=1)
            for tail in (slow, fast):
                await tail.expect("hello")
                await tail.read_lines(1)
            hang.set()
            await wait_for(lambda: hung.is_set() or on_the_loop.is_set())
            assert not on_the_loop.is_set(), "the polled log's stat ran on the event loop"
            append_lines(local, ["l-1"])
            assert await read_until(fast, "l-1") == ["l-0", "l-1"]
            # The polled log's look is still hanging, and the other tail went on.
            assert hung.is_set() and not release.is_set()
            release.set()
            append_lines(polled, ["p-1"])
            assert await read_until(slow, "p-1") == ["p-0", "p-1"]
            await slow.close()
            await fast.close()
    finally:
        release.set()
