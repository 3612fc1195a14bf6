"""``events`` logs end to end: Kubernetes Events through a WebSocket tail, from the fake API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tailgate.settings import Settings
from tailgate.streaming.long_lines import SPLIT_MARKER
from tests.kube import workloads
from tests.kube.event_views import event_v1
from tests.kube.fake_api import FakeKubeAPI

from .conftest import NS, kube_server, pod_catalog

EVENTS = pod_catalog(ev="events: {namespace: shop}")
MAX_LINE = Settings().max_line
WEB_EVENTS = pod_catalog(web="events: {namespace: shop, involved: {kind: Deployment, name: web}}")


def record(
    kube: FakeKubeAPI,
    name: str,
    regarding: dict[str, Any],
    note: str,
    *,
    reason: str = "Scaled",
    type_: str = "Normal",
    at: str = "2026-12-02T09:00:00.000000Z",
) -> dict[str, Any]:
    return kube.record_event(
        event_v1(
            name, NS, regarding=regarding, reason=reason, note=note, type_=type_, event_time=at
        )
    )


async def test_the_backlog_comes_from_the_list_and_new_events_from_the_watch(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    web = kube_api.create(workloads.deployment("web", NS))
    record(kube_api, "e1", web, "up to 3", at="2026-12-02T09:00:01.000000Z")
    record(kube_api, "e2", web, "pull failed", reason="Failed", type_="Warning")
    async with kube_server(kube_api, tmp_path, catalog=EVENTS) as server:
        tail = await server.tail("ev")
        assert await tail.read_lines(2) == [
            "Normal Scaled Deployment/web: up to 3",
            "Warning Failed Deployment/web: pull failed",
        ]
        first = next(f for f in tail.frames if f["type"] == "lines")
        assert first["timestamps"][0] == "2026-12-02T09:00:01.000000Z"
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        record(kube_api, "e3", web, "down to 1")
        assert (await tail.read_lines(3))[2] == "Normal Scaled Deployment/web: down to 1"
        await tail.close()
    await kube_api.wait_until(lambda: kube_api.open_watches == 0)


async def test_an_events_log_asked_to_start_at_a_time_says_it_cannot_and_sends_its_backlog(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    web = kube_api.create(workloads.deployment("web", NS))
    record(kube_api, "e1", web, "up to 3")
    async with kube_server(kube_api, tmp_path, catalog=EVENTS) as server:
        tail = await server.tail("ev", since="2026-12-02T10:00:00Z")
        error = await tail.expect("error")
        assert error["code"] == "since_unsupported" and "since" in error["message"]
        assert await tail.read_lines(1) == ["Normal Scaled Deployment/web: up to 3"]
        await tail.close()


async def test_an_event_seen_again_is_a_new_line_stamped_when_it_was_last_seen(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    web = kube_api.create(workloads.deployment("web", NS))
    record(kube_api, "e1", web, "back-off", reason="BackOff", type_="Warning")
    async with kube_server(kube_api, tmp_path, catalog=EVENTS) as server:
        tail = await server.tail("ev")
        await tail.read_lines(1)
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        kube_api.bump_event(NS, "e1", observed="2026-12-02T09:05:00.000000Z", note="again")
        assert await tail.read_lines(2) == [
            "Warning BackOff Deployment/web: back-off",
            "Warning BackOff Deployment/web: again",
        ]
        assert tail.frames[-1]["timestamps"] == ["2026-12-02T09:05:00.000000Z"]
        await tail.close()


async def test_involved_narrows_the_log_to_the_events_of_one_object(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    web = kube_api.create(workloads.deployment("web", NS))
    db = kube_api.create(workloads.statefulset("db", NS))
    record(kube_api, "w1", web, "web one")
    record(kube_api, "d1", db, "db one")
    async with kube_server(kube_api, tmp_path, catalog=WEB_EVENTS) as server:
        tail = await server.tail("web")
        await tail.read_lines(1)
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        record(kube_api, "d2", db, "db two")
        record(kube_api, "w2", web, "web two")
        assert await tail.read_lines(2) == [
            "Normal Scaled Deployment/web: web one",
            "Normal Scaled Deployment/web: web two",
        ]
        await tail.close()


async def test_a_cursor_resumes_on_another_replica_with_nothing_lost_or_repeated(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    web = kube_api.create(workloads.deployment("web", NS))
    for n in range(3):
        record(kube_api, f"a{n}", web, f"before {n}")
    async with (
        kube_server(kube_api, tmp_path, catalog=EVENTS) as first,
        kube_server(kube_api, tmp_path, catalog=EVENTS) as second,
    ):
        tail = await first.tail("ev")
        await tail.read_lines(3)
        cursor = tail.cursor
        assert cursor
        await tail.close()
        for n in range(2):
            record(kube_api, f"b{n}", web, f"after {n}")
        resumed = await second.tail("ev", cursor=cursor)
        assert await resumed.read_lines(2) == [
            "Normal Scaled Deployment/web: after 0",
            "Normal Scaled Deployment/web: after 1",
        ]
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        record(kube_api, "c0", web, "live")
        assert (await resumed.read_lines(3))[2] == "Normal Scaled Deployment/web: live"
        assert "gap" not in resumed.notices()
        assert len(resumed.lines) == 3
        await resumed.close()


async def test_a_410_on_the_watch_relists_and_repeats_nothing(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    web = kube_api.create(workloads.deployment("web", NS))
    record(kube_api, "e1", web, "one")
    async with kube_server(kube_api, tmp_path, catalog=EVENTS) as server:
        tail = await server.tail("ev")
        await tail.read_lines(1)
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        record(kube_api, "e2", web, "two")
        await tail.read_lines(2)
        # History moves past the watch's last Event, then is compacted: resuming is a 410.
        kube_api.create(workloads.deployment("other", NS))
        kube_api.expire_watches()
        # Recorded while no watch is open: the relist finds it.
        record(kube_api, "e3", web, "three")
        await kube_api.wait_until(
            lambda: server.metric("tailgate_upstream_reconnects_total", reason="watch_expired") == 1
        )
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        record(kube_api, "e4", web, "four")
        assert await tail.read_lines(4) == [
            f"Normal Scaled Deployment/web: {word}" for word in ("one", "two", "three", "four")
        ]
        await tail.close()
    assert len(tail.lines) == 4


async def test_markup_control_characters_and_huge_notes_stay_one_bounded_line(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    web = kube_api.create(workloads.deployment("web", NS))
    record(kube_api, "html", web, "<script>alert(1)</script>\nnext\x1b[31m\x00")
    record(kube_api, "big", web, "x" * 300_000)
    async with kube_server(kube_api, tmp_path, catalog=EVENTS) as server:
        tail = await server.tail("ev")
        lines = await tail.read_lines(2)
        assert lines[0] == "Normal Scaled Deployment/web: <script>alert(1)</script> next [31m"
        # Cut into pieces of --max-line (each but the last marked), and at four lines'
        # worth in all: a note can never make an unbounded line or frame.
        pieces = lines[1:]
        assert all(len(piece) <= MAX_LINE + len(SPLIT_MARKER) for piece in pieces)
        assert 1 < len(pieces) <= 5
        assert sum(len(piece) for piece in pieces) < 300_000
        await tail.close()


async def test_an_events_log_has_no_history_to_search(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    async with kube_server(kube_api, tmp_path, catalog=EVENTS) as server:
        async with server.session.get(f"{server.base_url}/api/logs/ev/search?q=x") as response:
            body = await response.json()
        assert response.status == 501
        assert body["error"] == "not_supported"


async def test_a_bad_events_entry_keeps_the_last_good_catalog(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    async with kube_server(kube_api, tmp_path, catalog=EVENTS) as server:
        bad = pod_catalog(ev="events: {namespace: Shop_1, involved: {kind: deployment}}")
        assert not server.store.offer(bad, "catalog.yaml")
        assert list(server.store.current.entries) == ["ev"]
        tail = await server.tail("ev")
        await tail.close()


async def test_a_missing_permission_is_a_clear_error_naming_it(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.forbid("list", "events", NS)
    async with kube_server(kube_api, tmp_path, catalog=EVENTS) as server:
        tail = await server.tail("ev")
        error = await tail.expect("error")
        assert error["code"] == "forbidden"
        assert "'list' on 'events'" in error["message"] and '"shop"' in error["message"]
        await tail.expect_close(1011)
