"""``since`` on files stamped in common log format and klog: tails and searches start right.

A tail opened with ``since`` starts at the first line stamped then or later, in
whichever plain file holds it; a search keeps the lines from that time on, compressed
copies included. klog stamps carry no year: each file's modification time gives it,
so a log rotated across New Year is still in order.
"""

from __future__ import annotations

import calendar
import gzip
import os
import time
from pathlib import Path
from typing import Any

from tests.support.files import append_lines, read_until, served_log, started
from tests.support.tails import RunningServer


def clf(second: int) -> str:
    """Line ``second`` of a web server's access log one hour east of UTC."""
    local = time.gmtime(calendar.timegm((2026, 12, 2, 6, 0, 0, 0, 0, 0)) + second)
    stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0100", local)
    return f'127.0.0.1 - alice [{stamp}] "GET /page/{second} HTTP/1.1" 200 512 line {second}'


#: 23:59:50 on the last day of 2026, UTC.
EVE = calendar.timegm((2026, 12, 31, 23, 59, 50, 0, 0, 0))


def klog(second: int) -> str:
    stamp = time.strftime("%m%d %H:%M:%S", time.gmtime(EVE + second))
    return f"I{stamp}.{second:06d}    77 server.go:42] line {second}"


def texts(got: list[str]) -> list[str]:
    return [line.rsplit(" ", 1)[-1] for line in got if not line.startswith("<")]


def write(path: Path, lines: list[str], mtime: float) -> None:
    path.write_text("".join(f"{line}\n" for line in lines))
    os.utime(path, (mtime, mtime))


async def test_a_tail_since_a_time_starts_at_its_line_in_a_common_log_format_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "app.log.1").write_text("".join(f"{clf(s)}\n" for s in range(10)))
    async with served_log(tmp_path, [clf(s) for s in range(10, 20)]) as (log, server):
        # The log's stamps are at +01:00: 06:00:14 there is 05:00:14 UTC.
        inside = await started(server, since="2026-12-02T05:00:14Z")
        older = await started(server, since="2026-12-02T04:00:05.5-01:00")
        later = await started(server, since="2026-12-02T05:00:19.5Z")
        append_lines(log, [clf(20)])
        for tail, first in ((inside, 14), (older, 6), (later, 20)):
            assert texts(await read_until(tail, clf(20))) == [str(n) for n in range(first, 21)]
            await tail.close()


async def test_a_tail_since_a_time_starts_at_its_line_in_klog_files_across_new_year(
    tmp_path: Path,
) -> None:
    write(tmp_path / "app.log.1", [klog(s) for s in range(10)], EVE + 9)
    async with served_log(tmp_path, None) as (log, server):
        write(log, [klog(s) for s in range(10, 20)], EVE + 19)
        # 2026-12-31T23:59:53Z: line 3 of the copy, whose "1231" is 2026 by its mtime.
        in_copy = await started(server, since="2026-12-31T23:59:53Z")
        # 2027-01-01T00:00:05Z: line 15, in the current file, whose "0101" is 2027.
        in_current = await started(server, since="2027-01-01T00:00:05Z")
        append_lines(log, [klog(20)])
        for tail, first in ((in_copy, 3), (in_current, 15)):
            assert texts(await read_until(tail, klog(20))) == [str(n) for n in range(first, 21)]
            await tail.close()


async def search(server: RunningServer, **query: Any) -> Any:
    async with server.session.get(
        f"{server.base_url}/api/logs/app/search", params=query
    ) as response:
        return response.status, await response.json()


async def test_a_search_since_a_time_keeps_the_klog_lines_of_a_compressed_copy_from_then_on(
    tmp_path: Path,
) -> None:
    gz = tmp_path / "app.log.1.gz"
    gz.write_bytes(gzip.compress("".join(f"{klog(s)}\n" for s in range(10)).encode()))
    # Compressed a day later, as logrotate's delaycompress does: still the same year.
    os.utime(gz, (EVE + 86_400, EVE + 86_400))
    async with served_log(tmp_path, None) as (log, server):
        write(log, [klog(s) for s in range(10, 20)], EVE + 19)
        status, body = await search(server, q="line", since="2026-12-31T23:59:56Z")
        assert status == 200, body
        assert texts([m["line"] for m in body["matches"]]) == [str(n) for n in range(19, 5, -1)]
        sources = {m["line"].rsplit(" ", 1)[-1]: m.get("source") for m in body["matches"]}
        assert sources["6"] == "app.log.1.gz" and sources["10"] is None
