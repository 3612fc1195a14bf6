"""A real browser signs in and out: redirects, cookies and the page's CSP as Chromium sees them.

Skipped when Chromium or Playwright is missing (tests/setup.d/40-chromium.sh installs
them). Only the sign-in pages and ``/api/me`` are looked at, not the log viewer's UI.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.auth.provider import Provider

from .conftest import Serve

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")


@pytest.fixture
async def page() -> AsyncIterator[Any]:
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context()
            context.set_default_timeout(5000)
            yield await context.new_page()
        finally:
            await browser.close()


async def test_a_browser_signs_in_at_the_provider_and_out_again(
    serve: Serve, page: Any, app_url: str, provider: Provider
) -> None:
    async with serve():
        await page.goto(f"{app_url}/")
        # Sent to sign in, on to the provider's login form.
        assert page.url.startswith(f"{provider.issuer}/interaction/")
        await page.fill('input[name="login"]', "alice")
        await page.fill('input[name="password"]', "x")
        await page.click('button[type="submit"]')
        await page.wait_for_url(f"{app_url}/")

        me = await page.evaluate("fetch('/api/me').then(r => r.json())")
        assert (me["user"], me["groups"]) == ("alice", ["ops", "staff"])
        cookies = {c["name"]: c for c in await page.context.cookies(app_url)}
        assert cookies["tailgate_session"]["httpOnly"] is True
        assert cookies["tailgate_session"]["sameSite"] == "Lax"
        assert "tailgate_login" not in cookies
        assert await page.evaluate("document.cookie") == ""

        await page.goto(f"{app_url}/logout")
        await page.click('button[type="submit"]')
        # The provider asks whether to end its session too.
        await page.wait_for_url(f"{provider.issuer}/**")
        await page.click('button[autofocus], button[type="submit"]')
        # Back at tailgate, which sends the signed-out browser to sign in again.
        await page.wait_for_url(f"{provider.issuer}/interaction/**")
        assert await page.locator('input[name="login"]').count() == 1
        assert "tailgate_session" not in {c["name"] for c in await page.context.cookies(app_url)}
