"""A viewer's outbox, as pure logic: order, pausing, the hello first, and every bound."""

from __future__ import annotations

import json

import pytest

from tailgate.streaming.frames import error_payload, notice_payload
from tailgate.streaming.outbox import BAD_IN_A_ROW, Kind, Outbox, Outgoing


def frame(text: str, kind: Kind = Kind.DATA, lines: int = 0) -> Outgoing:
    return Outgoing.of(json.dumps({"t": text}).encode(), kind, lines)


def drain(box: Outbox) -> list[str]:
    """Every frame that may go out now, by its text (or the notice event it carries)."""
    out = []
    while (item := box.next()) is not None:
        data = json.loads(item.frame[2:] if item.size < 126 else item.frame[4:])
        out.append(data.get("t") or data.get("event") or data.get("code"))
    return out


def opened() -> Outbox:
    box = Outbox()
    box.open(frame("hello", Kind.HELLO))
    assert drain(box) == ["hello"]
    return box


def test_nothing_leaves_before_the_hello_and_the_hello_leaves_first() -> None:
    box = Outbox()
    box.control(frame("gap", Kind.CONTROL))
    box.push(frame("lines"))
    assert box.next() is None
    box.open(frame("hello", Kind.HELLO))
    assert drain(box) == ["hello", "gap", "lines"]


def test_lines_notices_and_errors_leave_in_the_order_they_were_made() -> None:
    box = opened()
    box.push(frame("one"))
    box.control(frame("rotated", Kind.CONTROL))
    box.push(frame("two"))
    box.state(error_payload("permission_denied", "cannot read"))
    box.push(frame("three"))
    assert drain(box) == ["one", "rotated", "two", "permission_denied", "three"]


def test_a_paused_outbox_holds_everything_of_the_log_until_resumed() -> None:
    box = opened()
    box.push(frame("one"))
    box.pause()
    box.control(frame("rotated", Kind.CONTROL))
    box.push(frame("two"))
    assert drain(box) == []
    assert not box.idle
    box.resume()
    assert drain(box) == ["one", "rotated", "two"]
    assert box.idle


def test_while_paused_answers_to_the_clients_own_messages_still_leave() -> None:
    box = opened()
    box.pause()
    box.push(frame("held"))
    assert box.reply(frame("bad_message", Kind.REPLY))
    assert drain(box) == ["bad_message"]
    box.resume()
    assert drain(box) == ["held"]


def test_lines_wait_for_room_once_the_queue_holds_its_bound() -> None:
    box = Outbox(data_limit=100)
    box.open(frame("hello", Kind.HELLO))
    while box.data_room():
        box.push(frame("x" * 20))
    assert box.queued_bytes() >= 100
    drain(box)
    assert box.data_room()


def test_notices_past_their_bound_drop_the_oldest_and_the_viewer_hears_how_many() -> None:
    box = Outbox(control_limit=200)
    box.open(frame("hello", Kind.HELLO))
    drain(box)
    box.pause()
    for n in range(50):
        box.control(Outgoing.of(notice_payload("joined", f"pod {n}"), Kind.CONTROL))
    assert box.queued_bytes() <= 200
    box.resume()
    first = box.next()
    assert first is not None
    skipped = json.loads(first.frame[2:])
    assert skipped["event"] == "skipped"
    kept = drain(box)
    assert skipped["notices"] + len(kept) == 50
    assert kept[-1] == "joined"


def test_a_client_that_sends_too_many_bad_messages_in_a_row_is_refused() -> None:
    box = opened()
    answers = [box.reply(frame("bad_message", Kind.REPLY)) for _ in range(BAD_IN_A_ROW)]
    drain(box)
    assert all(answers)
    assert not box.reply(frame("bad_message", Kind.REPLY))


def test_a_valid_message_ends_a_run_of_bad_ones() -> None:
    box = opened()
    for _ in range(3):
        for _ in range(BAD_IN_A_ROW):
            assert box.reply(frame("bad_message", Kind.REPLY))
        drain(box)
        box.good_message()


def test_answers_that_the_client_does_not_read_are_bounded_in_bytes() -> None:
    box = Outbox(reply_limit=1000, bad_in_a_row=10_000)
    box.open(frame("hello", Kind.HELLO))
    taken = 0
    while box.reply(frame("bad_message", Kind.REPLY)):
        taken += 1
        assert taken < 1000
    assert box.queued_bytes() <= 1000 + len(frame("hello").frame)


@pytest.mark.parametrize("paused", [False, True])
def test_a_state_is_said_once_and_a_paused_viewer_hears_only_the_latest(paused: bool) -> None:
    box = opened()
    if paused:
        box.pause()
    box.state(notice_payload("waiting", "no file yet"))
    box.state(notice_payload("waiting", "no file yet"))
    box.state(notice_payload("deleted", "gone"))
    if paused:
        assert drain(box) == []
        box.resume()
        box.resend_state()
        assert drain(box) == ["deleted"]
    else:
        assert drain(box) == ["waiting", "deleted"]
    box.resend_state()
    assert drain(box) == []
