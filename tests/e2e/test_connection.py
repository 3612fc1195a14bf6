"""How a pane's connection lives: restarts, deep links, and the ways a tail can end."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, expect

from tests.support.tails import catalog_yaml, running_server, wait_for

from .servers import restartable_server
from .ui import (
    SESSION_LOOP,
    active_tails,
    button,
    downloaded_lines,
    logs_in,
    open_from_list,
    panes,
    rows,
)

pytestmark = SESSION_LOOP


async def test_a_pane_reconnects_after_a_server_restart_with_no_line_lost_or_repeated(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app")
    logs["app"].append_numbered("line", 0, 10)
    async with restartable_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await expect(rows(pane).last).to_have_text("line 000009")

        await server.stop()
        await expect(pane.locator(".badge")).to_have_text("reconnecting")
        logs["app"].append_numbered("line", 10, 25)  # written while the server is down
        await server.start()
        await expect(pane.locator(".badge")).to_have_text("live", timeout=10000)
        logs["app"].append_numbered("line", 25, 30)
        await expect(pane.locator(".rows")).to_contain_text("line 000029")
        assert await downloaded_lines(page, pane) == logs["app"].written
        await expect(pane.locator(".row.remark")).to_contain_text(
            ["The server is shutting down or restarting.", "Reconnected"]
        )


async def test_the_address_names_the_open_panes_and_reloading_restores_them(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app", "access")
    logs["app"].append("from app")
    logs["access"].append("from access")
    async with running_server(tmp_path, {k: f.path for k, f in logs.items()}) as server:
        await page.goto(f"{server.base_url}/#open=app,access")
        await expect(panes(page)).to_have_count(2)
        await expect(rows(panes(page).nth(0))).to_have_text(["from app"])
        await expect(rows(panes(page).nth(1))).to_have_text(["from access"])
        await expect(panes(page).nth(0).locator(".pane-title")).to_contain_text("app")

        await open_from_list(page, "app")
        assert page.url.endswith("#open=app,access,app")
        await page.reload()
        await expect(panes(page)).to_have_count(3)
        await expect(panes(page).locator(".badge")).to_have_text(["live", "live", "live"])

        await page.evaluate("location.hash = '#open=access'")
        await expect(panes(page)).to_have_count(1)
        await expect(rows(panes(page).first)).to_have_text(["from access"])
        await wait_for(lambda: active_tails(server, "app") == 0)


async def test_an_unknown_log_says_so_and_is_not_retried(page: Page, tmp_path: Path) -> None:
    logs = logs_in(tmp_path, "app")
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(f"{server.base_url}/#open=nope")
        pane = panes(page).first
        await expect(pane.locator(".badge")).to_have_text("unknown log")
        await expect(pane.locator(".sentence")).to_have_text(
            "There is no log with this ID: it may have been removed from the catalog. "
            "(there is no log with ID 'nope')"
        )
        await expect(button(pane, "Start")).to_be_enabled()
        assert server.metric("tailgate_ws_rejections_total", reason="unknown_log") == 1


async def test_notices_appear_between_the_lines_and_a_removed_log_ends_its_pane(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app", "access")
    logs["app"].append("old content")
    async with running_server(tmp_path, {k: f.path for k, f in logs.items()}) as server:
        await page.goto(f"{server.base_url}/#open=app")
        pane = panes(page).first
        await expect(rows(pane)).to_have_text(["old content"])

        logs["app"].path.write_text("new\n")  # rewritten in place: the tail starts over
        await expect(pane.locator(".row.notice")).to_contain_text("[truncated]")
        await expect(rows(pane).last).to_have_text("new")

        server.catalog_path.write_text(catalog_yaml({"access": logs["access"].path}))
        await expect(pane.locator(".badge")).to_have_text("ended", timeout=10000)
        await expect(pane.locator(".sentence")).to_contain_text(
            "This log was removed from the catalog or now names another source"
        )
