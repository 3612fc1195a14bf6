"""The tail WebSocket's handshake and refusals: Origin, Host, unknown IDs, caps, bad frames."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from tests.support.tails import RunningServer, TailClient, running_server, wait_for

REJECTIONS = "tailgate_ws_rejections_total"
ACTIVE = "tailgate_active_tails"


def app_log(tmp_path: Path) -> Path:
    log = tmp_path / "app.log"
    log.write_text("one\n")
    return log


async def open_tail(server: RunningServer, log_id: str = "app") -> TailClient:
    """A tail from the live end, past its hello."""
    tail = await server.tail(log_id, backlog=0)
    await tail.expect("hello")
    return tail


async def still_following(tail: TailClient, log: Path, line: str) -> None:
    with log.open("a") as f:
        f.write(line + "\n")
    lines = await tail.read_lines(len(tail.lines) + 1)
    assert lines[-1] == line


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "https://127.0.0.1.evil.example",
        "http://localhost.evil.example:8080",
        "null",
        "file://",
    ],
)
async def test_a_websocket_from_a_foreign_origin_is_refused_with_403_and_counted(
    tmp_path: Path, origin: str
) -> None:
    async with running_server(tmp_path, {"app": app_log(tmp_path)}) as server:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await server.session.ws_connect(server.ws_url("app"), origin=origin)
        assert refused.value.status == 403
        assert server.metric(REJECTIONS, reason="origin") == 1
        assert server.metric("tailgate_tails_started_total", log_id="app", kind="file") == 0


@pytest.mark.parametrize(
    "origin", ["http://127.0.0.1:{port}", "http://localhost:{port}", "http://[::1]:8080"]
)
async def test_a_websocket_from_a_loopback_origin_is_accepted(tmp_path: Path, origin: str) -> None:
    async with running_server(tmp_path, {"app": app_log(tmp_path)}) as server:
        port = server.base_url.rsplit(":", 1)[1]
        ws = await server.session.ws_connect(server.ws_url("app"), origin=origin.format(port=port))
        tail = TailClient(ws)
        await tail.expect("hello")
        assert await tail.read_lines(1) == ["one"]
        await tail.close()
        assert server.metric(REJECTIONS, reason="origin") == 0


async def test_a_websocket_with_a_foreign_host_is_refused(tmp_path: Path) -> None:
    async with running_server(tmp_path, {"app": app_log(tmp_path)}) as server:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await server.session.ws_connect(server.ws_url("app"), headers={"Host": "evil.example"})
        assert refused.value.status == 403


async def test_an_unknown_log_id_gets_an_error_frame_then_4404(tmp_path: Path) -> None:
    async with running_server(tmp_path, {"app": app_log(tmp_path)}) as server:
        tail = await server.tail("nope")
        error = await tail.expect("error")
        assert error["code"] == "unknown_log"
        assert "nope" in error["message"]
        await tail.expect_close(4404)
        assert server.metric(REJECTIONS, reason="unknown_log") == 1


async def test_a_client_over_its_tail_cap_gets_4429_until_it_closes_one(tmp_path: Path) -> None:
    log = app_log(tmp_path)
    async with running_server(tmp_path, {"app": log}, max_tails_per_client=2) as server:
        first = await open_tail(server)
        second = await open_tail(server)
        third = await server.tail("app")
        error = await third.expect("error")
        assert error["code"] == "too_many_tails"
        await third.expect_close(4429)
        assert server.metric(REJECTIONS, reason="too_many_tails") == 1
        await still_following(second, log, "two")
        await first.close()
        await wait_for(
            lambda: server.metric("tailgate_active_tails", log_id="app", kind="file") == 1
        )
        again = await open_tail(server)
        await again.close()
        await second.close()


async def test_a_server_at_its_total_tail_cap_gets_4429(tmp_path: Path) -> None:
    log = app_log(tmp_path)
    async with running_server(tmp_path, {"app": log}, max_tails=1) as server:
        first = await open_tail(server)
        second = await server.tail("app")
        error = await second.expect("error")
        assert error["code"] == "too_many_tails"
        await second.expect_close(4429)
        await still_following(first, log, "two")
        await first.close()


async def test_without_trust_forwarded_x_forwarded_for_does_not_change_the_client(
    tmp_path: Path,
) -> None:
    async with running_server(
        tmp_path, {"app": app_log(tmp_path)}, max_tails_per_client=1
    ) as server:
        first = await server.session.ws_connect(
            server.ws_url("app"), headers={"X-Forwarded-For": "10.0.0.1"}
        )
        await TailClient(first).expect("hello")
        second = TailClient(
            await server.session.ws_connect(
                server.ws_url("app"), headers={"X-Forwarded-For": "10.0.0.2"}
            )
        )
        await second.expect_close(4429)
        await first.close()


async def test_behind_a_trusted_proxy_a_client_cannot_dodge_its_cap_with_its_own_header(
    tmp_path: Path,
) -> None:
    log = app_log(tmp_path)
    async with running_server(
        tmp_path, {"app": log}, trust_forwarded=True, max_tails_per_client=1
    ) as server:
        # The proxy appends the address it saw (203.0.113.7) to whatever the client sent.
        first = await server.session.ws_connect(
            server.ws_url("app"), headers={"X-Forwarded-For": "10.0.0.1, 203.0.113.7"}
        )
        await TailClient(first).expect("hello")
        second = TailClient(
            await server.session.ws_connect(
                server.ws_url("app"), headers={"X-Forwarded-For": "10.0.0.2, 203.0.113.7"}
            )
        )
        # Admitted, the first frame would be its hello.
        first_frame = await second.frame()
        await second.close()
        await first.close()
        assert first_frame["type"] == "error"
        assert first_frame["code"] == "too_many_tails"


@pytest.mark.parametrize(
    "frame",
    ["not json", '{"type": "dance"}', '["pause"]', '{"kind": "pause"}', b"\x00\x01binary"],
    ids=["not-json", "unknown-type", "not-an-object", "no-type", "binary"],
)
async def test_a_frame_the_server_does_not_understand_gets_bad_message_and_the_tail_goes_on(
    tmp_path: Path, frame: str | bytes
) -> None:
    log = app_log(tmp_path)
    async with running_server(tmp_path, {"app": log}) as server:
        tail = await open_tail(server)
        if isinstance(frame, bytes):
            await tail.ws.send_bytes(frame)
        else:
            await tail.send(frame)
        error = await tail.expect("error")
        assert error["code"] == "bad_message"
        assert error["message"]
        await still_following(tail, log, "still here")
        await tail.close()


async def test_several_bad_frames_in_a_row_each_get_an_answer(tmp_path: Path) -> None:
    log = app_log(tmp_path)
    async with running_server(tmp_path, {"app": log}) as server:
        tail = await open_tail(server)
        await tail.send("{")
        await tail.send({"type": 42})
        await tail.ws.send_bytes(b"\xff")
        for _ in range(3):
            assert (await tail.expect("error"))["code"] == "bad_message"
        await tail.send({"type": "pause"})
        await tail.send({"type": "resume"})
        await still_following(tail, log, "after pause and resume")
        await tail.close()
