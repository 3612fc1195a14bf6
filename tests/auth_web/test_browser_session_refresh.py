"""In Chromium: a tail asked to reopen (1013) gets the refreshed cookie with its new handshake.

The design relies on the browser keeping a ``Set-Cookie`` of a WebSocket handshake's 101
response; this checks that a real browser does. Skipped the same way as the other
browser tests when Chromium or Playwright is missing.
"""

from __future__ import annotations

from typing import Any

from tests.auth.provider import Provider

from .conftest import Serve
from .test_browser_sign_in import page, pytestmark
from .test_session_refresh import REFRESH, new_user, session_of
from .test_ui_sign_in import sign_in_at_provider

__all__ = ["page", "pytestmark"]

#: Opens a tail from the page; resolves to its close code, or "hello" once it has begun.
OPEN_TAIL = """(log) => new Promise((resolve) => {
  const ws = new WebSocket(`ws://${location.host}/ws/tail/${log}`);
  ws.onmessage = (event) => {
    if (JSON.parse(event.data).type === "hello" && window.stopAtHello) {
      ws.close();
      resolve("hello");
    }
  };
  ws.onclose = (event) => resolve(event.code);
})"""


async def session_cookie(page: Any, app_url: str) -> str:
    cookies = {c["name"]: c["value"] for c in await page.context.cookies(app_url)}
    return str(cookies["tailgate_session"])


async def test_a_reopened_tail_refreshes_the_browsers_cookie(
    serve: Serve, page: Any, app_url: str, provider: Provider
) -> None:
    name = new_user(provider, ["ops"])
    async with serve(session_refresh=REFRESH):
        await page.goto(f"{app_url}/login?next=/api/me")
        await sign_in_at_provider(page, name)
        await page.wait_for_url(f"{app_url}/api/me")
        before = await session_cookie(page, app_url)

        page.set_default_timeout(15000)
        await page.evaluate("window.stopAtHello = false")
        assert await page.evaluate(OPEN_TAIL, "ops") == 1013
        await page.evaluate("window.stopAtHello = true")
        assert await page.evaluate(OPEN_TAIL, "ops") == "hello"

        after = await session_cookie(page, app_url)
        assert after != before
        assert session_of(after).refresh_token != session_of(before).refresh_token
        me = await page.evaluate("fetch('/api/me').then(r => r.status)")
        assert me == 200
    assert provider.user_state(name)["reuse_detected"] == 0
