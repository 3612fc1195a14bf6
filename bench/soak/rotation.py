"""Log rotation at a busy log's pace: lost, duplicated and out-of-order lines.

For each rotation pattern of ``bench.writers`` (a plain rename, the kubelet,
logrotate ``create``, Python's ``RotatingFileHandler``), a writer process writes
numbered lines through rotations 20 ms apart while tailgate serves the log to
three live viewers and one slow one (it stops reading for half a second every
half second, so it keeps falling out of the live set and catching up through
the rotated files), and GNU ``tail -F`` follows the same file in the same run as
the reference (writing to a file, so that it never waits for this process).
Each reader's lines are checked against the lines written: how many never came,
how many came twice, how many came after a later one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench import procfs
from bench.lines import seq_of
from bench.servers import Tailgate
from bench.writers import PATTERNS

NAME = "rotation"
TITLE = "rotation patterns: every line once, in order (tailgate and GNU tail -F)"

#: Viewers at the live end, besides the slow one.
LIVE_VIEWERS = 3
#: The slow viewer stops reading this long, every time it has read this long.
SLOW_STALL = 0.5
#: A reader that gets nothing for this long after the writer is done has all it gets.
QUIET = 3.0
INTERVAL = 0.02


@dataclass
class Reader:
    """What one reader received: sequence numbers in arrival order, and its notices."""

    name: str
    seqs: list[int] = field(default_factory=list)
    notices: dict[str, int] = field(default_factory=dict)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    last: int = 0

    def add(self, seqs: list[int]) -> None:
        self.seqs.extend(seqs)
        if self.seqs and self.seqs[-1] >= self.last:
            self.done.set()

    def figures(self, count: int) -> str:
        got = set(self.seqs)
        lost = sum(1 for seq in range(count) if seq not in got)
        duplicated = len(self.seqs) - len(got)
        disorder = sum(1 for a, b in zip(self.seqs, self.seqs[1:], strict=False) if b < a)
        return f"{lost} lost, {duplicated} duplicated, {disorder} out of order"


async def _view(url: str, reader: Reader, slow: bool) -> None:
    loop = asyncio.get_running_loop()
    stall_at = loop.time() + SLOW_STALL
    async with aiohttp.ClientSession() as http, http.ws_connect(url, max_msg_size=0) as ws:
        async for message in ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            frame = json.loads(message.data)
            if frame["type"] == "lines":
                reader.add([seq_of(text) for text in frame["lines"]])
            elif frame["type"] in ("notice", "error"):
                event = frame.get("event") or frame.get("code")
                reader.notices[event] = reader.notices.get(event, 0) + 1
            if slow and loop.time() >= stall_at:
                # Not reading fills the socket: the server takes it out of the live set.
                await asyncio.sleep(SLOW_STALL)
                stall_at = loop.time() + SLOW_STALL


async def _tail_f(output: Path, reader: Reader) -> None:
    """Follow what ``tail -F`` wrote to ``output`` (a file: it never waits for us)."""
    offset, rest = 0, b""
    while True:
        with output.open("rb") as f:
            f.seek(offset)
            data = f.read()
        offset += len(data)
        rest += data
        complete, _, rest = rest.rpartition(b"\n")
        if complete:
            reader.add([int(row[:12]) for row in complete.split(b"\n") if row[:12].isdigit()])
        await asyncio.sleep(0.05)


async def _until_quiet(readers: list[Reader], deadline: float) -> None:
    loop = asyncio.get_running_loop()
    for reader in readers:
        while not reader.done.is_set() and loop.time() < deadline:
            seen = len(reader.seqs)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reader.done.wait(), QUIET)
            if len(reader.seqs) == seen:
                break


async def _one_pattern(pattern: str, folder: Path, count: int, rotations: int) -> dict[str, object]:
    folder.mkdir()
    log = folder / "app.log"
    log.touch()
    command = str(Path(sys.executable).with_name("tailgate"))
    tail_f = Reader("tail -F", last=count - 1)
    live = [Reader(f"live {i}", last=count - 1) for i in range(LIVE_VIEWERS)]
    slow = Reader("slow", last=count - 1)
    loop = asyncio.get_running_loop()
    async with Tailgate(command).start({"app": log}, folder) as server:
        output = folder / "tail-F.out"
        with output.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                "tail", "-n", "+1", "-F", str(log), stdout=out, stderr=asyncio.subprocess.DEVNULL
            )
        tasks = [asyncio.ensure_future(_tail_f(output, tail_f))]
        try:
            while str(log) not in procfs.open_paths(process.pid):
                await asyncio.sleep(0.01)
            url = server.endpoint.tail_url("app", 0)
            tasks += [asyncio.ensure_future(_view(url, r, slow=False)) for r in live]
            tasks.append(asyncio.ensure_future(_view(url, slow, slow=True)))
            # Every viewer's hello came before the writer starts: wait for the tails.
            while await server.metric("tailgate_active_tails") != LIVE_VIEWERS + 1:
                await asyncio.sleep(0.01)
            writer = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.writers", pattern, str(log),
                str(count), str(rotations), str(INTERVAL),
            )  # fmt: skip
            if await writer.wait() != 0:
                raise RuntimeError(f"the {pattern} writer failed")
            await _until_quiet([tail_f, *live, slow], loop.time() + 120)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        problems = server.log_problems()
    worst = max(live, key=lambda r: (len(r.seqs) != count, -len(set(r.seqs))))
    notices = {k: v for r in (*live, slow) for k, v in r.notices.items()}
    return {
        f"{pattern} tailgate (worst of {LIVE_VIEWERS} live)": worst.figures(count),
        f"{pattern} tailgate slow viewer": slow.figures(count),
        f"{pattern} tail -F": tail_f.figures(count),
        f"{pattern} tailgate notices": notices,
        f"{pattern} server log problems": problems["count"],
    }


async def run(workdir: Path, quick: bool) -> dict[str, object]:
    count, rotations = (40_000, 20) if quick else (200_000, 100)
    figures: dict[str, object] = {
        "lines": count,
        "rotations": rotations,
        "rotation interval ms": INTERVAL * 1000,
    }
    for pattern in PATTERNS:
        figures |= await _one_pattern(pattern, workdir / pattern, count, rotations)
    return figures
