"""Property-based: whatever a client sends (frames, query, Host, Origin), no surprise exception.

Each function either returns its result or raises the one error the caller turns
into an answer (an error frame, a 400); anything else would be a traceback and a
closed tail.
"""

from __future__ import annotations

import contextlib
import json

from hypothesis import given
from hypothesis import strategies as st

from tailgate.errors import BadClientMessage, BadRequest
from tailgate.settings import Settings
from tailgate.streaming.frames import MAX_CURSOR
from tailgate.streaming.messages import MAX_MESSAGE_BYTES, Command, parse_client_message
from tailgate.web.security import host_allowed, origin_allowed
from tailgate.web.tail_ws import parse_query

json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)
frames = st.one_of(
    st.text(max_size=MAX_MESSAGE_BYTES + 10),
    json_values.map(json.dumps),
    st.integers(1, 3000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(1, 3000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
    st.sampled_from(['{"type":"pause"}', '{"type":"resume"}']).map(lambda s: s + " "),
)


@given(frames)
def test_a_client_frame_is_a_command_or_a_bad_message(text: str) -> None:
    try:
        assert isinstance(parse_client_message(text), Command)
    except BadClientMessage as exc:
        assert str(exc)


query_values = st.text(max_size=300) | st.integers(-(10**12), 10**12).map(str)


@given(st.dictionaries(st.sampled_from(["backlog", "cursor", "other"]), query_values))
def test_the_query_always_gives_a_backlog_in_range_and_a_short_cursor(
    query: dict[str, str],
) -> None:
    backlog, cursor, problems = parse_query(query, 100, 10_000)
    assert 0 <= backlog <= 10_000
    assert cursor is None or len(cursor) <= MAX_CURSOR
    raw = query.get("backlog")
    if raw is not None and not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        assert backlog == 100
        assert [code for code, _ in problems] == ["bad_backlog"]
    for code, message in problems:
        assert code in ("bad_backlog", "backlog_capped", "bad_cursor") and message


headers = st.text(max_size=100) | st.from_regex(r"\[?[0-9a-f:.]*\]?(:[0-9]*)?", fullmatch=True)
SETTINGS = (
    Settings(auth="none"),
    Settings(auth="none", public_url="http://127.0.0.1:8080"),
)


@given(headers)
def test_a_host_header_is_allowed_refused_or_a_bad_request(value: str) -> None:
    for settings in SETTINGS:
        with contextlib.suppress(BadRequest):
            assert host_allowed(value, settings) in (True, False)


@given(headers | headers.map(lambda h: "http://" + h) | headers.map(lambda h: "https://" + h))
def test_an_origin_header_is_allowed_refused_or_a_bad_request(value: str) -> None:
    for settings in SETTINGS:
        with contextlib.suppress(BadRequest):
            assert origin_allowed(value, settings) in (True, False)
