"""A tail's filter at the source: what it accepts, which lines it picks, and its context.

The context rule is checked against a plain reference (grep -C over the whole
stream) for any lines cut into any batches: what a stream sends must not depend on
where its batches happen to end.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tailgate.streaming.line_filter import (
    MAX_CONTEXT,
    FilterProblem,
    FilterRun,
    LineFilter,
    parse_filter,
)
from tailgate.streaming.views import TextBatch, View, picked_payloads, render


def filter_of(**query: str) -> LineFilter:
    parsed = parse_filter(query)
    assert parsed is not None
    return parsed


def picked(line_filter: LineFilter, lines: list[str]) -> list[str]:
    batch = TextBatch(lines, "c")
    return [lines[i] for i in line_filter.matched(batch)]


# -- what a query asks for --------------------------------------------------------------


def test_no_filter_and_no_levels_is_no_filter() -> None:
    assert parse_filter({}) is None
    assert parse_filter({"filter": ""}) is None
    assert parse_filter({"backlog": "5"}) is None


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"filter": "(a", "regex": "1"}, "bad regex"),
        ({"filter": "(a)\\1", "regex": "1"}, "bad regex"),  # a backreference: not linear
        ({"filter": "x" * 1001}, "longer than"),
        ({"filter": "a\x00b"}, "NUL"),
        ({"filter": "a", "regex": "yes"}, "regex takes 1 or 0"),
        ({"filter": "a", "case": "2"}, "case takes 1 or 0"),
        ({"invert": "1"}, "invert needs a filter"),
        ({"context": "2"}, "context needs"),
        ({"filter": "a", "context": "-1"}, "whole number"),
        ({"filter": "a", "context": "٣"}, "whole number"),
        ({"filter": "a", "context": str(MAX_CONTEXT + 1)}, f"at most {MAX_CONTEXT}"),
        ({"levels": "error,loud"}, "unknown level 'loud'"),
        ({"levels": ","}, "at least one level"),
    ],
)
def test_a_filter_that_cannot_be_applied_says_why(query: dict[str, str], says: str) -> None:
    with pytest.raises(FilterProblem, match=says):
        parse_filter(query)


def test_only_a_refused_regex_is_marked_refused() -> None:
    with pytest.raises(FilterProblem) as refused:
        parse_filter({"filter": "(a", "regex": "1"})
    assert refused.value.refused
    with pytest.raises(FilterProblem) as long:
        parse_filter({"filter": "x" * 1001})
    assert not long.value.refused


def test_the_same_query_is_the_same_filter_so_viewers_share_frames() -> None:
    one = filter_of(filter="error", regex="1", levels="warn,error")
    two = filter_of(filter="error", regex="true", levels="error,warning")
    assert one == two
    assert hash(View(one, levels=True)) == hash(View(two, levels=True))
    assert one != filter_of(filter="error", regex="1", levels="error")


# -- which lines it picks ----------------------------------------------------------------


LINES = [
    "INFO started",
    "ERROR disk full",
    "WARN: error budget low",
    "Error: retry",
    "a.b.c",
    "ÉCHEC de connexion",
    "",
]


def test_a_literal_matches_anywhere_in_any_case() -> None:
    assert picked(filter_of(filter="error"), LINES) == LINES[1:4]


def test_case_makes_it_case_sensitive() -> None:
    assert picked(filter_of(filter="Error", case="1"), LINES) == ["Error: retry"]


def test_a_literal_is_not_a_regex() -> None:
    assert picked(filter_of(filter="."), LINES) == ["a.b.c"]
    assert picked(filter_of(filter="a.b", regex="1"), LINES) == ["a.b.c"]


def test_a_regex_anchors_at_each_line_and_never_spans_two() -> None:
    assert picked(filter_of(filter="^error", regex="1"), LINES) == [
        "ERROR disk full",
        "Error: retry",
    ]
    assert picked(filter_of(filter="full$", regex="1"), LINES) == ["ERROR disk full"]
    assert picked(filter_of(filter="full\\s+warn", regex="1"), LINES) == []
    assert picked(filter_of(filter="^$", regex="1"), LINES) == [""]


def test_case_folding_covers_letters_beyond_ascii() -> None:
    assert picked(filter_of(filter="échec"), LINES) == ["ÉCHEC de connexion"]


def test_invert_picks_the_lines_without_a_match() -> None:
    assert picked(filter_of(filter="error", invert="1"), LINES) == [
        "INFO started",
        "a.b.c",
        "ÉCHEC de connexion",
        "",
    ]


def test_levels_pick_by_the_detected_level_and_combine_with_the_text() -> None:
    assert picked(filter_of(levels="error"), LINES) == ["ERROR disk full"]
    assert picked(filter_of(levels="info,warn"), LINES) == [
        "INFO started",
        "WARN: error budget low",
    ]
    assert picked(filter_of(filter="disk", levels="info"), LINES) == []


def test_a_pattern_that_matches_nothing_in_a_line_of_it_matches_every_line() -> None:
    assert picked(filter_of(filter="x*", regex="1"), ["a", "", "b"]) == ["a", "", "b"]


# -- context along a stream --------------------------------------------------------------


def reference(lines: list[str], is_match: list[bool], width: int) -> list[tuple[str, bool]]:
    """grep -C width: every line within ``width`` of a match, flagged as context or not."""
    near = set()
    for i, hit in enumerate(is_match):
        if hit:
            near.update(range(max(0, i - width), min(len(lines), i + width + 1)))
    return [(lines[i], not is_match[i]) for i in sorted(near)]


def streamed(run: FilterRun, batches: list[list[str]]) -> tuple[list[tuple[str, bool]], int]:
    """What a run sends of ``batches`` (lines flagged as context), and what it skipped."""
    out: list[tuple[str, bool]] = []
    skipped = 0
    for n, lines in enumerate(batches):
        batch = TextBatch(lines, f"c{n}")
        chosen = run.pick(batch)
        skipped += chosen.skipped
        for payload in picked_payloads(batch, chosen, with_levels=False):
            frame: dict[str, Any] = json.loads(payload)
            marked = set(frame.get("context", []))
            out += [(line, i in marked) for i, line in enumerate(frame["lines"])]
    return out, skipped


@settings(max_examples=300, deadline=None)
@given(
    hits=st.lists(st.booleans(), max_size=60),
    cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=8),
    width=st.integers(min_value=0, max_value=4),
)
def test_context_is_grep_c_over_the_whole_stream_wherever_batches_end(
    hits: list[bool], cuts: list[int], width: int
) -> None:
    lines = [f"{'HIT' if hit else 'line'} {i}" for i, hit in enumerate(hits)]
    bounds = sorted({0, len(lines), *(c for c in cuts if c <= len(lines))})
    batches = [lines[a:b] for a, b in itertools.pairwise(bounds)]
    line_filter = filter_of(filter="HIT", case="1", context=str(width))
    run = FilterRun(line_filter)
    sent, skipped = streamed(run, batches)
    assert sent == reference(lines, hits, width)
    # Every line is sent, skipped or still held as the next match's context: once.
    assert len(sent) + skipped + len(run.recent) == len(lines)


def test_a_copy_of_a_run_goes_on_as_the_run_would() -> None:
    run = FilterRun(filter_of(filter="HIT", case="1", context="2"))
    run.pick(TextBatch(["a", "b", "c"], "c0"))
    twin = run.copy()
    first = streamed(run, [["HIT", "d", "e", "f"]])
    assert streamed(twin, [["HIT", "d", "e", "f"]]) == first
    assert first[0] == [("b", True), ("c", True), ("HIT", False), ("d", True), ("e", True)]


def test_context_from_another_pod_goes_in_a_frame_of_its_own_without_a_cursor() -> None:
    class PodBatch(TextBatch):
        __slots__ = ("source", "stamps")

    before = PodBatch(["a1", "a2"], "c0")
    before.source, before.stamps = "pod-a", ["t1", "t2"]
    after = PodBatch(["HIT b1"], "c1")
    after.source, after.stamps = "pod-b", ["t3"]
    run = FilterRun(filter_of(filter="HIT", case="1", context="1"))
    assert render(before, View(run.filter), run).frame is None
    frames = picked_payloads(after, run.pick(after), with_levels=False)
    first, second = (json.loads(f) for f in frames)
    assert first == {"type": "lines", "lines": ["a2"], "context": [0], "source": "pod-a",
                     "timestamps": ["t2"]}  # fmt: skip
    assert second["lines"] == ["HIT b1"] and second["source"] == "pod-b"
    assert second["cursor"] == "c1" and second["timestamps"] == ["t3"]
    assert "context" not in second


def test_a_batch_with_nothing_picked_has_no_frame_and_counts_what_it_skipped() -> None:
    view = View(filter_of(filter="HIT"))
    rendered = render(TextBatch(["a", "b", "c"], "c0"), view, view.run())
    assert rendered.frame is None and rendered.skipped == 3 and rendered.lines == 0
