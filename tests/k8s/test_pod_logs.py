"""A single pod's log: backlog, live lines, restarts, reconnects, sharing, errors."""

from __future__ import annotations

from pathlib import Path

from tests.kube.fake_api import FakeKubeAPI
from tests.support.tails import TailClient

from .conftest import NS, kube_server, objects, pod_catalog

WEB = pod_catalog(web="pod: {namespace: shop, name: web-0}")


async def test_a_pod_log_sends_its_backlog_then_live_lines_without_timestamps(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    kube_api.append_log(NS, "web-0", "app", "one", "two", "three")
    async with kube_server(kube_api, tmp_path, catalog=WEB) as server:
        tail = await server.tail("web", backlog=2)
        assert await tail.read_lines(2) == ["two", "three"]
        kube_api.append_log(NS, "web-0", "app", "four")
        assert await tail.read_lines(3) == ["two", "three", "four"]
        await tail.close()
    await kube_api.wait_until(lambda: kube_api.open_log_streams == 0)


async def test_a_restarted_container_is_followed_with_a_restarted_notice(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    kube_api.append_log(NS, "web-0", "app", "before")
    async with kube_server(kube_api, tmp_path, catalog=WEB) as server:
        tail = await server.tail("web")
        assert await tail.read_lines(1) == ["before"]
        # The backlog comes from a first, unfollowed read: restart once the follow is open.
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
        kube_api.restart_container(NS, "web-0", "app")
        notice = await tail.expect("notice")
        assert notice["event"] == "restarted"
        kube_api.append_log(NS, "web-0", "app", "after")
        assert await tail.read_lines(2) == ["before", "after"]
        assert server.metric("tailgate_upstream_reconnects_total", reason="restarted") == 1
        await tail.close()


async def test_a_stream_the_server_ends_is_resumed_without_gap_or_duplicate(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    stamp = 1_700_000_000_000_000_000
    kube_api.append_log(NS, "web-0", "app", "a", "b", at=stamp)  # same timestamp twice
    async with kube_server(kube_api, tmp_path, catalog=WEB) as server:
        tail = await server.tail("web")
        assert await tail.read_lines(2) == ["a", "b"]
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
        kube_api.drop_log_streams()
        kube_api.append_log(NS, "web-0", "app", "c", at=stamp)
        kube_api.append_log(NS, "web-0", "app", "d")
        assert await tail.read_lines(4) == ["a", "b", "c", "d"]
        kube_api.append_log(NS, "web-0", "app", "e")
        assert await tail.read_lines(5) == ["a", "b", "c", "d", "e"]
        assert server.metric("tailgate_upstream_reconnects_total", reason="ended") >= 1
        await tail.close()


async def test_viewers_of_one_pod_share_one_upstream_closed_after_the_last_leaves(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    kube_api.append_log(NS, "web-0", "app", "first")
    async with kube_server(kube_api, tmp_path, catalog=WEB) as server:
        tails = [await server.tail("web") for _ in range(3)]
        for tail in tails:
            assert await tail.read_lines(1) == ["first"]
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
        kube_api.append_log(NS, "web-0", "app", "second")
        for tail in tails:
            assert await tail.read_lines(2) == ["first", "second"]
        assert kube_api.open_log_streams == 1
        assert server.metric("tailgate_upstream_streams", kind="pod") == 1
        log_requests = [p for _, p in kube_api.requests if "/log" in p]
        assert len(log_requests) == 2  # the backlog read, then one followed stream
        for tail in tails:
            await tail.close()
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 0, timeout=1.0)
        assert server.metric("tailgate_upstream_streams", kind="pod") == 0


async def _pause_while_writing(
    kube_api: FakeKubeAPI, fast: TailClient, slow: TailClient, batches: int
) -> list[str]:
    await slow.send({"type": "pause"})
    await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
    expected: list[str] = []
    for batch in range(batches):
        lines = [f"batch {batch} line {i} " + "x" * 20 for i in range(5)]
        expected += lines
        kube_api.append_log(NS, "web-0", "app", *lines)
        await fast.read_lines(len(expected))
    assert fast.lines == expected
    await slow.send({"type": "resume"})
    return expected


async def test_a_paused_viewer_loses_nothing_while_the_ring_still_holds_its_place(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    async with kube_server(kube_api, tmp_path, catalog=WEB) as server:
        fast = await server.tail("web")
        slow = await server.tail("web")
        expected = await _pause_while_writing(kube_api, fast, slow, batches=10)
        assert await slow.read_lines(len(expected)) == expected
        assert "gap" not in slow.notices()
        assert server.metric("tailgate_dropped_lines_total", log_id="web") == 0
        await fast.close()
        await slow.close()


async def test_a_paused_viewer_the_ring_moved_past_is_told_how_many_lines_it_missed(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    async with kube_server(kube_api, tmp_path, catalog=WEB, max_backlog=10) as server:
        fast = await server.tail("web")
        slow = await server.tail("web")
        expected = await _pause_while_writing(kube_api, fast, slow, batches=10)
        while True:
            frame = await slow.frame()
            if frame["type"] == "notice":
                assert frame["event"] == "gap"
                gap = frame
                break
        missed = gap["lines"]
        assert missed > 0
        await slow.read_lines(len(expected) - missed)
        assert len(slow.lines) + missed == len(expected)
        before = len(slow.lines) - 10
        assert slow.lines == expected[:before] + expected[before + missed :]
        assert server.metric("tailgate_dropped_lines_total", log_id="web") == missed
        assert gap["cause"] == "behind"
        assert server.metric("tailgate_gaps_total", log_id="web", cause="behind") == 1
        await fast.close()
        await slow.close()


async def test_a_cursor_resumes_right_after_the_last_line_seen(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    kube_api.append_log(NS, "web-0", "app", "one", "two")
    async with kube_server(kube_api, tmp_path, catalog=WEB) as server:
        first = await server.tail("web")
        await first.read_lines(2)
        cursor = first.cursor
        await first.close()
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 0, timeout=1.0)
        kube_api.append_log(NS, "web-0", "app", "three")
        second = await server.tail("web", cursor=cursor)  # a fresh upstream: by timestamp
        assert await second.read_lines(1) == ["three"]
        again = await server.tail("web", cursor=cursor)  # the shared upstream: exact
        assert await again.read_lines(1) == ["three"]
        assert "gap" not in second.notices() + again.notices()
        await second.close()
        await again.close()


async def test_a_missing_pod_is_waited_for_with_a_notice(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    async with kube_server(kube_api, tmp_path, catalog=WEB) as server:
        tail = await server.tail("web")
        waiting = await tail.expect("notice")
        assert waiting["event"] == "waiting" and "shop/web-0" in waiting["message"]
        kube_api.create(objects.pod("web-0", NS))
        kube_api.append_log(NS, "web-0", "app", "hello")
        assert await tail.read_lines(1) == ["hello"]
        assert "created" in tail.notices()
        await tail.close()


async def test_a_pod_with_several_containers_needs_one_named_and_lists_them(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS, containers=["app", "sidecar"]))
    async with kube_server(kube_api, tmp_path, catalog=WEB) as server:
        tail = await server.tail("web")
        error = await tail.expect("error")
        assert error["code"] == "container_required"
        assert "app, sidecar" in error["message"]
        await tail.expect_close(1011)


async def test_a_sidecar_is_chosen_by_name(kube_api: FakeKubeAPI, tmp_path: Path) -> None:
    kube_api.create(objects.pod("web-0", NS, containers=["app", "sidecar"]))
    kube_api.append_log(NS, "web-0", "sidecar", "from the sidecar")
    catalog = pod_catalog(side="pod: {namespace: shop, name: web-0, container: sidecar}")
    async with kube_server(kube_api, tmp_path, catalog=catalog) as server:
        tail = await server.tail("side")
        assert await tail.read_lines(1) == ["from the sidecar"]
        await tail.close()


async def test_a_container_waiting_to_start_is_reported_then_followed(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS, states={"app": "ContainerCreating"}))
    async with kube_server(kube_api, tmp_path, catalog=WEB) as server:
        tail = await server.tail("web")
        error = await tail.expect("error")
        assert error["code"] == "container_waiting"
        assert "ContainerCreating" in error["message"]
        kube_api.start_container(NS, "web-0", "app")
        kube_api.append_log(NS, "web-0", "app", "started")
        assert await tail.read_lines(1) == ["started"]
        await tail.close()


async def test_a_forbidden_log_says_which_permission_is_missing(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    kube_api.forbid("get", "pods/log", NS)
    async with kube_server(kube_api, tmp_path, catalog=WEB) as server:
        tail = await server.tail("web")
        error = await tail.expect("error")
        assert error["code"] == "forbidden"
        assert "'get' on 'pods/log'" in error["message"] and '"shop"' in error["message"]
        await tail.expect_close(1011)


async def test_previous_reads_the_last_terminated_container_and_ends(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("api-7d9f", NS, containers=["api"]))
    kube_api.append_log(NS, "api-7d9f", "api", "panic: boom")
    kube_api.restart_container(NS, "api-7d9f", "api")
    kube_api.append_log(NS, "api-7d9f", "api", "running again")
    catalog = pod_catalog(
        crashed="pod: {namespace: shop, name: api-7d9f, container: api, previous: true}"
    )
    async with kube_server(kube_api, tmp_path, catalog=catalog) as server:
        tail = await server.tail("crashed")
        assert await tail.read_lines(1) == ["panic: boom"]
        await tail.expect_close(1000)
        assert tail.lines == ["panic: boom"]
