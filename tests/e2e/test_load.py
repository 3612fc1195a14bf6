"""A busy log: the pane holds a bounded number of lines, loses none of the newest, filters
all it holds, and stops when told while lines keep coming.

How fast the page does this (lines drawn per second, frames, the longest task, how long a
filter over a full pane takes) is measured by the browser scenario of ``make bench``
(``bench/scenarios/browser.py``, docs/benchmarks.md), never asserted here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from playwright.async_api import Page, expect

from tests.support.tails import running_server, wait_for

from .ui import (
    SESSION_LOOP,
    active_tails,
    button,
    downloaded_lines,
    logs_in,
    open_from_list,
    rows,
)

pytestmark = SESSION_LOOP

CAPACITY = 100_000  # entries a pane holds (docs/ui.md, Limits)
TOTAL = 150_000
BLOCK = 5_000
PADDING = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do"


def numbered(n: int) -> str:
    return f"line {n:07d} {PADDING}"


def write_block(path: Path, start: int, stop: int) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write("".join(numbered(n) + "\n" for n in range(start, stop)))


async def test_a_full_pane_keeps_the_newest_lines_counts_the_dropped_and_filters_them_all(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "busy")
    path = logs["busy"].path
    async with running_server(tmp_path, {"busy": path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "busy")
        # Blocks that reach the page as many frames, far more lines than the pane holds.
        for start in range(0, TOTAL, BLOCK):
            write_block(path, start, start + BLOCK)
        await expect(rows(pane).last).to_have_text(numbered(TOTAL - 1), timeout=30_000)
        await expect(pane.locator(".stats")).to_have_text("100,000 held, 50,000 dropped")

        # The filter goes over every line held, and only those: the ten lines 0149990 to
        # 0149999 are there; 0049990 to 0049999 were dropped.
        box = pane.get_by_label("Filter lines")
        await box.fill("line 014999")
        await expect(rows(pane)).to_have_text([numbered(n) for n in range(149_990, TOTAL)])
        await box.fill("line 004999")
        await expect(rows(pane)).to_have_count(0)
        await expect(pane.locator(".stats")).to_have_text("0 of 100,000 held, 50,000 dropped")
        await box.fill("")
        await expect(rows(pane).last).to_have_text(numbered(TOTAL - 1))

        lines = await downloaded_lines(page, pane)
        assert lines == [numbered(n) for n in range(TOTAL - CAPACITY, TOTAL)]


@contextlib.asynccontextmanager
async def writing(path: Path) -> AsyncIterator[None]:
    """Appends blocks of lines to ``path`` until the block exits."""

    async def write_forever() -> None:
        start = 0
        while True:
            write_block(path, start, start + 1_000)
            start += 1_000
            await asyncio.sleep(0.02)  # paces the writer; nothing is waited for

    task = asyncio.create_task(write_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_stop_ends_a_tail_that_is_still_receiving_lines(page: Page, tmp_path: Path) -> None:
    logs = logs_in(tmp_path, "busy")
    path = logs["busy"].path
    async with running_server(tmp_path, {"busy": path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "busy")
        async with writing(path):
            await expect(rows(pane).last).to_contain_text(PADDING)
            await button(pane, "Stop").click()
            await expect(pane.locator(".badge")).to_have_text("ended")
            await wait_for(lambda: active_tails(server, "busy") == 0)
            await expect(rows(pane).last).to_have_text("Stopped.")
            await expect(button(pane, "Start")).to_be_enabled()
