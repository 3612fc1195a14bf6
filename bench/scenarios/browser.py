"""Browser: one pane in headless Chromium receiving 50,000 lines/s, and what it costs the page.

A writer appends numbered 100-byte lines to one file at 50,000 lines/s, 2,500 at a
time on an absolute schedule, while the page (:mod:`bench.chromium`) follows the
file in one pane. After the first second and at the end of the run the scenario
forces a garbage collection and reads the JS heap; in between it takes:

- lines received by the page per second (a probe counts the numbered lines of every
  WebSocket message) and lines rendered per second (how fast the sequence number of
  the pane's bottom row advances: the view draws only the rows in sight);
- the longest main-thread task (``longtask`` entries, which exist only over 50 ms;
  a deliberate 60 ms task first checks that they are reported), cross-checked with
  DevTools ``TaskDuration``: an upper bound on the longest task, and the main
  thread's share of busy time;
- the frames the page draws per second, and the gaps between frames over 50 ms;
- then, with lines still flowing, how long typing a filter takes to go over the full
  buffer (100,000 lines) and draw the rows that match, and clearing it again; and
- how long a click on Stop takes to change the badge.

Time spent in the forced collections is left out of every figure. There is no
baseline: websocketd has no page.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import sys
import threading
import time
from pathlib import Path
from typing import Any

from playwright.async_api import Locator, Page

from bench.chromium import (
    CHROMIUM,
    DevTools,
    chromium_page,
    click_stop,
    clock_offset,
    filter_pane,
    long_tasks_seen,
    open_pane,
    probe,
)
from bench.context import Context, each_server
from bench.report import ScenarioResult, Target
from bench.scenarios.figures import SETTLE_SECONDS, Outcome, Row, figures
from bench.servers import Launcher
from bench.writers import WriteSpan, write_blocks_paced

NAME = "browser"
TITLE = "a pane in headless Chromium receiving 50,000 lines/s (no baseline)"
#: websocketd has no page: ``--only browser`` does not need it.
BASELINE = False
_LOG_ID = "bench"
_WARMUP_SECONDS = 1.0
_POLL_SECONDS = 0.1
_MB = 1e6
_KEEP = 40
"""At most this many long tasks and frame gaps are kept in the JSON."""

_ROWS = [
    Row("written", "lines written", "lines/s", "written_per_s", ours_only=True),
    Row("received", "lines received by the page", "lines/s", "received_per_s", ours_only=True),
    Row("rendered", "lines rendered (bottom row)", "lines/s", "rendered_per_s", ours_only=True),
    Row("in_order", "lines received in order, none missing", "", "in_order", ours_only=True),
    Row(
        "longest_task",
        "longest main-thread task (0: none over 50 ms)",
        "ms",
        "longest_task_ms",
        Target("<=", 100.0),
        ours_only=True,
    ),
    Row("task_bound", "longest task, bound (TaskDuration)", "ms", "task_bound_ms", ours_only=True),
    Row("long_tasks", "tasks over 50 ms", "", "long_tasks", ours_only=True),
    Row("busy", "main thread busy (TaskDuration)", "share", "main_thread_busy", ours_only=True),
    Row(
        "frame_gap",
        "longest gap between frames (0: none over 50 ms)",
        "ms",
        "longest_frame_gap_ms",
        ours_only=True,
    ),
    Row("frames", "frames drawn", "per s", "frames_per_s", ours_only=True),
    Row("filter", "filter typed: input to rows drawn", "ms", "filter_drawn_ms", ours_only=True),
    Row("filter_found", "filter shows the 10 matching lines", "", "filter_found", ours_only=True),
    Row(
        "filter_clear",
        "filter cleared: input to rows drawn",
        "ms",
        "filter_clear_ms",
        ours_only=True,
    ),
    Row("heap_start", "JS heap used after 1 s", "MB", "heap_start_mb", ours_only=True),
    Row("heap_end", "JS heap used at the end", "MB", "heap_end_mb", ours_only=True),
    Row("heap_growth", "JS heap growth", "MB", "heap_growth_mb", Target("<", 50.0), ours_only=True),
    Row("stop_click", "Stop: click to badge 'ended'", "ms", "stop_click_ms", ours_only=True),
    Row("stop_input", "Stop: input to badge painted", "ms", "stop_input_ms", ours_only=True),
]

_SNAPSHOT = "probe.snapshot()"
_REPORT = (
    "({ longtasks: probe.longtasks, gaps: probe.gaps, samples: probe.samples,"
    " ws: probe.ws, frames: probe.frames, longtaskError: probe.longtaskError || null })"
)


@dataclasses.dataclass
class _Checkpoint:
    """The page's counters, with the DevTools metrics read just after them."""

    page: dict[str, Any]
    metrics: dict[str, float]


async def _checkpoint(page: Page, devtools: DevTools) -> _Checkpoint:
    shown: dict[str, Any] = await probe(page, _SNAPSHOT)
    return _Checkpoint(shown, await devtools.metrics())


