"""``python -m bench.soak``: run the soak scenarios, print their figures, write JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.fleet import raise_open_file_limit
from bench.soak import scenarios

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "bench" / "results"


def main() -> int:
    found = scenarios()
    names = [m.NAME for m in found]
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs, for a smoke check")
    parser.add_argument(
        "--only", action="append", choices=names, metavar="NAME",
        help=f"run only this scenario (repeatable): {', '.join(names)}",
    )  # fmt: skip
    parser.add_argument("--output", type=Path, default=RESULTS / "soak.json")
    args = parser.parse_args()
    raise_open_file_limit()
    results: dict[str, dict[str, object]] = {}
    failed = False
    for module in found:
        if args.only and module.NAME not in args.only:
            continue
        print(f"[{module.NAME}] {module.TITLE} ...", file=sys.stderr, flush=True)
        workdir = Path(tempfile.mkdtemp(prefix=f"tailgate-soak-{module.NAME}-"))
        started = time.monotonic()
        try:
            figures = asyncio.run(module.run(workdir, args.quick))
        except Exception:
            traceback.print_exc()
            figures = {"error": traceback.format_exc(limit=3)}
            failed = True
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        figures["seconds"] = round(time.monotonic() - started, 1)
        results[module.NAME] = figures
        print(f"\n== {module.NAME}: {module.TITLE}")
        for key, value in figures.items():
            print(f"  {key}: {value}")
        sys.stdout.flush()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nwritten: {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
