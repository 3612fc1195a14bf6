"""A pane's way into the past: older lines loaded above the first one held, across a
rotation, without a line twice or missing; the search panel and "Show in context"; Jump
to time; links to a line; and refusals shown in the pane."""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path

from playwright.async_api import Locator, Page, Route, expect

from tests.k8s.conftest import NS, kube_server, objects, pod_catalog
from tests.kube import workloads
from tests.kube.event_views import event_v1
from tests.kube.fake_api import FakeKubeAPI
from tests.support.tails import running_server

from .ui import SESSION_LOOP, button, downloaded_lines, logs_in, open_from_list, panes, rows

pytestmark = SESSION_LOOP

# The text of the row at the top edge of a pane's viewport.
TOP_ROW = """(viewport) => {
  const box = viewport.getBoundingClientRect();
  const el = document.elementFromPoint(box.left + 20, box.top + 4);
  const row = el && el.closest(".row");
  return row ? row.textContent : null;
}"""


def status(pane: Locator) -> Locator:
    return pane.locator('[data-part="history-status"]')


async def test_load_older_reads_back_across_a_rotation_to_the_start_with_nothing_twice(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    rotated = log.path.with_name("app.log.1")
    old = [f"old {n:06d}" for n in range(700)]
    rotated.write_text("".join(line + "\n" for line in old))
    new = log.append_numbered("new", 0, 150)
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await expect(pane.locator(".stats")).to_have_text("100 held")
        await button(pane, "Load older").click()
        await expect(status(pane)).to_have_text("Loaded 500 older lines.")
        live = log.append_numbered("live", 0, 3)
        await expect(pane.locator(".stats")).to_have_text("603 held")
        await button(pane, "Load older").click()
        await expect(status(pane)).to_have_text("Loaded 250 older lines.")
        await button(pane, "Load older").click()
        await expect(status(pane)).to_have_text("This is the log's start: there is nothing older.")
        await button(pane, "Load older").click()
        await expect(status(pane)).to_have_text("This is the log's start: there is nothing older.")
        assert await downloaded_lines(page, pane) == old + new + live


async def test_scrolling_to_the_top_loads_older_lines_and_keeps_the_rows_in_sight_still(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    lines = log.append_numbered("line", 0, 1000)
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await expect(rows(pane).last).to_have_text(lines[-1])
        viewport = pane.locator('[data-part="viewport"]')
        await viewport.evaluate("(el) => { el.scrollTop = 0; }")
        await expect(status(pane)).to_have_text("Loaded 500 older lines.")
        assert await viewport.evaluate("(el) => el.scrollTop") > 0
        assert await viewport.evaluate(TOP_ROW) == lines[900]
        await expect(pane.locator(".stats")).to_have_text("600 held")


def search_panel(pane: Locator) -> Locator:
    return pane.get_by_role("region", name="Search the log's history")


async def search(pane: Locator, query: str, *, regex: bool = False) -> Locator:
    """Opens the pane's search panel, searches, and returns the list of matches."""
    if not await search_panel(pane).is_visible():
        await button(pane, "Search history").click()
    panel = search_panel(pane)
    await panel.get_by_label("RE2 pattern").set_checked(regex)
    box = panel.get_by_role("searchbox", name="Search the log's history")
    await box.fill(query)
    await box.press("Enter")
    return panel.locator(".results button.result")


async def test_search_streams_matches_newest_first_and_more_goes_on_further_back(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    rotated = log.path.with_name("app.log.1")
    rotated.write_text("".join(f"disk full {n:03d}\nok {n:03d}\n" for n in range(120)))
    log.append("disk full <b>now</b>", "ok")
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        results = await search(pane, "DISK FULL")
        panel = search_panel(pane)
        await expect(results).to_have_count(100)
        await expect(results.first.locator(".text")).to_have_text("disk full <b>now</b>")
        await expect(results.first.locator("b")).to_have_count(0)
        await expect(results.nth(1).locator(".where")).to_have_text("app.log.1")
        await expect(results.nth(1).locator(".text")).to_have_text("disk full 119")
        await expect(panel.locator(".search-status")).to_have_text(
            "100 matches, newest first. More further back."
        )
        await panel.get_by_role("button", name="More").click()
        await expect(results).to_have_count(121)
        await expect(results.last.locator(".text")).to_have_text("disk full 000")
        await expect(panel.locator(".search-status")).to_have_text(
            "121 matches, newest first. Searched back to the log's start."
        )
        await expect(panel.get_by_role("button", name="More")).to_be_hidden()

        await panel.get_by_label("Exact case").check()
        results = await search(pane, "DISK FULL")
        await expect(panel.locator(".search-status")).to_have_text(
            "0 matches, newest first. Searched back to the log's start."
        )
        await expect(results).to_have_count(0)


async def test_a_bad_regex_shows_the_servers_reason_and_the_pane_goes_on(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    log.append("one")
    async with running_server(tmp_path, {"app": log.path}) as server:
        answer = await server.session.get(f"{server.base_url}/api/logs/app/search?q=(a&regex=1")
        refusal = await answer.json()
        assert answer.status == 400
        assert refusal["error"] == "bad_regex"
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        results = await search(pane, "(a", regex=True)
        status = search_panel(pane).locator(".search-status")
        await expect(status).to_have_text(refusal["message"])
        await expect(status).to_have_class("search-status error")
        await expect(results).to_have_count(0)
        log.append("two")
        await expect(rows(pane)).to_have_text(["one", "two"])


async def test_show_in_context_opens_the_log_at_the_match_and_the_tail_goes_on_after_it(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    rotated = log.path.with_name("app.log.1")
    old = [f"old {n:06d}" for n in range(600)]
    old[350] = "old 000350 panic: the needle"
    rotated.write_text("".join(line + "\n" for line in old))
    new = log.append_numbered("new", 0, 50)
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        results = await search(pane, "needle")
        await expect(results).to_have_count(1)
        await results.first.click()
        marked = pane.locator(".rows > .row.marked")
        await expect(marked).to_have_text(old[350])
        await expect(status(pane)).to_have_text(
            "Showing the line in context; the tail goes on after it."
        )
        # The 500 lines, and the notice that the tail crossed into the current file.
        await expect(pane.locator(".stats")).to_have_text("501 held")
        after = log.append_numbered("after", 0, 2)
        await expect(pane.locator(".stats")).to_have_text("503 held")
        assert await downloaded_lines(page, pane) == (old + new + after)[150:]
        # Older lines go on from the context's first line.
        await button(pane, "Load older").click()
        await expect(status(pane)).to_have_text("Loaded 150 older lines.")


async def local_input(page: Page, iso: str) -> str:
    """How a datetime-local field holds the instant ``iso`` in the page's time zone."""
    value: str = await page.evaluate(
        """(iso) => {
          const d = new Date(iso), p = (n) => String(n).padStart(2, "0");
          return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T`
            + `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
        }""",
        iso,
    )
    return value


async def test_jump_to_time_starts_the_pane_at_the_first_line_stamped_then(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    stamped = [f"2026-12-01T10:{m:02d}:00Z line {m}" for m in range(60)]
    log.append(*stamped)
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await expect(pane.locator(".stats")).to_have_text("60 held")
        field = pane.get_by_label("Jump to time (local time)")
        await field.fill(await local_input(page, "2026-12-01T10:30:00Z"))
        await field.press("Enter")
        await expect(pane.locator(".stats")).to_have_text("30 held")
        await expect(rows(pane).first).to_have_text(stamped[30])
        assert await downloaded_lines(page, pane) == stamped[30:]
        await button(pane, "Load older").click()
        await expect(status(pane)).to_have_text("Loaded 30 older lines.")
        assert await downloaded_lines(page, pane) == stamped


async def test_jump_to_time_in_a_log_without_timestamps_says_why_and_the_tail_goes_on(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    log.append("plain one", "plain two")
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        field = pane.get_by_label("Jump to time (local time)")
        await button(pane, "Go").click()
        await expect(status(pane)).to_have_text("Choose a date and a time to jump to.")
        await field.fill(await local_input(page, "2026-12-01T10:30:00Z"))
        await button(pane, "Go").click()
        await expect(status(pane)).to_have_text(re.compile(r"^Cannot start at that time: .+"))
        await expect(status(pane)).to_have_class("history-status error")
        await expect(pane.locator(".rows > .row.error")).to_contain_text("[no_timestamps]")
        log.append("plain three")
        await expect(rows(pane).last).to_have_text("plain three")


# A browser whose clipboard refuses the page, as one does for a denied permission.
REFUSING_CLIPBOARD = """
if (navigator.clipboard) navigator.clipboard.writeText = () => Promise.reject(new Error("no"));
"""
LINK = re.compile(r"#open=app&at=f1\.[0-9a-f.]+&back=(\d+)$")


async def test_copy_link_copies_an_address_that_opens_the_log_at_that_line(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    lines = log.append_numbered("line", 0, 10)
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.context.grant_permissions(
            ["clipboard-read", "clipboard-write"], origin=server.base_url
        )
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await rows(pane).nth(5).click()
        await expect(pane.locator(".rows > .row.marked")).to_have_text(lines[5])
        await button(pane, "Copy link").click()
        await expect(status(pane)).to_have_text("Link to the line copied.")
        link = await page.evaluate("navigator.clipboard.readText()")
        found = LINK.search(link)
        assert found is not None, link
        assert found.group(1) == "4"
        later = log.append_numbered("later", 0, 2)

        await page.goto("about:blank")
        await page.goto(link)
        pane = panes(page).first
        await expect(pane.locator(".rows > .row.marked")).to_have_text(lines[5])
        await expect(page).to_have_url(f"{server.base_url}/#open=app")
        await expect(pane.locator(".stats")).to_have_text("12 held")
        assert await downloaded_lines(page, pane) == lines + later


async def test_a_link_the_clipboard_refuses_is_shown_to_copy_by_hand(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    lines = log.append_numbered("line", 0, 3)
    await page.add_init_script(REFUSING_CLIPBOARD)
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await expect(rows(pane)).to_have_text(lines)
        # Nothing marked: the link names the first line in sight.
        await page.keyboard.press("l")
        await expect(status(pane)).to_have_text(
            "The browser did not let the page copy: copy the link below."
        )
        field = pane.get_by_label("Link to the line", exact=True)
        await expect(field).to_be_visible()
        await expect(field).to_be_focused()
        await expect(field).to_have_value(LINK)
        link = await field.input_value()
        assert link.endswith("&back=2")
        await page.goto("about:blank")
        await page.goto(link)
        await expect(panes(page).first.locator(".rows > .row.marked")).to_have_text(lines[0])


async def test_a_link_to_a_line_that_is_gone_says_so(page: Page, tmp_path: Path) -> None:
    log = logs_in(tmp_path, "app")["app"]
    log.append("one")
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.goto(f"{server.base_url}/#open=app&at=f1.1.2.3.deadbeef")
        pane = panes(page).first
        await expect(status(pane)).to_have_text(re.compile(r"no longer among the log's files"))
        await expect(status(pane)).to_have_class("history-status error")
        await expect(pane.locator(".rows > .row.marked")).to_have_count(0)
        # The tail says it could not start there and goes on with the log's last lines.
        await expect(pane.locator(".rows > .row.notice")).to_contain_text("[gap]")
        await expect(rows(pane).last).to_have_text("one")


async def test_load_older_reads_a_pod_log_back_from_the_api_server(
    page: Page, tmp_path: Path
) -> None:
    async with FakeKubeAPI() as kube:
        kube.create(objects.pod("web", NS, containers=["app"]))
        lines = [f"pod line {n:03d}" for n in range(250)]
        start = 1_700_000_000_000_000_000
        for n, line in enumerate(lines):
            kube.append_log(NS, "web", "app", line, at=start + n * 1_000_000)
        catalog = pod_catalog(web=f"pod: {{namespace: {NS}, name: web}}")
        async with kube_server(kube, tmp_path, catalog=catalog) as server:
            await page.goto(server.base_url)
            pane = await open_from_list(page, "web")
            await expect(pane.locator(".stats")).to_have_text("100 held")
            await button(pane, "Load older").click()
            await expect(status(pane)).to_have_text("Loaded 150 older lines.")
            await button(pane, "Load older").click()
            await expect(status(pane)).to_have_text(
                "This is the log's start: there is nothing older."
            )
            saved = await downloaded_lines(page, pane)
            # Lines read back carry no timestamp; the tail's start with theirs.
            assert saved[:150] == lines[:150]
            assert [line.split(" ", 1)[1] for line in saved[150:]] == lines[150:]


async def test_a_changed_query_or_a_closed_pane_aborts_the_search_in_flight(
    page: Page, tmp_path: Path
) -> None:
    log = logs_in(tmp_path, "app")["app"]
    log.append("one")
    held: list[Route] = []
    aborted: asyncio.Queue[str] = asyncio.Queue()
    done = asyncio.Event()

    async def hold(route: Route) -> None:
        held.append(route)  # not answered while the test runs: the search stays in flight
        await done.wait()
        with contextlib.suppress(Exception):
            await route.abort()

    page.on("requestfailed", lambda request: aborted.put_nowait(request.url))
    async with running_server(tmp_path, {"app": log.path}) as server:
        await page.route("**/api/logs/app/search?**", hold)
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await search(pane, "first")
        panel = search_panel(pane)
        await expect(panel.locator(".search-status")).to_have_text("Searching…")
        await panel.get_by_role("searchbox", name="Search the log's history").fill("second")
        assert "q=first" in await asyncio.wait_for(aborted.get(), 5)
        await expect(panel.locator(".search-status")).to_have_text(
            "The query changed: press Enter to search again."
        )
        await search(pane, "third")
        await expect(panel.get_by_role("button", name="Cancel")).to_be_enabled()
        await button(pane, "Close pane").click()
        assert "q=third" in await asyncio.wait_for(aborted.get(), 5)
        assert len(held) == 2
        done.set()
        await page.unroute_all(behavior="wait")


async def test_an_events_log_offers_no_history_to_read_back_search_or_start_at_a_time(
    page: Page, tmp_path: Path
) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    async with FakeKubeAPI() as kube:
        web = kube.create(workloads.deployment("web", NS))
        for n in range(3):
            kube.record_event(
                event_v1(f"e{n}", NS, regarding=web, reason="Scaled", note=f"up to {n}")
            )
        catalog = pod_catalog(ev=f"events: {{namespace: {NS}}}")
        async with kube_server(kube, tmp_path, catalog=catalog) as server:
            await page.goto(server.base_url)
            pane = await open_from_list(page, "ev")
            await expect(rows(pane)).to_have_count(3)
            for name in ("Load older", "Search history"):
                await expect(button(pane, name)).to_be_hidden()
            await expect(pane.locator('[data-part="time-form"]')).to_be_hidden()
            await page.keyboard.press("o")  # what scrolling to the top does too
            await page.keyboard.press("h")
            await expect(pane.locator('[data-part="search"]')).to_be_hidden()
            await expect(status(pane)).to_have_text("")
            await expect(rows(pane)).to_have_count(3)
    assert not any("/api/logs/ev/" in url for url in requests), requests
