"""End-to-end tests: the real page in Debian's Chromium, driven by Playwright, against the
real app on a free port. Skipped as a whole when /usr/bin/chromium is missing
(tests/setup.d/40-chromium.sh installs it).

One browser serves the whole run (starting it costs about a second); each test gets a
fresh browser context, so no cookies, storage or pages leak between tests. Tests and
fixtures here therefore share the session's event loop: each test module says so with
``pytestmark = SESSION_LOOP`` (from ui.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, ConsoleMessage, Dialog, Page, async_playwright

from tests.conftest import fail_on_tasks_left

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out into a closed network.
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: run tests/setup.d/40-chromium.sh")
    for item in items:
        if here in Path(str(item.path)).parents and not CHROMIUM.exists():
            item.add_marker(skip)


@pytest_asyncio.fixture(autouse=True, loop_scope="session")
async def no_leaked_tasks() -> AsyncIterator[None]:
    """The guard of tests/conftest.py, in the session's one event loop."""
    before = set(asyncio.all_tasks())
    yield
    await fail_on_tasks_left(before)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


class PageProblems:
    """What the page must never do: throw, break its CSP, or open a dialog."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(5000)
    page = await context.new_page()
    problems = PageProblems()

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            problems.errors.append(message.text)

    async def on_dialog(dialog: Dialog) -> None:
        problems.dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("pageerror", lambda error: problems.errors.append(str(error)))
    page.on("console", on_console)
    page.on("dialog", on_dialog)
    try:
        yield page
    finally:
        await context.close()
    assert problems.errors == [], problems.errors
    assert problems.dialogs == [], problems.dialogs
