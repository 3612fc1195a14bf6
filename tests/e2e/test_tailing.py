"""Opening logs in panes, and what each pane does with its own tail."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, expect

from tests.support.tails import open_paths, running_server, wait_for

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


async def test_a_log_opened_from_the_list_shows_its_lines_and_then_new_ones(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app", "access")
    logs["app"].append("first line", "second line")
    async with running_server(tmp_path, {k: f.path for k, f in logs.items()}) as server:
        await page.goto(server.base_url)
        items = page.locator("button.log")
        await expect(items).to_have_count(2)
        await expect(items.first).to_contain_text("app")
        await expect(items.first).to_contain_text("file")

        await page.get_by_label("Search logs").fill("acc")
        await expect(items).to_have_count(1)
        await page.get_by_label("Search logs").fill("")

        pane = await open_from_list(page, "app")
        await expect(rows(pane)).to_have_text(["first line", "second line"])
        logs["app"].append("third line")
        await expect(rows(pane)).to_have_text(["first line", "second line", "third line"])
        assert page.url.endswith("#open=app")


async def test_panes_on_the_same_log_and_on_different_logs_are_independent(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app", "access")
    async with running_server(tmp_path, {k: f.path for k, f in logs.items()}) as server:
        await page.goto(server.base_url)
        first = await open_from_list(page, "app")
        second = await open_from_list(page, "app")
        other = await open_from_list(page, "access")
        await wait_for(lambda: active_tails(server, "app") == 2)
        assert page.url.endswith("#open=app,app,access")

        await second.get_by_label("Filter lines").fill("odd")
        await button(first, "Pause").click()
        logs["app"].append("even 0", "odd 1")
        logs["access"].append("GET /")
        await expect(rows(second)).to_have_text(["odd 1"])
        await expect(rows(other)).to_have_text(["GET /"])
        await expect(first.locator(".held")).to_have_text("2 new lines")
        await expect(rows(first)).to_have_count(0)

        await button(second, "Stop").click()
        await expect(second.locator(".badge")).to_have_text("ended")
        await wait_for(lambda: active_tails(server, "app") == 1)
        logs["app"].append("even 2")
        await button(first, "Resume").click()
        await expect(rows(first)).to_have_text(["even 0", "odd 1", "even 2"])
        await expect(rows(second)).to_have_text(["odd 1", "Stopped."])
        await expect(other.locator(".badge")).to_have_text("live")

        await button(first, "Close pane").click()
        await expect(panes(page)).to_have_count(2)
        assert page.url.endswith("#open=app,access")


async def test_stop_ends_the_tail_on_the_server_and_releases_the_file(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app")
    logs["app"].append("before stop")
    path = str(logs["app"].path)
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await wait_for(lambda: active_tails(server, "app") == 1)
        assert path in open_paths()

        await button(pane, "Stop").click()
        await expect(pane.locator(".badge")).to_have_text("ended")
        await wait_for(lambda: active_tails(server, "app") == 0)
        await wait_for(lambda: path not in open_paths())
        await expect(button(pane, "Start")).to_be_enabled()

        logs["app"].append("while stopped")
        await button(pane, "Start").click()
        await expect(pane.locator(".badge")).to_have_text("live")
        await expect(rows(pane).last).to_have_text("while stopped")
        assert await downloaded_lines(page, pane) == ["before stop", "while stopped"]


async def test_pause_counts_new_lines_and_resume_catches_up_with_every_one(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app")
    logs["app"].append_numbered("line", 0, 5)
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await expect(rows(pane)).to_have_count(5)

        await button(pane, "Pause").click()
        await expect(pane.locator(".badge")).to_have_text("paused")
        logs["app"].append_numbered("line", 5, 30)
        await expect(pane.locator(".held")).to_have_text("25 new lines")
        await expect(rows(pane)).to_have_count(5)

        await button(pane, "Resume").click()
        await expect(pane.locator(".badge")).to_have_text("live")
        await expect(pane.locator(".held")).to_be_hidden()
        await expect(rows(pane).last).to_have_text("line 000029")
        assert await downloaded_lines(page, pane) == logs["app"].written


async def test_a_long_pause_pauses_the_server_until_resume(page: Page, tmp_path: Path) -> None:
    logs = logs_in(tmp_path, "app")
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await button(pane, "Pause").click()
        logs["app"].append_numbered("line", 0, 12000)
        held = pane.locator(".held")
        await expect(held).to_contain_text("more waiting on the server")
        sent = server.metric("tailgate_sent_lines_total", log_id="app")
        assert sent >= 10000
        logs["app"].append_numbered("line", 12000, 12100)
        await page.wait_for_timeout(300)  # nothing to await: the server must stay quiet
        assert server.metric("tailgate_sent_lines_total", log_id="app") == sent

        await button(pane, "Resume").click()
        await expect(rows(pane).last).to_have_text("line 012099")
        assert await downloaded_lines(page, pane) == logs["app"].written
