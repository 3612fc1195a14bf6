"""Bad-message floods: many connections sending junk without ever reading the answers.

64 connections, each with a 4 KiB receive buffer, send the text ``x`` (and, on every
other connection, binary frames) in a loop and never read. Each answer is an error
frame the client never takes, so without a bound they pile up in the server (issue
#9 saw 72 MB grow to 891 MB in 30 s from one connection). The server must close each
flooder (1008) and its memory must come back. A live viewer meanwhile must get every
line of a log written at the same time. Figures: the server's RSS before, at its
peak and after; how many flooders the server closed and how long that took; the
live viewer's lost and duplicated lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import procfs
from bench.rawws import RawWebSocket, client_frame
from bench.servers import HOST, Server, Tailgate
from bench.soak.stalled_viewers import command
from bench.viewers import Hub, open_viewer
from bench.writers import write_blocks_paced

NAME = "flood"
TITLE = "64 connections flooding bad messages without reading, beside a live viewer"
_LOG_ID = "app"
_MIB = 1024 * 1024
#: One sendall carries this many bad messages.
_BATCH = 1000


def _flood(server: Server, binary: bool, deadline: float) -> tuple[bool, float, int]:
    """(closed by the server, seconds it took, messages sent) for one flooding client."""
    endpoint = server.endpoint
    ws = RawWebSocket(
        HOST, endpoint.port, endpoint.tail_path(_LOG_ID), endpoint.origin, rcvbuf=4096
    )
    ws.read_text()
    frame = client_frame(0x2, b"\x00\x01") if binary else client_frame(0x1, b"x")
    batch = frame * _BATCH
    started = time.monotonic()
    sent = 0
    try:
        while time.monotonic() < deadline:
            ws.send_raw(batch)
            sent += _BATCH
    except OSError:
        return True, time.monotonic() - started, sent
    finally:
        ws.close()
    return False, time.monotonic() - started, sent


async def run(workdir: Path, quick: bool) -> dict[str, object]:
    connections = 8 if quick else 64
    seconds = 3.0 if quick else 10.0
    rate = 2_000
    log = workdir / "app.log"
    log.write_bytes(b"")
    loop = asyncio.get_running_loop()
    async with Tailgate(command()).serve([{"id": _LOG_ID, "file": str(log)}], workdir) as server:
        hub = Hub("none")
        live = await open_viewer(hub, server.endpoint, server.endpoint.tail_path(_LOG_ID), 10**9)
        rss_before = procfs.rss_bytes(server.pid)
        stop = threading.Event()
        writing = asyncio.create_task(
            asyncio.to_thread(write_blocks_paced, log, rate, 100, stop, seconds)
        )
        deadline = time.monotonic() + seconds
        with ThreadPoolExecutor(max_workers=connections) as pool:
            floods = asyncio.gather(
                *(
                    loop.run_in_executor(pool, _flood, server, i % 2 == 1, deadline)
                    for i in range(connections)
                )
            )
            peak = rss_before
            while not floods.done():
                peak = max(peak, procfs.rss_bytes(server.pid))
                await asyncio.wait([floods], timeout=0.25)
            results = await floods
        span = await writing  # the log is written for the whole run, floods or not
        for _ in range(200):
            if live.tally.next_seq >= span.lines:
                break
            await asyncio.sleep(0.05)
        server.check_alive()
        rss_after = procfs.rss_bytes(server.pid)
        tally = live.tally
        await live.close()
    closed = [r for r in results if r[0]]
    with contextlib.suppress(ValueError):
        slowest = max(seconds for _, seconds, _ in closed)
    return {
        "flooders": connections,
        "flooders_closed_by_server": len(closed),
        "slowest_close_s": round(slowest, 2) if closed else None,
        "bad_messages_sent": sum(r[2] for r in results),
        "rss_before_mib": round(rss_before / _MIB, 1),
        "rss_peak_mib": round(peak / _MIB, 1),
        "rss_after_mib": round(rss_after / _MIB, 1),
        "live_lines_written": span.lines,
        "live_lost": max(0, span.lines - tally.lines),
        "live_duplicated": max(0, tally.lines - span.lines),
        "live_out_of_order": tally.anomaly_count,
    }
