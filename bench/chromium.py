"""Headless Chromium for the browser scenario: the page, a probe inside it, and DevTools.

Everything the benchmark does with a browser goes through here. The browser is
Debian's ``/usr/bin/chromium`` (``bench/setup.sh`` installs it), launched with the
flags that keep it off the closed network, one page per run. Two sources of
figures, so that each checks the other:

- a probe injected before the page's own scripts (:data:`PROBE`): a
  ``PerformanceObserver`` for ``longtask`` entries, a listener on every WebSocket
  that counts the benchmark's numbered lines as they arrive, and a once-a-second
  sample of what the pane shows (taken in an animation frame, as the pane draws);
- the Chrome DevTools Protocol (:class:`DevTools`): ``Performance.getMetrics``
  (the main thread's cumulative task time, the JS heap) and
  ``HeapProfiler.collectGarbage``. ``TaskDuration`` grows by a task's whole length
  when the task ends, so the most it grew between two polls bounds the longest task
  from above, also when the task stayed under the 50 ms that ``longtask`` entries
  need. (The time a reply takes says little: Chromium answers ``getMetrics`` even
  while a script runs.)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import (
    CDPSession,
    Locator,
    Page,
    ViewportSize,
    async_playwright,
    expect,
)
from playwright.async_api import TimeoutError as PlaywrightTimeout

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling out into a closed network.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT: ViewportSize = {"width": 1400, "height": 900}

# Kept cheap on purpose, since it runs in the tasks it measures: per WebSocket message it
# finds the first and last numbered line by a marker every benchmark line carries (the
# zero stamp and the start of the filler, see bench/lines.py) and reads their sequence
# numbers; it never parses the frame. The pane's DOM is read once a second.
PROBE = """
(() => {
  const MARK = " 0000000000000000000 INFO";
  const probe = {
    longtasks: [],
    ws: { messages: 0, chars: 0, lines: 0, firstSeq: -1, lastSeq: -1, breaks: 0 },
    frames: 0,
    gaps: [],
    samples: [],
  };
  window.__bench = probe;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        probe.longtasks.push({ start: e.startTime, duration: e.duration });
      }
    }).observe({ type: "longtask", buffered: true });
  } catch (error) {
    probe.longtaskError = String(error);
  }
  const count = (data) => {
    const ws = probe.ws;
    ws.messages++;
    if (typeof data !== "string") return;
    ws.chars += data.length;
    const first = data.indexOf(MARK);
    if (first < 12) return;
    const last = data.lastIndexOf(MARK);
    const a = Number(data.slice(first - 12, first));
    const b = Number(data.slice(last - 12, last));
    if (ws.lastSeq >= 0 && a !== ws.lastSeq + 1) ws.breaks++;
    if (ws.firstSeq < 0) ws.firstSeq = a;
    ws.lines += b - a + 1;
    ws.lastSeq = b;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => count(event.data));
    }
  };
  // The bottom row drawn (its sequence number) and the pane's footer ("N held, M dropped").
  probe.shown = () => {
    const rows = document.querySelectorAll("#panes > .pane .rows > .row:not([hidden])");
    const bottom = rows.length ? rows[rows.length - 1].textContent : "";
    const seq = /^\\d{12} /.test(bottom) ? Number(bottom.slice(0, 12)) : -1;
    const stats = document.querySelector("#panes > .pane [data-part=stats]");
    return { bottomSeq: seq, stats: stats ? stats.textContent : "" };
  };
  probe.snapshot = () => ({
    t: performance.now(),
    lines: probe.ws.lines,
    lastSeq: probe.ws.lastSeq,
    breaks: probe.ws.breaks,
    messages: probe.ws.messages,
    frames: probe.frames,
    ...probe.shown(),
  });
  let last = performance.now();
  let sampled = last;
  const tick = (now) => {
    if (now - last > 50) probe.gaps.push({ start: last, duration: now - last });
    probe.frames++;
    last = now;
    if (now - sampled >= 1000) {
      sampled = now;
      probe.samples.push(probe.snapshot());
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""

# Notes the time the Stop click reaches the page, the badge's change, and the next frame.
WATCH_STOP = """(pane) => {
  const watch = {};
  window.__bench.stop = watch;
  const stop = pane.querySelector("[data-part=stop]");
  const badge = pane.querySelector("[data-part=badge]");
  const seen = (event) => {
    if (event.target !== stop || watch[event.type] !== undefined) return;
    watch[event.type] = event.timeStamp;
    if (event.type === "click") watch.handler = performance.now();
  };
  for (const type of ["pointerdown", "click"]) {
    document.addEventListener(type, seen, { capture: true });
  }
  const observer = new MutationObserver(() => {
    if (badge.textContent !== "ended" || watch.badge !== undefined) return;
    watch.badge = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => { watch.frame = performance.now(); });
  });
  observer.observe(badge, { childList: true, characterData: true, subtree: true });
}"""


@dataclass
class Poll:
    """One ``Performance.getMetrics`` round trip (``monotonic`` seconds) and what it said."""

    sent: float
    replied: float
    metrics: dict[str, float]


@dataclass
class DevTools:
    """The page's DevTools session: metrics, forced GC, and a poller of the metrics."""

    session: CDPSession
    polls: list[Poll] = field(default_factory=list)
    #: When a forced GC ran (``monotonic`` seconds, sent to replied): figures leave it
    #: out, since the GC, not the page, kept the main thread.
    gc_windows: list[tuple[float, float]] = field(default_factory=list)

    async def metrics(self) -> dict[str, float]:
        reply = await self.session.send("Performance.getMetrics")
        return {row["name"]: float(row["value"]) for row in reply["metrics"]}

    async def heap_after_gc(self) -> dict[str, float]:
        """``JSHeapUsedSize`` and ``JSHeapTotalSize`` (bytes) right after a full GC."""
        sent = time.monotonic()
        await self.session.send("HeapProfiler.collectGarbage")
        self.gc_windows.append((sent, time.monotonic()))
        values = await self.metrics()
        return {
            "used_bytes": values["JSHeapUsedSize"],
            "total_bytes": values["JSHeapTotalSize"],
            "gc_ms": (self.gc_windows[-1][1] - sent) * 1000,
        }

    async def poll(self, interval: float) -> None:
        """Ask for the metrics every ``interval`` seconds until cancelled."""
        while True:
            sent = time.monotonic()
            values = await self.metrics()
            self.polls.append(Poll(sent, time.monotonic(), values))
            await asyncio.sleep(interval)

    def task_bound(self, start: float, end: float) -> dict[str, float | None]:
        """The most main-thread task time that ended between two polls sent in
        ``[start, end]`` (ms, with that interval's length), leaving out pairs of polls
        with a forced GC between them; and the round trips of the polls."""
        polls = [p for p in self.polls if start <= p.sent <= end]
        most, interval = None, None
        for a, b in itertools.pairwise(polls):
            if any(
                a.sent <= gc_end and gc_start <= b.replied for gc_start, gc_end in self.gc_windows
            ):
                continue
            grew = (b.metrics["TaskDuration"] - a.metrics["TaskDuration"]) * 1000
            if most is None or grew > most:
                most, interval = grew, (b.metrics["Timestamp"] - a.metrics["Timestamp"]) * 1000
        replies = sorted((p.replied - p.sent) * 1000 for p in polls)
        return {
            "most_task_ms": most,
            "interval_ms": interval,
            "polls": len(polls),
            "reply_p50_ms": replies[len(replies) // 2] if replies else None,
            "reply_max_ms": replies[-1] if replies else None,
        }


@contextlib.asynccontextmanager
async def chromium_page(problems: list[str]) -> AsyncIterator[tuple[Page, DevTools]]:
    """A fresh headless Chromium with one probed page; closed on the way out, whatever happened.

    Uncaught page errors and Content Security Policy reports go into ``problems``.
    """
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = await browser.new_context(viewport=VIEWPORT)
            context.set_default_timeout(10_000)
            page = await context.new_page()
            page.on("pageerror", lambda error: problems.append(str(error)[:400]))
            page.on(
                "console",
                lambda message: (
                    problems.append(message.text[:400])
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            await page.add_init_script(PROBE)
            session = await context.new_cdp_session(page)
            await session.send("Performance.enable")
            yield page, DevTools(session)
        finally:
            await browser.close()


async def open_pane(page: Page, origin: str, log_id: str) -> Locator:
    """Load the page, open ``log_id`` from the list, and wait for its badge to say live."""
    await page.goto(f"{origin}/")
    await page.locator(f'button.log[data-log-id="{log_id}"]').click()
    pane = page.locator("#panes > .pane").first
    await expect(pane.locator("[data-part=badge]")).to_have_text("live")
    return pane


async def probe(page: Page, expression: str) -> Any:
    """``expression`` evaluated against the probe (``window.__bench``), as plain data."""
    return await page.evaluate(
        f"(() => {{ const probe = window.__bench; return {expression}; }})()"
    )


async def click_stop(page: Page, pane: Locator) -> dict[str, Any]:
    """Click the pane's Stop button the way a user would, and time the badge's change.

    From outside: from the start of Playwright's click (which first checks the button
    is visible, stable and enabled, each a round trip to the page) until the badge
    reads ``ended``. From inside: the ``pointerdown`` event's time stamp (when the
    browser took the input) to the click handler, to the badge's change, and to the
    next animation frame (the one that paints it).
    """
    await pane.evaluate(WATCH_STOP)
    badge = pane.locator("[data-part=badge]")
    started = time.monotonic()
    try:
        await pane.get_by_role("button", name="Stop", exact=True).click()
        await expect(badge).to_have_text("ended")
        seen = time.monotonic()
        await page.wait_for_function("window.__bench.stop.frame !== undefined")
    except (PlaywrightTimeout, AssertionError) as error:
        # Kept apart, so that a Stop that never takes effect costs only its own figures.
        seen_in_page = await probe(page, "probe.stop")
        badge_text = await badge.text_content()
        return {"error": str(error).splitlines()[0], "seen": seen_in_page, "badge": badge_text}
    watch: dict[str, float] = await probe(page, "probe.stop")
    pointed = watch["pointerdown"]
    return {
        "click_to_badge_ms": (seen - started) * 1000,
        "input_to_handler_ms": watch["handler"] - pointed,
        "input_to_badge_ms": watch["badge"] - pointed,
        "input_to_frame_ms": watch["frame"] - pointed,
    }


# Filters the pane the way typing does (an input event on its box): the handler goes over
# the whole buffer at once, and the pane draws in its next animation frame, whose callback
# was asked for first and so runs before this one's.
_FILTER = """async (pane, text) => {
  const box = pane.querySelector("[data-part=filter]");
  const started = performance.now();
  box.value = text;
  box.dispatchEvent(new Event("input", { bubbles: true }));
  const handled = performance.now();
  await new Promise((resolve) => requestAnimationFrame(resolve));
  const drawn = performance.now();
  const rows = [...pane.querySelectorAll(".rows > .row:not([hidden])")];
  return {
    handler_ms: handled - started,
    drawn_ms: drawn - started,
    rows: rows.map((row) => row.textContent),
    stats: pane.querySelector("[data-part=stats]").textContent,
  };
}"""


async def filter_pane(pane: Locator, text: str) -> dict[str, Any]:
    """Set the pane's filter to ``text`` and time it: the input handler (which indexes the
    whole buffer again) and until the rows are drawn; with the rows drawn and the footer."""
    result: dict[str, Any] = await pane.evaluate(_FILTER, text)
    return result


async def clock_offset(page: Page) -> float:
    """``performance.now()`` in the page minus ``monotonic()`` here, in ms (to within a
    round trip), so that times taken here can be placed on the page's clock."""
    before = time.monotonic()
    page_ms: float = await page.evaluate("performance.now()")
    after = time.monotonic()
    return page_ms - (before + after) / 2 * 1000


# A deliberate 60 ms task, run the way the page's own work runs (a timer task): tasks a
# DevTools evaluation runs are not reported as long tasks.
_BUSY_TASK = """() => new Promise((resolve) => setTimeout(() => {
  const end = performance.now() + 60;
  while (performance.now() < end);
  resolve();
}, 0))"""


async def long_tasks_seen(page: Page) -> bool:
    """Whether the probe reports a deliberate 60 ms task (so that none seen means none)."""
    before: int = await probe(page, "probe.longtasks.length")
    await page.evaluate(_BUSY_TASK)
    try:
        await page.wait_for_function(f"window.__bench.longtasks.length > {before}", timeout=5000)
    except PlaywrightTimeout:
        return False
    return True
