"""Pod logs in the page: each line's source tag and timestamp, the Times toggle, and
Download, against the real app reading the fake Kubernetes API (tests/kube)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from playwright.async_api import Page, WebSocket, expect

from tests.k8s.conftest import NS, kube_server, objects, pod_catalog
from tests.kube.fake_api import FakeKubeAPI
from tests.support.tails import running_server

from .ui import SESSION_LOOP, downloaded_lines, logs_in, open_from_list, rows

pytestmark = SESSION_LOOP

API = pod_catalog(api='pods: {namespace: shop, selector: "app=api", container: api}')
STAMP_NS = 1_700_000_000_123_456_789
STAMP = "2023-11-14T22:13:20.123456789Z"


async def local_time(page: Page, epoch_ms: int) -> str:
    """How the page's time zone shows this instant: HH:MM:SS.mmm."""
    text: str = await page.evaluate(
        """(ms) => {
          const d = new Date(ms), p = (n, w = 2) => String(n).padStart(w, "0");
          return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.`
            + p(d.getMilliseconds(), 3);
        }""",
        epoch_ms,
    )
    return text


async def test_a_pods_line_shows_its_source_tag_and_timestamp_and_the_filter_ignores_them(
    page: Page, tmp_path: Path
) -> None:
    async with FakeKubeAPI() as kube:
        kube.create(objects.pod("api-1", NS, labels={"app": "api"}, containers=["api"]))
        kube.append_log(NS, "api-1", "api", "hello <b>world</b>", "second line", at=STAMP_NS)
        async with kube_server(kube, tmp_path, catalog=API) as server:
            await page.goto(server.base_url)
            pane = await open_from_list(page, "api")
            await expect(rows(pane)).to_have_count(2)
            first = rows(pane).first
            tag = first.locator(".src")
            await expect(tag).to_have_text("api-1/api")
            await expect(tag).to_have_class(re.compile(r"\bsrc-[0-7]\b"))
            time = first.locator(".ts")
            await expect(time).to_have_text(await local_time(page, STAMP_NS // 1_000_000))
            await expect(time).to_have_attribute("title", STAMP)
            await expect(first).to_contain_text("hello <b>world</b>")
            await expect(first.locator("b")).to_have_count(0)

            box = pane.get_by_label("Filter lines")
            await box.fill("api-1")
            await expect(rows(pane)).to_have_count(0)
            await box.fill("world")
            await expect(rows(pane)).to_have_count(1)
            await expect(rows(pane).first.locator(".src")).to_have_text("api-1/api")
            await box.fill("")

            times = pane.get_by_label("Times")
            await expect(times).to_be_checked()
            await times.uncheck()
            await expect(pane.locator(".rows .ts")).to_have_count(0)
            await expect(rows(pane).first.locator(".src")).to_have_text("api-1/api")
            await times.check()
            await expect(pane.locator(".rows > .row:not([hidden]) .ts")).to_have_count(2)

            assert await downloaded_lines(page, pane) == [
                f"{STAMP} [api-1/api] hello <b>world</b>",
                f"{STAMP} [api-1/api] second line",
            ]

            await pane.get_by_label("Wrap").check()
            kube.append_log(NS, "api-1", "api", "x" * 600)
            await expect(pane.locator(".rows .meta-pad").first).to_be_attached()
            last = rows(pane).last
            await expect(last.locator(".meta-pad")).to_have_count(1)
            await expect(last.locator(".src, .ts")).to_have_count(0)
        await kube.wait_until(lambda: kube.open_log_streams == 0)


async def test_a_file_log_shows_no_times_toggle(page: Page, tmp_path: Path) -> None:
    logs = logs_in(tmp_path, "app")
    logs["app"].append("plain")
    async with running_server(tmp_path, {"app": logs["app"].path}) as server:
        await page.goto(server.base_url)
        pane = await open_from_list(page, "app")
        await expect(rows(pane)).to_have_text(["plain"])
        await expect(pane.get_by_label("Times")).to_be_hidden()
        await expect(pane.locator(".rows .src, .rows .ts")).to_have_count(0)


async def test_lines_of_several_pods_in_one_frame_each_show_their_own_pod(
    page: Page, tmp_path: Path
) -> None:
    frames: list[str | bytes] = []

    def watch(ws: WebSocket) -> None:
        ws.on("framereceived", lambda payload: frames.append(payload))

    page.on("websocket", watch)
    async with FakeKubeAPI() as kube:
        pods = ["api-1", "api-22"]
        for name in pods:
            kube.create(objects.pod(name, NS, labels={"app": "api"}, containers=["api"]))
        async with kube_server(kube, tmp_path, catalog=API) as server:
            await page.goto(server.base_url)
            pane = await open_from_list(page, "api")
            await kube.wait_until(lambda: kube.open_log_streams == 2)
            rounds = 20
            for n in range(rounds):
                for name in pods:  # written at once: their lines meet in one frame
                    kube.append_log(NS, name, "api", f"{name} says {n:02d}")
                await asyncio.sleep(0.02)
            await expect(rows(pane)).to_have_count(rounds * len(pods))
            tags = await rows(pane).locator(".src").all_inner_texts()
            texts = await rows(pane).all_inner_texts()
    assert any(isinstance(f, str) and '"sources"' in f for f in frames), "no frame of both pods"
    assert len(tags) == len(texts) == rounds * len(pods)
    for tag, text in zip(tags, texts, strict=True):
        pod = next(name for name in pods if f"{name} says" in text)
        assert tag == f"{pod}/api", (tag, text)
