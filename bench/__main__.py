"""``python -m bench``: run the scenarios, print the table, write ``bench/results/latest.json``."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import scenarios
from bench.context import Context, Sizes
from bench.fleet import raise_open_file_limit
from bench.report import ScenarioResult, load_average, table, write_json
from bench.servers import Tailgate, Websocketd

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Benchmark tailgate against websocketd + tail -F."
    )
    parser.add_argument("--quick", action="store_true", help="short runs, for a smoke check")
    parser.add_argument(
        "--only", action="append", choices=scenarios.NAMES, metavar="NAME",
        help=f"run only this scenario (repeatable): {', '.join(scenarios.NAMES)}",
    )  # fmt: skip
    parser.add_argument("--skip-baseline", action="store_true", help="measure tailgate alone")
    parser.add_argument(
        "--tailgate", default=str(ROOT / ".venv" / "bin" / "tailgate"),
        help="the tailgate command (default: the project's virtualenv)",
    )  # fmt: skip
    parser.add_argument(
        "--output", type=Path, default=RESULTS / "latest.json", help="where the JSON goes"
    )
    return parser


async def _run(args: argparse.Namespace, workdir: Path) -> list[ScenarioResult]:
    ctx = Context(
        ours=Tailgate(args.tailgate),
        baseline=None if args.skip_baseline else Websocketd(),
        sizes=Sizes.quick() if args.quick else Sizes(),
        workdir=workdir,
        cache=RESULTS / "cache",
    )
    results = []
    for module in scenarios.ALL:
        if args.only and module.NAME not in args.only:
            continue
        print(f"[{module.NAME}] {module.TITLE} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        result: ScenarioResult = await module.run(ctx)
        result.seconds = time.monotonic() - started
        print(f"[{module.NAME}] {result.seconds:.1f} s", file=sys.stderr, flush=True)
        results.append(result)
    return results


def _needs_baseline(args: argparse.Namespace) -> bool:
    chosen = [module for module in scenarios.ALL if not args.only or module.NAME in args.only]
    return not args.skip_baseline and any(getattr(m, "BASELINE", True) for m in chosen)


def main() -> int:
    args = _parser().parse_args()
    if _needs_baseline(args) and shutil.which("websocketd") is None:
        print("websocketd is missing: run bash bench/setup.sh", file=sys.stderr)
        return 2
    raise_open_file_limit()
    load = {"before": load_average()}
    if load["before"] > 1.0:
        print(
            f"warning: load average {load['before']:.1f} before the run; "
            "other work on this machine will skew the figures",
            file=sys.stderr,
        )
    workdir = Path(tempfile.mkdtemp(prefix="tailgate-bench-"))
    try:
        results = asyncio.run(_run(args, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    load["after"] = load_average()
    print(table(results))
    print(f"\nload average (1 min): {load['before']:.2f} before, {load['after']:.2f} after")
    options = {
        "quick": args.quick,
        "only": args.only,
        "skip_baseline": args.skip_baseline,
        "tailgate": args.tailgate,
    }
    write_json(args.output, results, options, load)
    print(f"\nwritten: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
