"""The pods-log tally of ``bench.pod_fleet``: per pod, what was lost and what came twice."""

from __future__ import annotations

from array import array

from bench.lines import line
from bench.pod_fleet import PodTally


def _frame(source: str, *seqs: int, stamp: int = 1) -> dict[str, object]:
    lines = [line(seq, stamp)[:-1].decode() for seq in seqs]
    return {"type": "lines", "source": source, "lines": lines, "cursor": "c"}


def test_interleaved_pods_each_in_order_are_complete() -> None:
    tally, latencies = PodTally(), array("q")
    for frame in (
        _frame("a/app", 0, 1),
        _frame("b/app", 0),
        _frame("a/app", 2),
        _frame("b/app", 1, 2),
    ):
        tally.frame(frame, 10, latencies)
    assert tally.totals({"a/app": 3, "b/app": 3}) == {"lost": 0, "duplicated": 0, "strays": 0}
    assert list(latencies) == [9, 9, 9, 9]


def test_skipped_repeated_missing_and_unexpected_lines_are_counted() -> None:
    tally, latencies = PodTally(), array("q")
    tally.frame(_frame("a/app", 0, 2, 2), 5, latencies)  # 1 skipped, 2 twice
    tally.frame(_frame("c/app", 0), 5, latencies)  # a pod nobody wrote to
    tally.frame({"type": "notice", "event": "gap"}, 5, latencies)
    totals = tally.totals({"a/app": 5, "b/app": 2})
    # a: 1 skipped + 3, 4 never came; b: both never came.
    assert totals == {"lost": 5, "duplicated": 1, "strays": 1}
    assert tally.notices and "gap" in tally.notices[0]


def test_hello_is_not_a_notice() -> None:
    tally = PodTally()
    assert tally.frame({"type": "hello"}, 0, array("q")) == 0
    assert tally.notices == []
