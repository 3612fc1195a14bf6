"""A viewer writes every frame through its queue: in order, nothing while paused, bounded."""

from __future__ import annotations

import asyncio

from tailgate.streaming.frames import lines_payload, ws_text_frame
from tailgate.streaming.viewer import WRITE_HIGH, Viewer
from tests.support.connections import Connection


def hello(viewer: Viewer) -> None:
    viewer.hello(b'{"type":"hello"}')


async def test_a_notice_made_while_paused_waits_for_the_resume_behind_the_lines_before_it() -> None:
    conn = Connection()
    viewer = Viewer(conn)
    hello(viewer)
    viewer.pause()
    await viewer.send(lines_payload(["one"], "c1"), 1)
    viewer.notice("rotated", "the file was rotated")
    viewer.error("read_error", "cannot read")
    assert [f["type"] for f in conn.frames()] == ["hello"]
    viewer.resume()
    assert [f["type"] for f in conn.frames()] == ["hello", "lines", "notice", "error"]


async def test_nothing_is_written_before_the_hello_and_the_hello_comes_first() -> None:
    conn = Connection()
    viewer = Viewer(conn)
    viewer.error("bad_cursor", "the cursor is malformed")
    assert conn.written == []
    assert not viewer.offer(ws_text_frame(b'{"type":"lines"}'), 1, 16)
    hello(viewer)
    assert [f["type"] for f in conn.frames()] == ["hello", "error"]


async def test_a_shared_frame_is_written_at_once_when_nothing_waits() -> None:
    conn = Connection()
    viewer = Viewer(conn)
    hello(viewer)
    frame = ws_text_frame(lines_payload(["live"], "c"))
    assert viewer.offer(frame, 1, len(frame) - 2)
    assert conn.written[-1] is frame
    assert viewer.lines_sent == 1


async def test_a_shared_frame_waits_behind_a_queued_notice_and_keeps_its_place() -> None:
    conn = Connection()
    viewer = Viewer(conn)
    hello(viewer)
    conn.stalled, conn.unsent = True, WRITE_HIGH + 1
    viewer.notice("rotated", "the file was rotated")
    assert not viewer.offer(ws_text_frame(lines_payload(["x"], "c")), 1, 10)
    conn.unsent = 0
    frame = ws_text_frame(lines_payload(["after"], "c"))
    assert viewer.offer(frame, 1, len(frame) - 2)
    assert [f["type"] for f in conn.frames()] == ["hello", "notice", "lines"]


async def test_answers_to_a_client_that_does_not_read_stay_bounded_and_then_are_refused() -> None:
    conn = Connection()
    viewer = Viewer(conn)
    hello(viewer)
    conn.stalled, conn.unsent = True, WRITE_HIGH + 1
    answered = 0
    while viewer.reply("bad_message", "message is not JSON"):
        viewer.good_message()  # only the bytes rule can stop this client
        answered += 1
        assert answered < 10_000
    assert viewer.queued == answered
    assert len(conn.written) == 1  # the hello; nothing more reached the stalled connection


async def test_lines_wait_while_the_queue_is_full_and_go_once_the_connection_drains() -> None:
    conn = Connection()
    drained = asyncio.Event()

    async def drain() -> None:
        await drained.wait()
        conn.unsent = 0

    viewer = Viewer(conn, drain)
    hello(viewer)
    pump = asyncio.create_task(viewer.pump())
    conn.stalled, conn.unsent = True, WRITE_HIGH + 1
    payload = lines_payload(["x" * 1000], "c")
    sending = asyncio.create_task(_send_many(viewer, payload, 200))
    await asyncio.sleep(0)
    assert not sending.done()
    conn.stalled = False
    drained.set()
    await asyncio.wait_for(sending, 5)
    await asyncio.wait_for(_until_empty(viewer), 5)
    assert sum(f["type"] == "lines" for f in conn.frames()) == 200
    pump.cancel()
    await asyncio.gather(pump, return_exceptions=True)


async def _send_many(viewer: Viewer, payload: bytes, count: int) -> None:
    for _ in range(count):
        await viewer.send(payload, 1)


async def _until_empty(viewer: Viewer) -> None:
    while viewer.queued:
        await asyncio.sleep(0)


async def test_a_viewer_catching_up_waits_for_room_before_it_reads_more() -> None:
    conn = Connection()
    drained = asyncio.Event()

    async def drain() -> None:
        await drained.wait()
        conn.unsent = 0

    viewer = Viewer(conn, drain)
    hello(viewer)
    pump = asyncio.create_task(viewer.pump())
    await asyncio.wait_for(viewer.wait_room(), 1)  # room: it returns at once
    conn.stalled, conn.unsent = True, WRITE_HIGH + 1
    payload = lines_payload(["x" * 1000], "c")
    sent = 0
    while True:
        waiting = asyncio.create_task(viewer.wait_room())
        await asyncio.sleep(0)
        if not waiting.done():
            break
        await viewer.send(payload, 1)  # never waits: there was room
        sent += 1
        assert sent < 1000
    assert viewer.queued == sent  # what it read is queued; it reads no more meanwhile
    conn.stalled = False
    drained.set()
    await asyncio.wait_for(waiting, 5)
    await asyncio.wait_for(_until_empty(viewer), 5)
    assert sum(f["type"] == "lines" for f in conn.frames()) == sent
    pump.cancel()
    await asyncio.gather(pump, return_exceptions=True)