def _outside(
    entries: list[dict[str, float]], windows: list[tuple[float, float]], slack_ms: float
) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """``entries`` (page-clock ``start`` and ``duration``) split into those clear of every
    window and those overlapping one."""
    kept: list[dict[str, float]] = []
    left_out: list[dict[str, float]] = []
    for entry in entries:
        start, end = entry["start"], entry["start"] + entry["duration"]
        hit = any(
            start <= w_end + slack_ms and w_start - slack_ms <= end for w_start, w_end in windows
        )
        (left_out if hit else kept).append(entry)
    return kept, left_out


def _per_second(
    samples: list[dict[str, Any]], start_ms: float, end_ms: float
) -> dict[str, list[int]]:
    """Lines received and rendered in each sampled second of ``[start_ms, end_ms]``."""
    inside = [s for s in samples if start_ms <= s["t"] <= end_ms]
    received, rendered = [], []
    for a, b in itertools.pairwise(inside):
        seconds = (b["t"] - a["t"]) / 1000
        received.append(round((b["lines"] - a["lines"]) / seconds))
        rendered.append(round((b["bottomSeq"] - a["bottomSeq"]) / seconds))
    return {"received": received, "rendered": rendered}


@dataclasses.dataclass
class _Run:
    """What one run under load gave, before it is turned into figures."""

    observer_works: bool
    offset_ms: float
    begun: float
    ended: float
    first: _Checkpoint
    last: _Checkpoint
    heap_start: dict[str, float]
    heap_end: dict[str, float]
    filtered: dict[str, Any]
    unfiltered: dict[str, Any]
    filter_text: str
    stop: dict[str, Any]
    report: dict[str, Any]
    span: WriteSpan


async def _under_load(
    ctx: Context, page: Page, pane: Locator, devtools: DevTools, log: Path
) -> _Run:
    sizes = ctx.sizes
    observer_works = await long_tasks_seen(page)
    offset_ms = await clock_offset(page)
    stop = threading.Event()
    begun = time.monotonic()
    writer = asyncio.create_task(
        asyncio.to_thread(
            write_blocks_paced,
            log,
            sizes.browser_rate,
            sizes.browser_block_lines,
            stop,
            sizes.browser_seconds + 60.0,
        )
    )
    poller = asyncio.create_task(devtools.poll(_POLL_SECONDS))
    try:
        await asyncio.sleep(_WARMUP_SECONDS)
        heap_start = await devtools.heap_after_gc()
        first = await _checkpoint(page, devtools)
        await asyncio.sleep(sizes.browser_seconds - _WARMUP_SECONDS)
        last = await _checkpoint(page, devtools)
        heap_end = await devtools.heap_after_gc()
        # The writer is still going: the filter and Stop act on a pane that is busy.
        text = _filter_text(last.page["lastSeq"])
        filtered = await filter_pane(pane, text)
        unfiltered = await filter_pane(pane, "")
        stop_timing = await click_stop(page, pane)
        ended = time.monotonic()
        report: dict[str, Any] = await probe(page, _REPORT)
    finally:
        stop.set()
        poller.cancel()
        wrote, polled = await asyncio.gather(writer, poller, return_exceptions=True)
    if isinstance(polled, BaseException) and not isinstance(polled, asyncio.CancelledError):
        raise polled
    if isinstance(wrote, BaseException):
        raise wrote
    return _Run(
        observer_works=observer_works,
        offset_ms=offset_ms,
        begun=begun,
        ended=ended,
        first=first,
        last=last,
        heap_start=heap_start,
        heap_end=heap_end,
        filtered=filtered,
        unfiltered=unfiltered,
        filter_text=text,
        stop=stop_timing,
        report=report,
        span=wrote,
    )


def _filter_text(last_seq: int) -> str:
    """A filter that matches exactly ten lines the pane holds: the first 11 of the 12
    digits of a sequence number 1,000 lines back. (It could also match the last 11 digits
    of a line about ten times older, long dropped from the 100,000 the pane holds, and
    never the zero stamps or the filler.)"""
    return f"{(last_seq - 1000) // 10:011d}"


def _filter_found(run: _Run) -> bool:
    """Whether the filtered pane showed the ten lines that start with the filter text."""
    first = int(run.filter_text) * 10
    wanted = [f"{seq:012d}" for seq in range(first, first + 10)]
    return [row[:12] for row in run.filtered["rows"]] == wanted


