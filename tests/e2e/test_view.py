"""Following the end, keyboard shortcuts and themes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Locator, Page, expect

from tests.support.tails import running_server

from .ui import SESSION_LOOP, LogFile, button, logs_in, open_from_list, panes, rows

pytestmark = SESSION_LOOP


@asynccontextmanager
async def following(page: Page, tmp_path: Path) -> AsyncIterator[tuple[LogFile, Locator]]:
    """A log of 500 lines open in a pane that shows its end: the log and the pane."""
    log = logs_in(tmp_path, "app")["app"]
    log.append_numbered("line", 0, 500)
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(f"{server.base_url}/#open=app")
        pane = panes(page).first
        await expect(rows(pane).last).to_have_text("line 000499")
        yield log, pane


async def test_scrolling_up_stops_following_and_jump_to_end_resumes_it(
    page: Page, tmp_path: Path
) -> None:
    async with following(page, tmp_path) as (log, pane):
        viewport = pane.locator(".viewport")
        jump = button(pane, "Jump to end")
        await expect(jump).to_be_hidden()

        await viewport.hover()
        await page.mouse.wheel(0, -600)
        await expect(jump).to_be_visible()
        log.append_numbered("line", 500, 510)
        await expect(jump).to_contain_text("(10 new)")
        await expect(rows(pane).last).not_to_have_text("line 000509")

        await jump.click()
        await expect(jump).to_be_hidden()
        await expect(rows(pane).last).to_have_text("line 000509")
        log.append("after the jump")
        await expect(rows(pane).last).to_have_text("after the jump")


async def test_scrolling_up_a_busy_log_by_wheel_or_key_stops_following(
    page: Page, tmp_path: Path
) -> None:
    # Lines arrive while the wheel scrolls: the view drawing them must not pull the
    # reader back to the end, whatever the order of the wheel, its scroll and a draw.
    async with following(page, tmp_path) as (log, pane):
        jump = button(pane, "Jump to end")
        stop = asyncio.Event()

        async def writer() -> None:
            n = 500
            while not stop.is_set():
                log.append_numbered("line", n, n + 1)
                n += 1
                await asyncio.sleep(0.01)

        writing = asyncio.create_task(writer())
        try:
            await pane.locator(".viewport").hover()
            for _ in range(5):
                await page.mouse.wheel(0, -300)
                await expect(jump).to_be_visible()
                await jump.click()
                await expect(jump).to_be_hidden()
            await pane.locator(".viewport").focus()
            await page.keyboard.press("PageUp")
            await expect(jump).to_be_visible()
        finally:
            stop.set()
            await writing


async def test_keyboard_shortcuts_act_on_the_active_pane(page: Page, tmp_path: Path) -> None:
    logs = logs_in(tmp_path, "app", "access")
    logs["app"].append('{"a": 1}')
    async with running_server(tmp_path, {k: f.path for k, f in logs.items()}) as server:
        await page.goto(server.base_url)
        first = await open_from_list(page, "app")
        second = await open_from_list(page, "access")
        await expect(second).to_have_class("pane active")

        await page.keyboard.press("[")
        await expect(first).to_have_class("pane active")
        await page.keyboard.press("p")
        await expect(first.locator(".badge")).to_have_text("paused")
        await expect(second.locator(".badge")).to_have_text("live")
        await page.keyboard.press("p")
        await expect(first.locator(".badge")).to_have_text("live")

        await page.keyboard.press("j")
        await expect(rows(first)).to_have_text(["{", '  "a": 1', "}"])
        await page.keyboard.press("/")
        await page.keyboard.type("zzz")
        await expect(first.get_by_label("Filter lines")).to_have_value("zzz")
        await page.keyboard.press("Escape")
        await expect(first.get_by_label("Filter lines")).to_have_value("")

        theme = page.locator("html")
        before = await theme.get_attribute("data-theme")
        await page.keyboard.press("t")
        await expect(theme).not_to_have_attribute("data-theme", before or "")

        await page.keyboard.press("?")
        await expect(page.get_by_role("dialog")).to_contain_text("Pause or resume the active pane")
        await page.keyboard.press("Escape")
        await expect(page.get_by_role("dialog")).to_be_hidden()

        await page.keyboard.press("x")
        await expect(panes(page)).to_have_count(1)
        assert page.url.endswith("#open=access")
        await page.keyboard.press("n")
        await expect(page.get_by_label("Search logs")).to_be_focused()


# Two animation frames: whatever a key press set off has been drawn by then.
DRAWN = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
RECORD_KEYS = """() => {
  window.__keys = [];
  document.addEventListener("keydown", (event) => window.__keys.push(event.key));
}"""


async def test_single_key_shortcuts_can_be_turned_off_and_the_browser_remembers(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app")
    logs["app"].append("kept")
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(f"{server.base_url}/#open=app")
        pane = panes(page).first
        await expect(rows(pane)).to_have_text(["kept"])
        keys = page.locator("header.top #help")
        dialog = page.get_by_role("dialog")
        setting = dialog.get_by_label("Single-key shortcuts")

        await keys.click()
        await expect(setting).to_be_checked()
        await setting.uncheck()
        await expect(dialog).to_contain_text("Off: keys pressed on the page do nothing")
        await dialog.get_by_role("button", name="Close", exact=True).click()
        await expect(keys).to_have_text("Keys: off")

        await page.evaluate(RECORD_KEYS)
        for key in ["c", "x", "p", "?"]:
            await page.keyboard.press(key)
        await page.evaluate(DRAWN)
        assert await page.evaluate("window.__keys") == ["c", "x", "p", "?"]
        await expect(panes(page)).to_have_count(1)
        await expect(rows(pane)).to_have_text(["kept"])
        await expect(pane.locator(".badge")).to_have_text("live")
        await expect(dialog).to_be_hidden()

        await page.reload()
        await expect(rows(pane)).to_have_text(["kept"])
        await expect(keys).to_have_text("Keys: off")
        await page.evaluate(RECORD_KEYS)
        await page.keyboard.press("x")
        await page.evaluate(DRAWN)
        assert await page.evaluate("window.__keys") == ["x"]
        await expect(panes(page)).to_have_count(1)

        await keys.click()
        await expect(setting).not_to_be_checked()
        await setting.check()
        await dialog.get_by_role("button", name="Close", exact=True).click()
        await expect(keys).to_have_text("Keys")
        await page.keyboard.press("x")
        await expect(panes(page)).to_have_count(0)
