"""The page served below a path (``--public-url http://127.0.0.1/logs``), as behind an
ingress path rule: it lists the logs, tails one live, and keeps its deep link."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Page, Request, WebSocket, expect

from tests.support.tails import running_server

from .ui import SESSION_LOOP, logs_in, open_from_list, panes, rows

pytestmark = SESSION_LOOP


async def test_below_a_path_the_page_lists_logs_and_tails_one_live(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app", "access")
    logs["app"].append("first line")
    paths = {k: f.path for k, f in logs.items()}
    async with running_server(tmp_path, paths, public_url="http://127.0.0.1/logs") as server:
        asked: list[str] = []

        def on_request(request: Request) -> None:
            asked.append(request.url)

        def on_websocket(ws: WebSocket) -> None:
            asked.append(ws.url)

        page.on("request", on_request)
        page.on("websocket", on_websocket)
        await page.goto(f"{server.base_url}/logs")
        assert page.url == f"{server.base_url}/logs/"
        items = page.locator("button.log")
        await expect(items).to_have_count(2)

        pane = await open_from_list(page, "app")
        await expect(rows(pane)).to_have_text(["first line"])
        logs["app"].append("second line")
        await expect(rows(pane)).to_have_text(["first line", "second line"])
        assert page.url == f"{server.base_url}/logs/#open=app"
        # The page, its files, the API and the tail: every address below the path.
        host = urlsplit(server.base_url).netloc
        assert all(urlsplit(url).netloc == host for url in asked), asked
        assert not [url for url in asked if not urlsplit(url).path.startswith("/logs")], asked
        assert f"{server.base_url}/logs/api/logs" in asked
        assert any(url.startswith(f"ws://{host}/logs/ws/tail/app") for url in asked), asked

        # The deep link opens the same pane in a fresh page, through the slashless path.
        await page.goto("about:blank")
        await page.goto(f"{server.base_url}/logs#open=access")
        assert page.url == f"{server.base_url}/logs/#open=access"
        await expect(panes(page)).to_have_count(1)
        await expect(panes(page).first.locator(".badge")).to_have_text("live")
        logs["access"].append("GET /")
        await expect(rows(panes(page).first)).to_have_text(["GET /"])
        await page.goto("about:blank")
