"""Line levels in the page: rows coloured by level, the level chips that filter a pane,
and the volume chart (drawn by level; a click or the keyboard shows a second's lines)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Locator, Page, expect

from tests.k8s.conftest import NS, kube_server, objects, pod_catalog
from tests.kube.fake_api import FakeKubeAPI
from tests.support.tails import running_server

from .ui import SESSION_LOOP, button, logs_in, open_from_list, panes, rows

pytestmark = SESSION_LOOP

LINES = [
    "12:00:01 INFO ready",
    "12:00:02 ERROR disk <b>full</b>",
    '{"level":"warn","msg":"slow"}',
    "  at main.go:12",
    "E1201 12:00:03.000000 1 x.go:1] sync failed",
]

# The chart's pixels: how many are painted, and how many in a level's own colour.
PIXELS = """([canvas, level]) => {
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  const hex = getComputedStyle(canvas).getPropertyValue(`--lvl-${level}`).trim();
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let painted = 0, inColour = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) continue;
    painted++;
    if (data[i] === want[0] && data[i + 1] === want[1] && data[i + 2] === want[2]) inColour++;
  }
  return { painted, inColour };
}"""


async def colour_of(locator: Locator) -> str:
    value: str = await locator.evaluate("(el) => getComputedStyle(el).color")
    return value


async def level_colour(page: Page, level: str) -> str:
    """The page's colour for ``level`` as getComputedStyle writes colours (rgb(...))."""
    value: str = await page.evaluate(
        """(level) => {
          const probe = document.createElement("span");
          probe.style.color = `var(--lvl-${level})`;
          document.body.append(probe);
          const colour = getComputedStyle(probe).color;
          probe.remove();
          return colour;
        }""",
        level,
    )
    return value


def chip(pane: Locator, level: str) -> Locator:
    return pane.locator(f'.chip[data-level="{level}"]')


