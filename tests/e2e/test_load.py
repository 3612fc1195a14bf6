"""A busy log: the page keeps drawing frames, holds a bounded number of lines, and loses
none of the newest."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import Page, expect

from tests.support.tails import running_server

from .ui import SESSION_LOOP, downloaded_lines, logs_in, open_from_list, rows

pytestmark = SESSION_LOOP

RATE = 50_000  # lines per second
SECONDS = 3
PADDING = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do"

# Records the longest time between two animation frames: a page whose main thread is
# swamped stops drawing frames.
FRAME_GAPS = """() => {
  window.__gaps = { max: 0, frames: 0 };
  let last = performance.now();
  const tick = (now) => {
    window.__gaps.max = Math.max(window.__gaps.max, now - last);
    window.__gaps.frames++;
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


async def write_at_rate(path: Path, total: int) -> None:
    step = RATE // 20
    with path.open("a", encoding="utf-8") as f:
        for start in range(0, total, step):
            f.write("".join(f"line {n:07d} {PADDING}\n" for n in range(start, start + step)))
            f.flush()
            await asyncio.sleep(1 / 20)


async def test_a_pane_stays_responsive_at_fifty_thousand_lines_a_second(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "busy")
    total = RATE * SECONDS
    async with running_server(tmp_path, {"busy": logs["busy"].path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "busy")
        await page.evaluate(FRAME_GAPS)
        await write_at_rate(logs["busy"].path, total)
        last = f"line {total - 1:07d} {PADDING}"
        await expect(rows(pane).last).to_have_text(last, timeout=15000)

        gaps = await page.evaluate("window.__gaps")
        assert gaps["frames"] > 10 * SECONDS, gaps
        assert gaps["max"] < 1000, gaps  # generous: the machine may be busy with other work
        await expect(pane.locator(".stats")).to_have_text("100,000 held, 50,000 dropped")

        # Typing in the filter under load takes effect at once and covers the whole buffer.
        await pane.get_by_label("Filter lines").fill("line 014999")
        await expect(rows(pane)).to_have_count(10)
        await pane.get_by_label("Filter lines").fill("")
        lines = await downloaded_lines(page, pane)
        assert lines == [f"line {n:07d} {PADDING}" for n in range(total - 100_000, total)]
