"""A log the user may not see stays unseen in the page's history features too: a link
to one of its lines and a search of it are refused by the server, and the pane shows
the refusal in the server's words (docs/ui.md, "The log's past").

Uses the browser fixture of ``test_browser_sign_in.py`` and the app and provider of
``conftest.py``; skipped the same way when Chromium or Playwright is missing.
"""

from __future__ import annotations

from typing import Any

from .conftest import Serve
from .test_browser_sign_in import page, playwright_api, pytestmark
from .test_ui_sign_in import page_problems, sign_in_at_provider

__all__ = ["page", "pytestmark"]

expect = playwright_api.expect

REFUSAL = """async (url) => {
  const answer = await fetch(url);
  return [answer.status, await answer.json()];
}"""


async def test_bob_following_a_link_into_a_log_of_ops_sees_it_refused(
    serve: Serve, page: Any, app_url: str
) -> None:
    problems = page_problems(page)
    async with serve():
        await page.goto(f"{app_url}/")
        await sign_in_at_provider(page, "bob")
        await page.wait_for_url(f"{app_url}/")
        await page.goto(f"{app_url}/#open=ops&at=f1.1.2.3.0a0b0c0d")
        pane = page.locator("#panes > .pane").first
        await expect(pane.locator(".badge")).to_have_text("forbidden")
        status, body = await page.evaluate(REFUSAL, "api/logs/ops/lines?before=f1.1.2.3.0a0b0c0d")
        assert status == 403
        assert body["error"] == "forbidden"
        history = pane.locator('[data-part="history-status"]')
        await expect(history).to_have_text(body["message"])
        await expect(history).to_have_class("history-status error")
        await expect(pane.locator(".rows > .row.marked")).to_have_count(0)

        await pane.get_by_role("button", name="Search history").click()
        box = pane.get_by_role("searchbox", name="Search the log's history")
        await box.fill("one")
        await box.press("Enter")
        found = pane.locator('[data-part="search-status"]')
        status, body = await page.evaluate(REFUSAL, "api/logs/ops/search?q=one")
        assert status == 403
        await expect(found).to_have_text(body["message"])
        await expect(pane.locator(".results button.result")).to_have_count(0)
    assert problems == []
