"""``bench.scenarios.many_logs``: its writer (``bench.writers.write_paced_each``) feeds
every file alike, and losses are put down to the log they happened in."""

from __future__ import annotations

from array import array
from pathlib import Path

from bench.lines import line, seq_of, stamp_of
from bench.pod_fleet import PodFleetReport, PodTally
from bench.scenarios.many_logs import by_log
from bench.writers import write_paced_each


def _frame(*seqs: int) -> dict[str, object]:
    """A file log's frame: no ``source``."""
    return {"type": "lines", "lines": [line(seq, 1)[:-1].decode() for seq in seqs]}


def test_the_writer_appends_the_same_numbered_stamped_lines_to_every_file(tmp_path: Path) -> None:
    paths = [tmp_path / f"log-{n}.log" for n in range(3)]
    for path in paths:
        path.write_bytes(line(999))  # what was there before stays
    span = write_paced_each(paths, rate=10_000, count=5)
    assert span.lines == 15
    for path in paths:
        rows = path.read_text().splitlines()
        assert [seq_of(row) for row in rows] == [999, 0, 1, 2, 3, 4]
        stamps = [stamp_of(row) for row in rows[1:]]
        assert stamps == sorted(stamps)
        assert span.first_ns <= stamps[0] and stamps[-1] <= span.last_ns


def test_losses_and_repeats_are_counted_per_log_and_a_silent_viewer_lost_everything() -> None:
    complete, skipping, silent, repeating = (
        PodTally("a"),
        PodTally("a"),
        PodTally("b"),
        PodTally("c"),
    )
    latencies: array[int] = array("q")
    complete.frame(_frame(0, 1, 2), 5, latencies)
    skipping.frame(_frame(0, 2), 5, latencies)  # 1 missing
    repeating.frame(_frame(0, 1, 1, 2), 5, latencies)  # 1 twice
    report = PodFleetReport(tallies=[complete, skipping, silent, repeating])
    assert by_log(report, 3) == {
        "a": {"lost": 1, "duplicated": 0, "viewers": 2},
        "b": {"lost": 3, "duplicated": 0, "viewers": 1},
        "c": {"lost": 0, "duplicated": 1, "viewers": 1},
    }
