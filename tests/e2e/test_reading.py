"""Reading a pane: filtering, highlighting, colours, JSON, wrapping, and text that must stay
text."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.async_api import Page, expect

from tests.support.tails import running_server

from .ui import SESSION_LOOP, downloaded_lines, logs_in, open_from_list, rows

pytestmark = SESSION_LOOP


async def test_the_filter_hides_and_highlights_live_and_clearing_it_brings_everything_back(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app")
    logs["app"].append("INFO started", "ERROR disk full", "info ready", "WARN slow")
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await expect(rows(pane)).to_have_count(4)
        box = pane.get_by_label("Filter lines")

        await box.fill("info")
        await expect(rows(pane)).to_have_text(["INFO started", "info ready"])
        await expect(pane.locator(".rows .hl")).to_have_text(["INFO", "info"])
        logs["app"].append("INFO later", "DEBUG noise")
        await expect(rows(pane)).to_have_text(["INFO started", "info ready", "INFO later"])

        await pane.get_by_label("Match case").check()
        await expect(rows(pane)).to_have_text(["info ready"])
        await pane.get_by_label("Match case").uncheck()

        await pane.get_by_label("Invert").check()
        await expect(rows(pane)).to_have_text(["ERROR disk full", "WARN slow", "DEBUG noise"])
        await pane.get_by_label("Invert").uncheck()

        await pane.get_by_label("Regex").check()
        await box.fill("^(ERROR|WARN) ")
        await expect(rows(pane)).to_have_text(["ERROR disk full", "WARN slow"])
        await box.fill("(unclosed")
        await expect(box).to_have_attribute("aria-invalid", "true")
        await expect(rows(pane)).to_have_count(6)

        await box.fill("")
        await expect(rows(pane)).to_have_count(6)
        assert await downloaded_lines(page, pane) == logs["app"].written


async def test_markup_in_a_log_line_is_shown_literally_and_never_runs(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app")
    evil = "<img src=x onerror=alert(1)> <script>alert(2)</script> &amp;"
    logs["app"].append(evil, "\x1b[31m<b>red</b>\x1b[0m")
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await expect(rows(pane)).to_have_text([evil, "<b>red</b>"])
        assert await pane.locator(".rows img, .rows script, .rows b").count() == 0
        await pane.get_by_label("Filter lines").fill("onerror")
        await expect(rows(pane)).to_have_text([evil])
        await expect(pane.locator(".rows .hl")).to_have_text(["onerror"])
    # The page fixture fails the test if a dialog opened or a script error happened.


async def test_colours_json_and_wrapping_are_drawn_from_the_same_lines(
    page: Page, tmp_path: Path
) -> None:
    logs = logs_in(tmp_path, "app")
    record = {"id": 12345678901234567890, "msg": "hi", "tags": ["a", "b"], "empty": {}}
    long_line = "x" * 500
    logs["app"].append(
        "\x1b[1;31mERROR\x1b[0m \x1b[2mdim\x1b[0m \x1b[38;5;208morange\x1b[0m",
        json.dumps(record),
        long_line,
    )
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await expect(rows(pane)).to_have_count(3)
        first = rows(pane).first
        await expect(first).to_have_text("ERROR dim orange")
        await expect(first.locator("span.fg-1.b")).to_have_text("ERROR")
        await expect(first.locator("span.d")).to_have_text("dim")
        await expect(first.locator("span.fg-208")).to_have_text("orange")

        await pane.get_by_label("JSON").check()
        await expect(rows(pane)).to_have_count(1 + 9 + 1)
        await expect(rows(pane).nth(1)).to_have_text("{")
        await expect(rows(pane).nth(2)).to_have_text('  "id": 12345678901234567890,')

        await pane.get_by_label("JSON").uncheck()
        await pane.get_by_label("Wrap").check()
        await expect(rows(pane).last).not_to_have_text(long_line)  # drawn in the next frame
        texts = await rows(pane).all_inner_texts()
        assert len(texts) > 3
        assert "".join(texts[2:]) == long_line


async def test_wrapping_counts_wide_characters_as_two_columns(page: Page, tmp_path: Path) -> None:
    logs = logs_in(tmp_path, "app")
    ascii_line, cjk_line, emoji_line = "x" * 400, "中" * 200, "👩‍💻" * 100
    logs["app"].append(ascii_line, cjk_line, emoji_line)
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await expect(rows(pane)).to_have_count(3)
        await pane.get_by_label("Wrap").check()
        await expect(rows(pane).first).not_to_have_text(ascii_line)  # drawn in the next frame
        texts = await rows(pane).all_inner_texts()

    cols = len(texts[0])  # a full row of one-column characters
    ascii_rows = [t for t in texts if t.startswith("x")]
    cjk_rows = [t for t in texts if t.startswith("中")]
    emoji_rows = [t for t in texts if t.startswith("👩")]
    assert len(ascii_rows) + len(cjk_rows) + len(emoji_rows) == len(texts)
    assert "".join(ascii_rows) == ascii_line
    assert "".join(cjk_rows) == cjk_line
    assert "".join(emoji_rows) == emoji_line  # no sequence cut in two
    per_row = cols // 2  # wide characters a row holds
    assert [len(t) for t in cjk_rows[:-1]] == [per_row] * (len(cjk_rows) - 1)
    assert len(cjk_rows) == -(-200 // per_row)
    assert [len(t) // 3 for t in emoji_rows[:-1]] == [per_row] * (len(emoji_rows) - 1)
    assert len(emoji_rows) == -(-100 // per_row)
