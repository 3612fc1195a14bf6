"""The top bar's account corner: who is signed in, and where the page goes when nobody is.

These run with sign-in off (the real sign-in is driven in ``tests/auth_web``); a 401 from
the API is played by the browser's own request routing, which is enough to check where
the page sends the browser and that it never loops.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page, Route, expect

from tests.support.tails import running_server

from .ui import SESSION_LOOP, logs_in

pytestmark = SESSION_LOOP

LOGIN = re.compile(r"/login\?next=")
NOT_SIGNED_IN = '{"error": "not_signed_in", "message": "You are not signed in."}'


async def test_without_sign_in_the_top_bar_says_sign_in_is_off(page: Page, tmp_path: Path) -> None:
    logs = logs_in(tmp_path, "app")
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(server.base_url)
        who = page.locator("header.top #who")
        await expect(who).to_have_text("sign-in off (local)")
        await expect(who).to_have_attribute("title", re.compile("--auth none"))
        await expect(page.get_by_role("link", name="Sign out")).to_have_count(0)
        await expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
        await expect(page.get_by_role("link", name="Sign in again")).to_have_count(0)
        await expect(page.locator("button.log")).to_have_count(1)


async def test_a_401_sends_the_browser_to_sign_in_with_the_address_kept_and_never_loops(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app")
    sign_ins: list[str] = []

    async def refuse(route: Route) -> None:
        await route.fulfill(status=401, content_type="application/json", body=NOT_SIGNED_IN)

    async def sign_in_page(route: Route) -> None:
        sign_ins.append(route.request.url)
        await route.fulfill(status=200, content_type="text/html", body="<p>provider</p>")

    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.route("**/api/me", refuse)
        await page.route(LOGIN, sign_in_page)
        await page.goto(f"{server.base_url}/#open=app,app")
        await page.wait_for_url(LOGIN)
        assert sign_ins == [f"{server.base_url}/login?next=%2F%23open%3Dapp%2Capp"]

        # Still refused right after signing in (say, the browser dropped the cookie): the
        # page stops and offers the link rather than bouncing back and forth.
        await page.goto(f"{server.base_url}/#open=app")
        again = page.locator("header.top").get_by_role("link", name="Sign in again")
        await expect(again).to_be_visible()
        await expect(page.locator("#who")).to_have_text("Signed out")
        await expect(page.locator("#panes > .pane")).to_have_count(0)
        assert len(sign_ins) == 1
        await again.click()
        await page.wait_for_url(LOGIN)
        assert sign_ins[-1] == f"{server.base_url}/login?next=%2F%23open%3Dapp"
