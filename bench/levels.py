"""``python -m bench.levels``: what level detection costs per line, by log shape.

Every ``lines`` frame carries each line's level (streaming/levels.py), worked out on
the server once per batch. This times ``levels_of`` over 10,000-line batches of the
shapes logs come in (CPU time of this process, the best of a few rounds, so that other
work on the machine skews it less) and prints nanoseconds per line beside the cost of
joining the batch, the least any search of it pays. The throughput scenario of
``python -m bench`` shows what it costs a whole tail.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from tailgate.streaming.levels import levels_of

BATCH = 10_000
_LEVELS = ["INFO"] * 8 + ["WARN", "ERROR"]


def _shapes() -> dict[str, list[str]]:
    n = range(BATCH)
    filler = "http GET /api/v1/items?page=2 status=200 bytes=5120 ms=3 ua=c"
    return {
        "benchmark lines (INFO on each)": [f"{s:012d} {0:019d} INFO {filler}" for s in n],
        "no level": [f"{s:012d} {0:019d} {filler} handled" for s in n],
        "text, mixed words": [
            f"2024-01-01 12:00:00.{s % 1000:03d} {_LEVELS[s % 10]:5} 12345 --- [main] "
            f"o.s.web.DispatcherServlet : request {s} done" for s in n
        ],
        "JSON, mixed levels": [
            f'{{"ts":"2024-01-01T00:00:00Z","level":"{_LEVELS[s % 10].lower()}",'
            f'"msg":"request handled","ms":{s}}}' for s in n
        ],
        "logfmt": [
            f'time="2024-01-01T00:00:00Z" level={_LEVELS[s % 10].lower()} msg="handled" ms={s}'
            for s in n
        ],
        "klog": [f"I1201 12:00:00.{s:06d}       1 controller.go:114] synced {s}" for s in n],
    }  # fmt: skip


def _ns_per_line(run: Callable[[list[str]], object], lines: list[str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        run(lines)
        best = min(best, time.process_time() - start)
    return best * 1e9 / len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.levels", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="rounds per shape (best kept)")
    args = parser.parse_args()
    print(f"{'shape':32s} {'detect ns/line':>15s} {'join ns/line':>13s}")
    for name, lines in _shapes().items():
        detect = _ns_per_line(levels_of, lines, args.rounds)
        join = _ns_per_line("\n".join, lines, args.rounds)
        print(f"{name:32s} {detect:15.0f} {join:13.0f}")


if __name__ == "__main__":
    main()
