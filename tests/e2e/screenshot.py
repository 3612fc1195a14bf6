"""Draws docs/screenshot-three-panes.png: the page with three demo logs side by side.

Run from the project folder: ``.venv/bin/python -m tests.e2e.screenshot``. The lines come
from the demo's own line makers (tailgate.demo) with fixed seeds, so the picture only
changes when the page or the demo does.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright, expect

from tailgate import demo
from tests.support.tails import running_server

from .conftest import CHROMIUM, CHROMIUM_ARGS
from .ui import panes

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-three-panes.png"


def write_demo_logs(folder: Path) -> dict[str, Path]:
    makers = {"app": demo.app_line, "access": demo.access_line, "colors": demo.colour_line}
    paths = {}
    for log_id, make in makers.items():
        rng = random.Random(log_id)
        path = folder / f"{log_id}.log"
        path.write_text("".join(make(rng) + "\n" for _ in range(120)))
        paths[log_id] = path
    return paths


CATALOG = """logs:
  - id: app
    title: Application log
    file: {app}
  - id: access
    title: Access log
    file: {access}
  - id: colors
    title: ANSI colours and JSON lines
    file: {colors}
  - id: rotating
    title: Rotated every minute
    file: {app}
"""


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_demo_logs(folder)
        async with (
            running_server(folder, CATALOG.format(**paths)) as server,
            async_playwright() as playwright,
        ):
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            page = await browser.new_page(
                viewport={"width": 1680, "height": 860}, color_scheme="light"
            )
            await page.goto(f"{server.base_url}/#open=app,access,colors")
            await expect(panes(page).locator(".badge")).to_have_text(["live"] * 3)
            app, access, colors = (panes(page).nth(i) for i in range(3))
            await app.get_by_label("Regex").check()
            await app.get_by_label("Filter lines").fill("WARN|ERROR")
            await access.get_by_label("Filter lines").fill("/api/orders")
            await colors.get_by_label("JSON").check()
            await colors.click(position={"x": 200, "y": 10})
            await page.wait_for_timeout(300)  # let the last frame draw
            await page.screenshot(path=str(OUTPUT))
            await browser.close()
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    asyncio.run(main())