async def test_lines_are_coloured_by_the_level_the_server_found_and_stay_text(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    log.append(*LINES)
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(f"{server.base_url}/#open=app")
        pane = panes(page).first
        await expect(rows(pane)).to_have_text(LINES)
        shown = rows(pane)
        for i, level in enumerate(["info", "error", "warn", None, "error"]):
            row = shown.nth(i)
            if level is None:
                await expect(row).not_to_have_class(re.compile(r"lvl-"))
            else:
                await expect(row).to_have_class(re.compile(rf"\blvl-{level}\b"))
        assert await colour_of(shown.nth(1)) == await level_colour(page, "error")
        assert await colour_of(shown.nth(2)) == await level_colour(page, "warn")
        assert await colour_of(shown.nth(3)) != await level_colour(page, "error")
        await expect(shown.nth(1).locator("b")).to_have_count(0)


async def test_level_chips_count_the_lines_and_filter_the_pane_by_mouse_or_keyboard(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    log.append(*LINES)
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(f"{server.base_url}/#open=app")
        pane = panes(page).first
        await expect(rows(pane)).to_have_count(len(LINES))
        await expect(chip(pane, "error")).to_have_text("error2")
        await expect(chip(pane, "info")).to_have_text("info1")
        await expect(chip(pane, "all")).to_have_attribute("aria-pressed", "true")

        await chip(pane, "error").click()
        await expect(rows(pane)).to_have_text([LINES[1], LINES[4]])
        await expect(chip(pane, "error")).to_have_attribute("aria-pressed", "true")
        await expect(chip(pane, "all")).to_have_attribute("aria-pressed", "false")
        await expect(pane.locator(".stats")).to_have_text("2 of 5 held")

        await chip(pane, "warn").focus()
        await page.keyboard.press("Enter")
        await expect(rows(pane)).to_have_text([LINES[1], LINES[2], LINES[4]])
        log.append("12:00:04 ERROR again", "12:00:05 INFO fine")
        chosen = [LINES[1], LINES[2], LINES[4], "12:00:04 ERROR again"]
        await expect(rows(pane)).to_have_text(chosen)
        await expect(chip(pane, "error")).to_have_text("error3")

        await pane.get_by_label("Filter lines").fill("again")
        await expect(rows(pane)).to_have_text(["12:00:04 ERROR again"])
        await pane.get_by_label("Filter lines").fill("")

        await chip(pane, "all").focus()
        await page.keyboard.press("Space")
        await expect(rows(pane)).to_have_count(len(LINES) + 2)
        await expect(chip(pane, "error")).to_have_attribute("aria-pressed", "false")


async def test_a_log_without_levels_shows_no_chips_but_its_volume_chart(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    log.append("plain", "text")
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(f"{server.base_url}/#open=app")
        pane = panes(page).first
        await expect(rows(pane)).to_have_count(2)
        await expect(pane.locator(".chips")).to_be_hidden()
        await expect(pane.locator("canvas.volume")).to_be_visible()


async def test_the_volume_chart_draws_lines_by_level_and_v_hides_it_unless_keys_are_off(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    log.append(*[f"12:00 ERROR e{n}" for n in range(20)], *[f"12:00 INFO i{n}" for n in range(20)])
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(f"{server.base_url}/#open=app")
        pane = panes(page).first
        await expect(chip(pane, "info")).to_have_text("info20")
        canvas = pane.locator("canvas.volume")
        handle = await canvas.element_handle()
        for level in ["error", "info"]:
            await page.wait_for_function(
                f"(args) => ({PIXELS})(args).inColour > 0", arg=[handle, level]
            )
        assert (await page.evaluate(PIXELS, [handle, "warn"]))["inColour"] == 0

        await pane.locator(".pane-head").click()
        await page.keyboard.press("v")
        await expect(canvas).to_be_hidden()
        await expect(pane.get_by_label("Volume")).not_to_be_checked()
        await page.keyboard.press("v")
        await expect(canvas).to_be_visible()

        await page.locator("header.top #help").click()
        dialog = page.get_by_role("dialog")
        await dialog.get_by_label("Single-key shortcuts").uncheck()
        await button(dialog, "Close").click()
        await page.keyboard.press("v")
        await expect(pane.get_by_label("Volume")).to_be_checked()
        await expect(canvas).to_be_visible()


async def test_a_click_on_the_chart_or_enter_on_a_chosen_second_shows_its_first_line(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    start = datetime.now(UTC).replace(microsecond=0)
    await page.clock.set_fixed_time(start)
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(f"{server.base_url}/#open=app")
        pane = panes(page).first
        await expect(pane.locator(".badge")).to_have_text("live")
        early = log.append_numbered("early WARN", 0, 300)
        await expect(rows(pane).last).to_have_text(early[-1])
        await page.clock.set_fixed_time(start + timedelta(seconds=60))
        late = log.append_numbered("late INFO", 0, 300)
        await expect(rows(pane).last).to_have_text(late[-1])
        first_early = pane.locator(".row", has_text=re.compile(f"^{early[0]}$"))
        await expect(first_early).not_to_be_in_viewport()

        # 300 seconds across the chart, the newest at the right: "early" is 60 back.
        canvas = pane.locator("canvas.volume")
        box = await canvas.bounding_box()
        assert box is not None
        x = (300 - 60 - 0.5) * box["width"] / 300
        await canvas.click(position={"x": x, "y": box["height"] / 2})
        await expect(first_early).to_be_in_viewport()
        await expect(button(pane, "Jump to end")).to_be_visible()
        await expect(pane.locator(".row", has_text=late[-1])).not_to_be_in_viewport()

        await button(pane, "Jump to end").click()
        await expect(first_early).not_to_be_in_viewport()
        await canvas.focus()
        await page.keyboard.press("End")
        await page.keyboard.press("PageUp")
        await expect(canvas).to_have_attribute("title", re.compile(r": 300 lines \(warn 300\)$"))
        await page.keyboard.press("Enter")
        await expect(first_early).to_be_in_viewport()


async def test_pod_log_lines_through_the_api_server_are_coloured_and_chosen_by_level(
    page: Page, tmp_path: Path
) -> None:
    catalog = pod_catalog(api='pods: {namespace: shop, selector: "app=api", container: api}')
    async with FakeKubeAPI() as kube:
        kube.create(objects.pod("api-1", NS, labels={"app": "api"}, containers=["api"]))
        kube.append_log(NS, "api-1", "api", '{"level":"error","msg":"down"}', "level=info up")
        async with kube_server(kube, tmp_path, catalog=catalog) as server:
            await page.goto(server.base_url)
            pane = await open_from_list(page, "api")
            await expect(rows(pane)).to_have_count(2)
            await expect(rows(pane).first).to_have_class(re.compile(r"\blvl-error\b"))
            await expect(rows(pane).last).to_have_class(re.compile(r"\blvl-info\b"))
            await chip(pane, "info").click()
            await expect(rows(pane)).to_have_count(1)
            await expect(rows(pane).first).to_contain_text("level=info up")
