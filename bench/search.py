"""Search: a literal and a regex through a 1 GB file against GNU grep, and the first match.

The file is the backlog scenario's (10 million numbered 100-byte lines, made once in
the cache folder). tailgate serves it and is asked, over HTTP, for a query that
matches nothing, so the whole file is read; ``grep -c`` reads the same file on the
same run with the same query (``-F`` for the literal, ``-E`` for the regex, ``-i``
where tailgate folds case, its default). Each is timed three times after a read that
puts the file in the page cache, and the medians compared: the targets are 50% of
grep's throughput for a literal, 30% for a regex. Then the newest match within the
last megabyte (a line 5,000 lines from the end) is asked for nine times: the target
is 50 ms.

``--quick`` (or ``python -m bench.search --bytes N``) uses a smaller file; the
reported figure is the 1 GB one.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.context import Context, Sizes
from bench.report import Figure, ScenarioResult, Target, table
from bench.servers import Tailgate
from bench.stats import median
from bench.writers import ensure_backlog_file

NAME = "search"
TITLE = "search through a 1 GB file, against grep -c"
BASELINE = False

QUICK_BYTES = 100_000_000
TRIES = 3
FIRST_MATCH_TRIES = 9
#: Queries a user would type, absent from the file, made of its common letters.
LITERAL = "connection reset by peer"
REGEX = "status=(4|5)[0-9][0-9] bytes"
#: (key, label, query, regex, case, grep flags, target ratio)
QUERIES = (
    ("literal", "literal, case exact (grep -F)", LITERAL, False, True, ["-F"], 0.5),
    ("literal_i", "literal, any case (grep -F -i)", LITERAL, False, False, ["-F", "-i"], 0.5),
    ("regex", "regex, case exact (grep -E)", REGEX, True, True, ["-E"], 0.3),
    ("regex_i", "regex, any case (grep -E -i)", REGEX, True, False, ["-E", "-i"], 0.3),
)  # fmt: skip


def _grep_seconds(flags: list[str], query: str, path: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        ["grep", *flags, "-c", query, str(path)], capture_output=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.stdout.strip() != b"0":
        raise RuntimeError(
            f"grep found {done.stdout!r} for {query!r}: the file is not the expected one"
        )
    return seconds


async def _search(
    session: aiohttp.ClientSession, base: str, query: str, *, regex: bool, case: bool, limit: int
) -> dict[str, Any]:
    params = {"q": query, "regex": int(regex), "case": int(case), "limit": limit}
    async with session.get(f"{base}/api/logs/bench/search", params=params) as response:
        body: dict[str, Any] = await response.json()
        if response.status != 200:
            raise RuntimeError(f"search answered {response.status}: {body}")
        return body


def _warm(path: Path) -> None:
    with path.open("rb") as f:
        while f.read(16 * 1024 * 1024):
            pass


async def measure(tailgate: Tailgate, path: Path, lines: int, workdir: Path) -> dict[str, Any]:
    size = path.stat().st_size
    await asyncio.to_thread(_warm, path)
    env = {"TAILGATE_SEARCH_MAX_MIB": "1000000", "TAILGATE_SEARCH_DEADLINE": "3600"}
    out: dict[str, Any] = {"bytes": size}
    async with (
        tailgate.serve([{"id": "bench", "file": str(path)}], workdir, env) as server,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as session,
    ):
        base = server.endpoint.origin
        for key, _label, query, regex, case, flags, _target in QUERIES:
            ours, theirs = [], []
            for _ in range(TRIES):
                start = time.perf_counter()
                body = await _search(session, base, query, regex=regex, case=case, limit=100)
                ours.append(time.perf_counter() - start)
                if body["matches"] or body["more"] is not None or body["scanned_bytes"] != size:
                    raise RuntimeError(f"{key}: did not read the whole file: {body}")
                theirs.append(await asyncio.to_thread(_grep_seconds, flags, query, path))
            out[key] = {
                "ours_mb_s": size / median(ours) / 1e6,
                "grep_mb_s": size / median(theirs) / 1e6,
                "ours_s": ours,
                "grep_s": theirs,
            }
        wanted = b"%012d" % (lines - 5000)
        first = []
        for _ in range(FIRST_MATCH_TRIES):
            start = time.perf_counter()
            body = await _search(session, base, wanted.decode(), regex=False, case=True, limit=1)
            first.append((time.perf_counter() - start) * 1000)
            if [m["line"][:12] for m in body["matches"]] != [wanted.decode()]:
                raise RuntimeError(f"the first match is wrong: {body['matches']}")
        out["first_match_ms"] = median(first)
        out["first_match_all_ms"] = [round(v, 2) for v in first]
        server.check_alive()
    return out


def figures(outcome: dict[str, Any]) -> list[Figure]:
    rows = []
    for key, label, _query, _regex, _case, _flags, target in QUERIES:
        got = outcome[key]
        rows.append(
            Figure(
                key=f"{NAME}.{key}.mb_s",
                label=f"{label}: MB/s",
                unit="MB/s",
                ours=float(got["ours_mb_s"]),
                baseline=float(got["grep_mb_s"]),
            )
        )
        rows.append(
            Figure(
                key=f"{NAME}.{key}.ratio",
                label=f"{label}: share of grep's throughput",
                unit="",
                ours=got["ours_mb_s"] / got["grep_mb_s"],
                target=Target(">=", target),
            )
        )
    rows.append(
        Figure(
            key=f"{NAME}.first_match_ms",
            label="newest match within the last 1 MB: median",
            unit="ms",
            ours=float(outcome["first_match_ms"]),
            target=Target("<=", 50.0),
        )
    )
    return rows


async def _run_on(tailgate: Tailgate, cache: Path, size: int, workdir: Path) -> ScenarioResult:
    result = ScenarioResult(NAME, TITLE)
    if shutil.which("grep") is None:
        result.skipped = "GNU grep is missing"
        return result
    path = cache / f"backlog-{size}.log"
    lines = await asyncio.to_thread(ensure_backlog_file, path, size)
    try:
        outcome = await measure(tailgate, path, lines, workdir)
    except Exception as error:
        result.errors.append(f"{type(error).__name__}: {error}")
        return result
    result.details = {tailgate.name: outcome}
    result.figures = figures(outcome)
    return result


async def run(ctx: Context) -> ScenarioResult:
    quick = ctx.sizes == Sizes.quick()
    size = QUICK_BYTES if quick else ctx.sizes.backlog_bytes
    return await _run_on(ctx.ours, ctx.cache, size, ctx.scratch(NAME))


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=TITLE)
    parser.add_argument("--bytes", type=int, default=1_000_000_000, help="size of the file")
    parser.add_argument("--tailgate", default=str(root / ".venv" / "bin" / "tailgate"))
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tailgate-bench-search-"))
    try:
        result = asyncio.run(
            _run_on(
                Tailgate(args.tailgate), root / "bench" / "results" / "cache", args.bytes, workdir
            )
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(table([result]))
    return 0 if not result.errors else 1


if __name__ == "__main__":
    sys.exit(main())
