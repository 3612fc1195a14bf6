"""Where a server's memory goes during ``stalled_viewers``: a measuring run, not a scenario.

``python -m bench.soak._memory_probe [--trace] [--quick]`` runs the stalled-viewers
scenario against a real ``tailgate serve`` process started through this module, which
samples, every second from a thread of its own, the server's RSS, glibc's view of its
heap (``mallinfo2``: bytes in use, free but kept, mmapped), the unsent bytes of every
socket transport (``get_write_buffer_size``) and the memory their buffers hold, the
viewers' queued bytes, and (``--trace``, much slower) tracemalloc's top allocation
sites. It prints the sample at the server's peak RSS and the scenario's figures.
The leading underscore keeps it out of ``make soak``.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import json
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

_OUT = "MEMORY_PROBE_OUT"
_MIB = 1024 * 1024


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
            "fsmblks", "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


def _mallinfo() -> dict[str, float]:
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    return {
        "heap_mib": round(info.arena / _MIB, 1),
        "heap_in_use_mib": round(info.uordblks / _MIB, 1),
        "heap_free_mib": round(info.fordblks / _MIB, 1),
        "mmapped_mib": round(info.hblkhd / _MIB, 1),
        "mmapped_chunks": info.hblks,
    }


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _sample() -> dict[str, object]:
    from asyncio.selector_events import _SelectorSocketTransport

    from tailgate.streaming.viewer import Viewer

    unsent: list[int] = []
    held: list[int] = []
    queued: list[int] = []
    for obj in gc.get_objects():
        if isinstance(obj, _SelectorSocketTransport):
            held.append(sys.getsizeof(obj._buffer))
        elif isinstance(obj, Viewer):
            # uvloop's transports hold the frames written, without copies: only a size.
            unsent.append(obj._transport.get_write_buffer_size())
            queued.append(obj._box.queued_bytes())
    sample: dict[str, object] = {
        "t": round(time.monotonic(), 2),
        "rss_mib": _rss_mib(),
        **_mallinfo(),
        "threads": threading.active_count(),
        "viewers": len(queued),
        "viewers_queued_mib": round(sum(queued) / _MIB, 1),
        "viewers_queued_max_kib": round(max(queued, default=0) / 1024),
        "viewers_unsent_mib": round(sum(unsent) / _MIB, 1),
        "viewers_unsent_max_kib": round(max(unsent, default=0) / 1024),
        # Only with asyncio's own loop (bytearrays that copy what they hold).
        "asyncio_transport_buffers_mib": round(sum(held) / _MIB, 1),
    }
    if tracemalloc.is_tracing():
        stats = tracemalloc.take_snapshot().statistics("lineno")[:12]
        sample["traced_mib"] = round(tracemalloc.get_traced_memory()[0] / _MIB, 1)
        sample["top"] = [f"{s.size / _MIB:.1f} MiB {s.count} {s.traceback[0]}" for s in stats]
    return sample


def _sampler(path: str) -> None:
    with open(path, "a") as out:
        while True:
            time.sleep(1.0)
            out.write(json.dumps(_sample()) + "\n")
            out.flush()


def _serve() -> None:
    """``tailgate serve`` with the sampler running beside it."""
    if os.environ.get("MEMORY_PROBE_TRACE"):
        tracemalloc.start(1)
    threading.Thread(target=_sampler, args=(os.environ[_OUT],), daemon=True).start()
    from tailgate.cli import main

    sys.argv = ["tailgate", *sys.argv[2:]]
    main()


def _measure(trace: bool, quick: bool) -> None:
    from bench.fleet import raise_open_file_limit
    from bench.soak import stalled_viewers

    raise_open_file_limit()
    workdir = Path(tempfile.mkdtemp(prefix="tailgate-memory-probe-"))
    samples = workdir / "samples.jsonl"
    wrapper = workdir / "tailgate"
    root = Path(__file__).resolve().parent.parent.parent
    wrapper.write_text(
        f'#!/bin/sh\ncd {root} && exec {sys.executable} -m bench.soak._memory_probe serve "$@"\n'
    )
    wrapper.chmod(0o755)
    os.environ[_OUT] = str(samples)
    if trace:
        os.environ["MEMORY_PROBE_TRACE"] = "1"
    stalled_viewers.command = lambda: str(wrapper)  # type: ignore[assignment]
    figures = asyncio.run(stalled_viewers.run(workdir, quick))
    rows = [json.loads(line) for line in samples.read_text().splitlines()]
    peak = max(rows, key=lambda r: r["rss_mib"])
    print(json.dumps({"figures": figures, "first": rows[0], "peak": peak}, indent=1))


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        _serve()
        return
    parser = argparse.ArgumentParser(prog="python -m bench.soak._memory_probe")
    parser.add_argument("--trace", action="store_true", help="tracemalloc (slow)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    _measure(args.trace, args.quick)


if __name__ == "__main__":
    main()
