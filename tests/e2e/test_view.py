"""Following the end, keyboard shortcuts and themes."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, expect

from tests.support.tails import running_server

from .ui import SESSION_LOOP, button, logs_in, open_from_list, panes, rows

pytestmark = SESSION_LOOP


async def test_scrolling_up_stops_following_and_jump_to_end_resumes_it(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app")
    logs["app"].append_numbered("line", 0, 500)
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(f"{server.base_url}/#open=app")
        pane = panes(page).first
        await expect(rows(pane).last).to_have_text("line 000499")
        viewport = pane.locator(".viewport")
        jump = button(pane, "Jump to end")
        await expect(jump).to_be_hidden()

        await viewport.hover()
        await page.mouse.wheel(0, -600)
        await expect(jump).to_be_visible()
        logs["app"].append_numbered("line", 500, 510)
        await expect(jump).to_contain_text("(10 new)")
        await expect(rows(pane).last).not_to_have_text("line 000509")

        await jump.click()
        await expect(jump).to_be_hidden()
        await expect(rows(pane).last).to_have_text("line 000509")
        logs["app"].append("after the jump")
        await expect(rows(pane).last).to_have_text("after the jump")


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
