"""A pane's filter applied at the server: what reaches the page, changing it without a
gap or a duplicate, a filter the server refuses, and the level chips pushed down."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import Locator, Page, expect

from tests.support.tails import running_server

from .ui import SESSION_LOOP, downloaded_lines, logs_in, panes, rows

pytestmark = SESSION_LOOP


class Sockets:
    """The addresses of the WebSockets the page opens, in order."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        page.on("websocket", lambda ws: self.urls.append(ws.url))

    async def opened(self, count: int) -> str:
        """The address of the ``count``-th socket, once it was opened."""
        for _ in range(500):
            if len(self.urls) >= count:
                return self.urls[count - 1]
            await asyncio.sleep(0.01)
        raise AssertionError(f"only {len(self.urls)} sockets opened: {self.urls}")


def log_rows(pane: Locator) -> Locator:
    """The rows of log lines in sight (not notices, errors or remarks)."""
    return pane.locator(".rows > .row:not(.notice):not(.error):not(.remark):not([hidden])")


def part(pane: Locator, name: str) -> Locator:
    return pane.locator(f'[data-part="{name}"]')


async def test_the_server_filters_and_a_new_filter_loses_and_repeats_nothing(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    before = log.append_numbered("info before", 0, 5)
    async with running_server(tmp_path, {"app": log.path}) as server:
        sockets = Sockets(page)
        await page.goto(f"{server.base_url}/#open=app")
        pane = panes(page).first
        await expect(rows(pane)).to_have_count(5)
        await part(pane, "filter").fill("error")
        assert "filter=error" in await sockets.opened(2)
        await expect(pane.locator(".badge")).to_have_text("live")
        during = [f"{'ERROR' if n % 10 == 0 else 'info'} during {n:03d}" for n in range(100)]
        log.append(*during)
        errors = [line for line in during if "ERROR" in line]
        await expect(rows(pane)).to_have_text(errors)
        # Only the matches came: the server counted the rest.
        await expect(part(pane, "skipped")).to_have_text("90 left out")
        await part(pane, "filter").fill("")
        assert "filter" not in await sockets.opened(3)
        await expect(pane.locator(".badge")).to_have_text("live")
        after = log.append_numbered("info after", 0, 5)
        await expect(rows(pane)).to_have_count(5 + 10 + 5)
        assert await downloaded_lines(page, pane) == before + errors + after


async def test_a_filter_the_server_refuses_is_applied_by_the_page_alone(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    async with running_server(tmp_path, {"app": log.path}) as server:
        sockets = Sockets(page)
        await page.goto(f"{server.base_url}/#open=app")
        pane = panes(page).first
        await expect(pane.locator(".badge")).to_have_text("live")
        await part(pane, "regex").check()
        # Valid in the browser; RE2 has no lookahead, so the server refuses it.
        await part(pane, "filter").fill("ERR(?=OR)")
        assert "filter=ERR" in await sockets.opened(2)
        await expect(pane.get_by_text("The server cannot apply this filter")).to_be_visible()
        assert "filter" not in await sockets.opened(3)
        await expect(pane.locator(".badge")).to_have_text("live")
        log.append("ERROR one", "info two", "ERROR three")
        await expect(log_rows(pane)).to_have_text(["ERROR one", "ERROR three"])


async def test_the_level_chips_are_pushed_down_as_levels(page: Page, tmp_path: Path) -> None:
    log = logs_in(tmp_path, "app")["app"]
    async with running_server(tmp_path, {"app": log.path}) as server:
        sockets = Sockets(page)
        await page.goto(f"{server.base_url}/#open=app")
        pane = panes(page).first
        log.append("12:00 INFO first")  # the chips show once a line has a level
        await expect(log_rows(pane)).to_have_text(["12:00 INFO first"])
        await pane.locator('.chip[data-level="error"]').click()
        assert "levels=error" in await sockets.opened(2)
        await expect(pane.locator(".badge")).to_have_text("live")
        log.append("12:00 INFO a", "12:00 ERROR b", "12:00 WARN c")
        await expect(part(pane, "skipped")).to_have_text("2 left out")
        await expect(log_rows(pane)).to_have_text(["12:00 ERROR b"])
