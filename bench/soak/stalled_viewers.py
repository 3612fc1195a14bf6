"""Stalled viewers: connected, never reading, while a busy log is written.

100 viewers open a tail with a 4 KiB receive buffer, take their hello and never read
again; a few live viewers read everything. One file gets 20,000 lines/s for 30 s.
A stalled viewer must cost the server a bounded amount of memory (its send buffer
and queue, then it falls out of the live set) and must never hold the live viewers
back or make them lose a line. Figures: the server's RSS before, at its peak and
after, and for each live viewer the lines lost and duplicated.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import procfs
from bench.rawws import RawWebSocket
from bench.servers import HOST, Server, Tailgate
from bench.viewers import Hub, Viewer, open_viewer
from bench.writers import write_blocks_paced

NAME = "stalled_viewers"
TITLE = "100 stalled viewers and 3 live ones while 20,000 lines/s are written for 30 s"
#: The server's RSS may grow by at most this much (issue #9).
RSS_BUDGET = 64 * 1024 * 1024
_LOG_ID = "busy"
_MIB = 1024 * 1024


def command() -> str:
    """The ``tailgate`` installed next to this interpreter (the project's virtualenv)."""
    return str(Path(sys.executable).with_name("tailgate"))


def _stall(server: Server) -> RawWebSocket:
    """A viewer with a 4 KiB receive buffer that reads its hello and nothing more."""
    endpoint = server.endpoint
    ws = RawWebSocket(
        HOST, endpoint.port, endpoint.tail_path(_LOG_ID), endpoint.origin, rcvbuf=4096
    )
    ws.read_text()
    return ws


async def run(workdir: Path, quick: bool) -> dict[str, object]:
    seconds = 5.0 if quick else 30.0
    stalled_count = 20 if quick else 100
    live_count = 3
    rate = 20_000
    log = workdir / "busy.log"
    log.write_bytes(b"")
    entries = [{"id": _LOG_ID, "file": str(log)}]
    # No heartbeat during the run: the stalled viewers must stay stalled, not be pinged away.
    env = {"TAILGATE_HEARTBEAT": "3600"}
    loop = asyncio.get_running_loop()
    async with Tailgate(command()).serve(entries, workdir, env) as server:
        hub = Hub("none")
        expect = int(rate * seconds * 2)  # never "done": the tally is read at the end
        live: list[Viewer] = [
            await open_viewer(hub, server.endpoint, server.endpoint.tail_path(_LOG_ID), expect)
            for _ in range(live_count)
        ]
        with ThreadPoolExecutor(max_workers=8) as pool:
            stalled = await asyncio.gather(
                *(loop.run_in_executor(pool, _stall, server) for _ in range(stalled_count))
            )
        rss_before = procfs.rss_bytes(server.pid)
        stop = threading.Event()
        writing = asyncio.create_task(
            asyncio.to_thread(write_blocks_paced, log, rate, 200, stop, seconds)
        )
        peak = rss_before
        while not writing.done():
            peak = max(peak, procfs.rss_bytes(server.pid))
            await asyncio.wait([writing], timeout=0.25)
        span = await writing
        written = span.lines
        # Let the live viewers read what is still on its way (bounded).
        for _ in range(200):
            if all(v.tally.next_seq >= written for v in live):
                break
            await asyncio.sleep(0.05)
        rss_after = procfs.rss_bytes(server.pid)
        server.check_alive()
        lost = [max(0, written - v.tally.lines) for v in live]
        extra = [max(0, v.tally.lines - written) for v in live]
        anomalies = [v.tally.anomaly_count for v in live]
        for viewer in live:
            await viewer.close()
        for ws in stalled:
            with contextlib.suppress(OSError):
                ws.close()
    growth = max(peak, rss_after) - rss_before
    return {
        "lines_written": written,
        "write_rate_per_s": round(written / max(span.seconds, 1e-9)),
        "stalled_viewers": stalled_count,
        "live_viewers": live_count,
        "rss_before_mib": round(rss_before / _MIB, 1),
        "rss_peak_mib": round(peak / _MIB, 1),
        "rss_after_mib": round(rss_after / _MIB, 1),
        "rss_growth_mib": round(growth / _MIB, 1),
        "rss_within_budget": growth <= RSS_BUDGET,
        "live_lost": lost,
        "live_duplicated": extra,
        "live_out_of_order": anomalies,
        "live_every_line_once": not any(lost) and not any(extra) and not any(anomalies),
    }
