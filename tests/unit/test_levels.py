"""The severity detector (streaming/levels.py): real line shapes, the near misses, and
the ``levels`` field of ``lines`` frames it fills (docs/protocol.md)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tailgate.streaming.levels import LEVELS, detect, levels_of
from tailgate.streaming.views import TextBatch

SHAPES = [
    # JSON keys, names in any case, pino/bunyan numbers
    ('{"level":"error","msg":"disk full"}', "error"),
    ('{"ts":"2024-01-01T00:00:00Z","level":"INFO","msg":"ok"}', "info"),
    ('{"time": 1, "level": "warning", "msg": "slow"}', "warn"),
    ('{"severity":"ERROR","message":"boom"}', "error"),
    ('{"severity":"CRITICAL","message":"gone"}', "fatal"),
    ('{"lvl":"dbug"}', None),
    ('{"lvl":"debug","msg":"x"}', "debug"),
    ('{"level":30,"time":1,"msg":"pino"}', "info"),
    ('{"level":50,"msg":"pino error"}', "error"),
    ('{"level":60,"msg":"pino fatal"}', "fatal"),
    ('{"level":10}', "trace"),
    ('{"level":35}', None),
    ('{"level":500}', None),
    ('{"msg":"saw \\"level\\":\\"error\\" in a string","level":"info"}', "info"),
    ('{"msg":"ERROR in the message","level":"debug"}', "debug"),
    ('{"msg":"level","count":1}', None),
    # logfmt
    ('time="2024-01-01T00:00:00Z" level=info msg="request handled"', "info"),
    ("level=error ts=2024-01-01T00:00:00Z caller=main.go:12 msg=failed", "error"),
    ('ts=1 level="warn" msg=x', "warn"),
    ("ts=1 lvl=dbug msg=x", None),
    ("ts=1 lvl=debug msg=x", "debug"),
    ("ts=1 severity=Error msg=x", "error"),
    ('ts=1 msg="INFO is a word here" level=error', "error"),
    ("loglevel=error msg=x", None),
    ("GET /search?level=error&q=1 200", None),
    ("set level=verbose for module x", "trace"),
    # klog
    ("E1201 12:00:00.000000       1 controller.go:114] sync failed", "error"),
    ("W0101 00:00:01.123456   42 reflector.go:424] watch closed", "warn"),
    ("I1231 23:59:59.999999    7 main.go:1] started", "info"),
    ("F0505 05:05:05.000000    1 main.go:9] cannot start", "fatal"),
    ("E1201 is not a header", None),
    ("X1201 12:00:00.000000 1 x.go:1] not a level letter", None),
    # syslog priorities
    ("<3>Dec  1 12:00:00 host app[1]: failed", "error"),
    ("<11>Dec  1 12:00:00 host app[1]: user.err", "error"),
    ("<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - 'su root' failed", "fatal"),
    ("<6>kernel: eth0 up", "info"),
    ("<7>debugging", "debug"),
    ("<4>careful", "warn"),
    ("<192>out of range", None),
    ("<html><body>", None),
    ("text then <3> later", None),
    # bracketed names, any case
    ("2024/01/01 12:00:00 [error] 123#0: *1 open() failed", "error"),
    ("[WARN] deprecated option", "warn"),
    ("[Mon Jan 01 12:00:00 2024] [core:error] [pid 1] AH00037: failed", "error"),
    ("12:00:00 [INFO ] ready", "info"),
    ("12:00:00 [ debug] poll", "debug"),
    ("[main] o.s.Application : started", None),
    ("[nio-8080-exec-1] handled", None),
    # bare upper-case words
    ("2024-01-01 12:00:00.000  INFO 12345 --- [main] o.s.Application : Started", "info"),
    ("2024-01-01 12:00:00,000 ERROR [worker] failed to connect", "error"),
    ("ERROR:root:division by zero", "error"),
    ("WARNING:urllib3:retrying", "warn"),
    ("[2024-01-01T00:00:00Z WARN  app::net] slow peer", "warn"),
    ("12:00:00 DEBUG cache miss", "debug"),
    ("12:00:00 TRACE entering f()", "trace"),
    ("12:00:00 FATAL out of memory", "fatal"),
    ("12:00:00 [CRITICAL] disk gone", "fatal"),
    ("12:00:00 [panic] gone", "fatal"),
    ("12:00:00 ERR timeout", "error"),
    ("status=ERROR code=7", "error"),
    ("12:00:00 INFO retry after ERROR", "info"),
    ("12:00:00 INFO: done", "info"),
    # near misses: no level
    ("an error occurred while reading", None),
    ("Error: not upper case", None),
    ("MYERROR happened", None),
    ("ERRORS: 0", None),
    ("ERRNO 5", None),
    ("ERROR_PAGE shown", None),
    ("X-ERROR header set", None),
    ("GET /api/ERROR/list 200", None),
    ("GET https://example.com/error?x=1 404", None),
    ("see /var/log/ERROR.log", None),
    ("INFORMATION_SCHEMA query", None),
    ("DEBUGGER attached", None),
    ("TRACEID=abc", None),
    ("", None),
    ("plain text with nothing", None),
]


@pytest.mark.parametrize(("line", "level"), SHAPES)
def test_each_line_shape_gets_its_level_or_none(line: str, level: str | None) -> None:
    assert detect(line) == level


def test_every_level_found_is_one_of_the_fixed_set() -> None:
    found = {level for _, level in SHAPES if level is not None}
    assert found == set(LEVELS)


def test_a_batch_gets_levels_parallel_to_its_lines_in_one_call() -> None:
    lines = [line for line, _ in SHAPES]
    assert levels_of(lines) == [level for _, level in SHAPES]


def test_a_batch_without_any_level_gets_none_not_a_list_of_nones() -> None:
    assert levels_of(["one", "two", "an error in lower case"]) is None
    assert levels_of([]) is None


def test_lines_on_either_side_of_a_level_keep_none() -> None:
    assert levels_of(["before", "12:00 WARN x", "after"]) == [None, "warn", None]


def test_a_header_at_the_start_of_a_later_line_belongs_to_that_line() -> None:
    lines = ["plain", "E1201 12:00:00.000000 1 x.go:1] failed", "<4>careful", "last"]
    assert levels_of(lines) == [None, "error", "warn", None]


def test_a_line_keeps_its_own_level_when_its_neighbours_name_others() -> None:
    lines = ["12:00 DEBUG a ERROR", "12:00 INFO b", '{"level":"warn"} ERROR', "level=info WARN"]
    assert levels_of(lines) == ["debug", "info", "warn", "info"]


def test_a_lines_frame_carries_levels_parallel_to_its_lines_when_asked() -> None:
    lines = ["12:00 INFO ready", "  at main.go:12", "<3>disk full"]
    batch = TextBatch(lines, "c1")
    assert json.loads(batch.payload(with_levels=True))["levels"] == ["info", None, "error"]
    assert "levels" not in json.loads(batch.payload())


def test_a_lines_frame_without_any_level_has_no_levels_key() -> None:
    batch = TextBatch(["plain", "text"], "c1")
    assert "levels" not in json.loads(batch.payload(with_levels=True))


def test_a_batch_of_one_word_gets_it_on_every_line_that_holds_it() -> None:
    lines = [
        f"2024-01-01 12:00:{n:02d}.000  INFO 1 --- [main] o.s.App : step {n}" for n in range(50)
    ]
    assert levels_of(lines) == ["info"] * 50


def test_a_batch_of_one_word_keeps_none_where_a_line_lacks_it_or_has_it_inside_a_word() -> None:
    lines = ["12:00 INFO a", "12:00 INFO: b", "no level", "12:00 INFORMATION c", "INFO"]
    assert levels_of(lines) == ["info", "info", None, None, "info"]


def test_a_key_on_one_line_of_a_batch_of_one_word_still_wins_there() -> None:
    lines = ["12:00 INFO a", "12:00 INFO b level=error", "12:00 INFO c"]
    assert levels_of(lines) == ["info", "error", "info"]


def test_a_bracketed_name_in_a_batch_of_one_word_still_counts_first() -> None:
    lines = ["12:00 INFO a", "[debug] 12:00 INFO b", "12:00 INFO c [main]"]
    assert levels_of(lines) == ["info", "debug", "info"]


def test_in_a_batch_of_many_words_each_line_gets_its_first() -> None:
    lines = ["12:00 INFO a", "12:00 ERROR b after INFO", "12:00 WARN c", "12:00 INFO d ERROR"]
    assert levels_of(lines) == ["info", "error", "warn", "info"]


def test_json_lines_with_one_level_key_each_get_their_own() -> None:
    lines = [
        f'{{"level":"{name}","msg":"ERROR {n}"}}' for n, name in enumerate(["info", "warn"] * 5)
    ]
    lines.append('{"level":"bogus","msg":"WARN"}')
    assert levels_of(lines) == ["info", "warn"] * 5 + [None]


def test_json_lines_where_one_has_two_level_keys_keep_each_lines_first() -> None:
    lines = ['{"level":"info"}', '{"level":"error","ctx":{"level":"debug"}}', '{"level":"warn"}']
    assert levels_of(lines) == ["info", "error", "warn"]
    lines = ['{"level":"info"}', '{"msg":"x"}', '{"level":"warn","a":{"level":"info"}}']
    assert levels_of(lines) == ["info", None, "warn"]


def test_of_several_keys_on_a_line_json_level_comes_first_then_the_others_in_order() -> None:
    lines = ['{"severity":"ERROR","level":"info"}', '{"lvl":"debug","severity":"warn"}']
    assert levels_of(lines) == ["info", "debug"]
    assert levels_of(['ts=1 {"severity":"error"} level=warn']) == ["error"]
    assert levels_of(["I1201 12:00:00.000000 1 x.go:1] level=warn"]) == ["warn"]


#: Whole lines of every shape, and pieces of them, so that lines mix shapes.
PIECES = [line for line, _ in SHAPES] + ["INFO", "ERROR", "[warn]", "level=info", " ", "x"]
LINE = st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(LINE, st.sampled_from(PIECES)), min_size=1, max_size=30))
def test_a_line_gets_the_same_level_in_any_batch_as_on_its_own(lines: list[str]) -> None:
    batch = levels_of(lines)
    alone = [detect(line) for line in lines]
    assert (batch if batch is not None else [None] * len(lines)) == alone
    assert batch is None or any(level is not None for level in batch)
