"""The log viewer with sign-in on, in Chromium: who is signed in, signing out, and the
address (the open panes) kept across signing in again.

Uses the browser fixture of ``test_browser_sign_in.py`` and the app and provider of
``conftest.py``; skipped the same way when Chromium or Playwright is missing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.auth.provider import Provider

from .conftest import Serve
from .test_browser_sign_in import page, playwright_api, pytestmark

__all__ = ["page", "pytestmark"]

expect = playwright_api.expect


async def sign_in_at_provider(page: Any, name: str) -> None:
    await page.fill('input[name="login"]', name)
    await page.fill('input[name="password"]', "x")
    await page.click('button[type="submit"]')


def page_problems(page: Any) -> list[str]:
    """Errors the page throws and CSP violations, collected while the test runs."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return problems


def append(path: Path, *lines: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))


async def test_alice_sees_who_she_is_tails_a_log_and_signs_out(
    serve: Serve, page: Any, app_url: str, provider: Provider, logs: dict[str, Path]
) -> None:
    problems = page_problems(page)
    async with serve():
        await page.goto(f"{app_url}/")
        await sign_in_at_provider(page, "alice")
        await page.wait_for_url(f"{app_url}/")

        who = page.locator("header.top #who")
        await expect(who).to_have_text("Alice Example")
        await expect(who).to_have_attribute("title", re.compile(r"Groups: ops, staff"))
        sign_out = page.get_by_role("link", name="Sign out", exact=True)
        await expect(sign_out).to_be_visible()
        # Only the logs alice may tail are listed.
        await expect(page.locator("button.log")).to_have_count(2)

        await page.locator('button.log[data-log-id="ops"]').click()
        pane = page.locator("#panes > .pane").first
        await expect(pane.locator(".badge")).to_have_text("live")
        rows = pane.locator(".rows > .row:not([hidden])")
        await expect(rows).to_have_text(["ops one", "ops two"])
        append(logs["ops"], "ops three")
        await expect(rows).to_have_text(["ops one", "ops two", "ops three"])

        await sign_out.click()
        await page.wait_for_url(f"{app_url}/logout")
        await page.get_by_role("button", name="Sign out").click()
        # The provider asks whether to end its session too, then tailgate sends the
        # signed-out browser to sign in again: the provider's login form.
        await page.wait_for_url(f"{provider.issuer}/**")
        await page.click('button[autofocus], button[type="submit"]')
        await page.wait_for_url(f"{provider.issuer}/interaction/**")
        await expect(page.locator('input[name="login"]')).to_have_count(1)
        assert "tailgate_session" not in {c["name"] for c in await page.context.cookies(app_url)}
    assert problems == []


async def test_panes_signed_out_elsewhere_stay_and_signing_in_again_reopens_them(
    serve: Serve, page: Any, app_url: str, provider: Provider, logs: dict[str, Path]
) -> None:
    problems = page_problems(page)
    async with serve():
        await page.goto(f"{app_url}/")
        await sign_in_at_provider(page, "alice")
        await page.wait_for_url(f"{app_url}/")
        await page.goto(f"{app_url}/#open=ops,open")
        panes = page.locator("#panes > .pane")
        await expect(panes).to_have_count(2)
        await expect(panes.locator(".badge")).to_have_text(["live", "live"])

        # Signing out in another tab ends this page's tails (4401); the panes keep their
        # lines and each offers to sign in again, and so does the top bar.
        other = await page.context.new_page()
        await other.goto(f"{app_url}/logout")
        await other.get_by_role("button", name="Sign out").click()
        await other.wait_for_url(f"{provider.issuer}/**")
        await other.click('button[autofocus], button[type="submit"]')
        await other.wait_for_url(f"{provider.issuer}/interaction/**")
        await other.close()

        await expect(panes.locator(".badge")).to_have_text(["signed out", "signed out"])
        first = panes.first
        await expect(first.locator(".sentence")).to_contain_text("session has ended")
        await expect(first.locator(".rows > .row").first).to_have_text("ops one")
        await expect(page.locator("header.top #who")).to_have_text("Signed out")
        await expect(page.get_by_role("link", name="Sign out")).to_have_count(0)
        assert page.url == f"{app_url}/#open=ops,open"

        await first.get_by_role("link", name="Sign in again").click()
        await page.wait_for_url(f"{provider.issuer}/interaction/**")
        await sign_in_at_provider(page, "alice")
        await page.wait_for_url(f"{app_url}/#open=ops,open")
        await expect(panes).to_have_count(2)
        await expect(panes.locator(".badge")).to_have_text(["live", "live"])
        await expect(page.locator("header.top #who")).to_have_text("Alice Example")

        # Without tailgate's session but still known to the provider (a session that
        # expired), a deep link comes back through the redirects with no form to fill.
        await page.context.clear_cookies(name="tailgate_session")
        await page.goto("about:blank")  # else only the address's #fragment would change
        response = await page.goto(f"{app_url}/#open=open")
        assert response.request.redirected_from is not None  # by way of /login
        await page.wait_for_url(f"{app_url}/#open=open")
        await expect(panes).to_have_count(1)
        await expect(panes.locator(".badge")).to_have_text(["live"])
    assert problems == []