def _outcome(run: _Run, devtools: DevTools) -> Outcome:
    first, last, report, span = run.first, run.last, run.report, run.span
    begun_ms, ended_ms = run.begun * 1000 + run.offset_ms, run.ended * 1000 + run.offset_ms
    gcs = [(a * 1000 + run.offset_ms, b * 1000 + run.offset_ms) for a, b in devtools.gc_windows]
    slack = 5.0  # ms: the two clocks are matched to within a round trip
    in_run = [e for e in report["longtasks"] if begun_ms <= e["start"] <= ended_ms]
    tasks, gc_tasks = _outside(in_run, gcs, slack)
    gaps, gc_gaps = _outside(
        [g for g in report["gaps"] if begun_ms <= g["start"] <= ended_ms], gcs, slack
    )
    bound = devtools.task_bound(run.begun, run.ended)
    window_s = (last.page["t"] - first.page["t"]) / 1000
    heap_start, heap_end = run.heap_start["used_bytes"], run.heap_end["used_bytes"]
    ws = report["ws"]
    return {
        "written_per_s": span.lines / span.seconds if span.seconds else None,
        "received_per_s": (last.page["lines"] - first.page["lines"]) / window_s,
        "rendered_per_s": (last.page["bottomSeq"] - first.page["bottomSeq"]) / window_s,
        "in_order": ws["breaks"] == 0 and ws["firstSeq"] == 0,
        "longest_task_ms": max((t["duration"] for t in tasks), default=0.0)
        if run.observer_works
        else None,
        "longtask_observer_works": run.observer_works,
        "long_tasks": len(tasks),
        "main_thread_busy": _share(first, last, "TaskDuration"),
        "task_bound_ms": bound["most_task_ms"],
        "longest_frame_gap_ms": max((g["duration"] for g in gaps), default=0.0),
        "heap_start_mb": heap_start / _MB,
        "heap_end_mb": heap_end / _MB,
        "heap_growth_mb": (heap_end - heap_start) / _MB,
        "filter_drawn_ms": run.filtered["drawn_ms"],
        "filter_found": _filter_found(run),
        "filter_clear_ms": run.unfiltered["drawn_ms"],
        "filter": {
            "text": run.filter_text,
            "typed_handler_ms": run.filtered["handler_ms"],
            "typed_footer": run.filtered["stats"],
            "cleared_handler_ms": run.unfiltered["handler_ms"],
            "cleared_footer": run.unfiltered["stats"],
        },
        "stop_click_ms": run.stop.get("click_to_badge_ms"),
        "stop_input_ms": run.stop.get("input_to_frame_ms"),
        "stop": run.stop,
        "measured_seconds": window_s,
        "lines_written": span.lines,
        "writer_most_late_ms": span.most_late_ns / 1e6,
        "at_end": {
            "received_last_seq": last.page["lastSeq"],
            "bottom_row_seq": last.page["bottomSeq"],
            "footer": last.page["stats"],
            "rendered_behind_received_lines": last.page["lastSeq"] - last.page["bottomSeq"],
        },
        "websocket": ws,
        "per_second": _per_second(report["samples"], first.page["t"], last.page["t"]),
        "frames_per_s": (last.page["frames"] - first.page["frames"]) / window_s,
        "script_share": _share(first, last, "ScriptDuration"),
        "layout_share": _share(first, last, "LayoutDuration"),
        "style_share": _share(first, last, "RecalcStyleDuration"),
        "heap_start": run.heap_start,
        "heap_end": run.heap_end,
        "long_task_list": [_rounded(t, begun_ms) for t in tasks[:_KEEP]],
        "long_tasks_in_forced_gc": [_rounded(t, begun_ms) for t in gc_tasks[:_KEEP]],
        "frame_gaps_over_50ms": len(gaps),
        "frame_gap_list": [_rounded(g, begun_ms) for g in gaps[:_KEEP]],
        "frame_gaps_in_forced_gc": [_rounded(g, begun_ms) for g in gc_gaps[:_KEEP]],
        "devtools_polls": bound,
        "longtask_observer_error": report["longtaskError"],
    }


def _share(first: _Checkpoint, last: _Checkpoint, metric: str) -> float:
    elapsed = last.metrics["Timestamp"] - first.metrics["Timestamp"]
    return (last.metrics[metric] - first.metrics[metric]) / elapsed


def _rounded(entry: dict[str, float], origin_ms: float) -> dict[str, float]:
    """A long task or frame gap, its start in seconds from the first write."""
    return {
        "at_s": round((entry["start"] - origin_ms) / 1000, 3),
        "ms": round(entry["duration"], 1),
    }


async def _measure(ctx: Context, launcher: Launcher) -> Outcome:
    work = ctx.scratch(NAME)
    log = work / "bench.log"
    log.touch()
    problems: list[str] = []
    async with launcher.start({_LOG_ID: log}, work) as server:
        async with chromium_page(problems) as (page, devtools):
            pane = await open_pane(page, server.endpoint.origin, _LOG_ID)
            await asyncio.sleep(SETTLE_SECONDS)
            outcome = _outcome(await _under_load(ctx, page, pane, devtools, log), devtools)
        server.check_alive()
    return outcome | {
        "page_problems": problems,
        "server_log": server.log_problems(),
        "server_stop": server.stop_report,
    }


async def run(ctx: Context) -> ScenarioResult:
    result = ScenarioResult(NAME, TITLE)
    if not CHROMIUM.exists():
        result.skipped = f"{CHROMIUM} is missing: run bash bench/setup.sh"
        print(f"[{NAME}] skipped: {result.skipped}", file=sys.stderr, flush=True)
        return result
    alone = dataclasses.replace(ctx, baseline=None)

    async def measure(launcher: Launcher) -> Outcome:
        return await _measure(alone, launcher)

    outcomes = await each_server(alone, measure, result.errors)
    result.details = outcomes
    result.figures = figures(alone, outcomes, _ROWS, key=NAME)
    return result
