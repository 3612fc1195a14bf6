"""What the tests do with the page and with log files, in the words of the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect

# The browser is shared by the whole run (conftest.py), so every test runs in one loop.
SESSION_LOOP = pytest.mark.asyncio(loop_scope="session")


class LogFile:
    """A log file the test writes to, the way an application appends to its log."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.written: list[str] = []
        path.touch()

    def append(self, *lines: str) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
        self.written.extend(lines)

    def append_numbered(self, prefix: str, start: int, stop: int) -> list[str]:
        lines = [f"{prefix} {n:06d}" for n in range(start, stop)]
        self.append(*lines)
        return lines


def logs_in(tmp_path: Path, *names: str) -> dict[str, LogFile]:
    folder = tmp_path / "logs"
    folder.mkdir(exist_ok=True)
    return {name: LogFile(folder / f"{name}.log") for name in names}


def active_tails(server: Any, log_id: str) -> float:
    """The server's count of open tails on a file log (``tailgate_active_tails``)."""
    value: float = server.metric("tailgate_active_tails", log_id=log_id, kind="file")
    return value


def panes(page: Page) -> Locator:
    return page.locator("#panes > .pane")


def button(pane: Locator, name: str) -> Locator:
    return pane.get_by_role("button", name=name, exact=True)


def rows(pane: Locator) -> Locator:
    """The rows in sight (the view draws only those)."""
    return pane.locator(".rows > .row:not([hidden])")


async def open_from_list(page: Page, log_id: str) -> Locator:
    count = await panes(page).count()
    await page.locator(f'button.log[data-log-id="{log_id}"]').click()
    await expect(panes(page)).to_have_count(count + 1)
    pane = panes(page).nth(count)
    await expect(pane.locator(".badge")).to_have_text("live")
    return pane


async def download_text(page: Page, pane: Locator) -> str:
    async with page.expect_download() as info:
        await button(pane, "Download").click()
    download = await info.value
    path = await download.path()
    return Path(path).read_text(encoding="utf-8")


async def downloaded_lines(page: Page, pane: Locator) -> list[str]:
    return (await download_text(page, pane)).splitlines()
