"""Pod cursors resume on any replica: every line once, and nothing outside the log."""

from __future__ import annotations

import asyncio
import base64
import struct
from collections import defaultdict
from pathlib import Path

import pytest

from tailgate.pods import resume
from tailgate.pods.log_lines import Position
from tailgate.pods.pod_cursor import PodCursor, log_tag, source_hash
from tests.kube.fake_api import FakeKubeAPI
from tests.support.tails import TailClient

from .conftest import NS, kube_server, objects, pod_catalog

API = pod_catalog(api='pods: {namespace: shop, selector: "app=api", container: api}')
WEB = pod_catalog(web="pod: {namespace: shop, name: web-0}")
SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND


def by_source(tail: TailClient) -> dict[str, list[str]]:
    got: dict[str, list[str]] = defaultdict(list)
    for frame in tail.frames:
        if frame["type"] == "lines":
            got[frame.get("source", "")].extend(frame["lines"])
    return dict(got)


def two_pods(kube: FakeKubeAPI) -> None:
    for name in ("api-1", "api-2"):
        kube.create(objects.pod(name, NS, labels={"app": "api"}, containers=["api"]))


def write(kube: FakeKubeAPI, pod: str, first: int, count: int, second: int) -> list[str]:
    """``count`` lines of ``pod``, numbered from ``first``, four per second from ``second``."""
    lines = []
    for n in range(first, first + count):
        text = f"{pod} line {n}"
        kube.append_log(NS, pod, "api", text, at=T0 + second * SECOND + n * SECOND // 4)
        lines.append(text)
    return lines


async def test_a_selector_cursor_resumes_on_another_replica_without_gap_or_duplicate(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    two_pods(kube_api)
    one = write(kube_api, "api-1", 0, 4, 0)
    two = write(kube_api, "api-2", 0, 4, 0)
    async with (
        kube_server(kube_api, tmp_path, catalog=API) as first,
        kube_server(kube_api, tmp_path, catalog=API) as second,
    ):
        tail = await first.tail("api")
        await tail.read_lines(8)
        cursor = tail.cursor
        await tail.close()
        one_more = write(kube_api, "api-1", 4, 3, 10)
        two_more = write(kube_api, "api-2", 4, 3, 10)
        resumed = await second.tail("api", cursor=cursor)
        await resumed.read_lines(6)
        assert by_source(resumed) == {"api-1/api": one_more, "api-2/api": two_more}
        assert "gap" not in resumed.notices()
        assert by_source(tail) == {"api-1/api": one, "api-2/api": two}
        await resumed.close()


async def test_lines_the_new_replica_s_ring_lacks_are_read_again_from_the_api_server(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    two_pods(kube_api)
    write(kube_api, "api-1", 0, 2, 0)
    write(kube_api, "api-2", 0, 2, 0)
    async with (
        kube_server(kube_api, tmp_path, catalog=API) as first,
        kube_server(kube_api, tmp_path, catalog=API, max_backlog=4) as second,
    ):
        tail = await first.tail("api")
        await tail.read_lines(4)
        cursor = tail.cursor
        await tail.close()
        one_more = write(kube_api, "api-1", 2, 4, 0)  # the same seconds as the cursor's
        two_more = write(kube_api, "api-2", 2, 4, 5)
        resumed = await second.tail("api", cursor=cursor)  # its ring holds 4 of the 8
        await resumed.read_lines(8)
        assert by_source(resumed) == {"api-1/api": one_more, "api-2/api": two_more}
        assert "gap" not in resumed.notices()
        since = [p for _, p in kube_api.requests if "/log" in p and "sinceTime" in p]
        assert any("tailLines" in p and "follow" not in p for p in since)
        kube_api.append_log(NS, "api-1", "api", "live")
        assert (await resumed.read_lines(9))[-1] == "live"
        await resumed.close()


async def test_viewers_resuming_with_one_cursor_share_one_read_again_per_pod(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    two_pods(kube_api)
    write(kube_api, "api-1", 0, 2, 0)
    write(kube_api, "api-2", 0, 2, 0)
    async with (
        kube_server(kube_api, tmp_path, catalog=API) as first,
        kube_server(kube_api, tmp_path, catalog=API, max_backlog=4) as second,
    ):
        tail = await first.tail("api")
        await tail.read_lines(4)
        cursor = tail.cursor
        await tail.close()
        one_more = write(kube_api, "api-1", 2, 4, 0)
        two_more = write(kube_api, "api-2", 2, 4, 5)
        viewers = await asyncio.gather(*(second.tail("api", cursor=cursor) for _ in range(5)))
        for resumed in viewers:
            await resumed.read_lines(8)
            assert by_source(resumed) == {"api-1/api": one_more, "api-2/api": two_more}
        again = [p for _, p in kube_api.requests if "/log" in p and "sinceTime" in p]
        assert len([p for p in again if "follow" not in p]) == 2  # one per pod, not per viewer
        for resumed in viewers:
            await resumed.close()


async def test_a_pod_cursor_resumes_after_a_restart_of_tailgate(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    stamp = T0
    kube_api.append_log(NS, "web-0", "app", "a", "b", at=stamp)  # one timestamp twice
    async with kube_server(kube_api, tmp_path, catalog=WEB) as before:
        tail = await before.tail("web")
        await tail.read_lines(2)
        cursor = tail.cursor
    kube_api.append_log(NS, "web-0", "app", "c", at=stamp)
    kube_api.append_log(NS, "web-0", "app", "d")
    async with kube_server(kube_api, tmp_path, catalog=WEB, max_backlog=4) as after:
        resumed = await after.tail("web", cursor=cursor)
        assert await resumed.read_lines(2) == ["c", "d"]
        assert "gap" not in resumed.notices()
        await resumed.close()


async def test_a_cursor_far_behind_ends_in_a_gap_notice_then_what_can_be_read(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    kube_api.append_log(NS, "web-0", "app", "old", at=T0)
    async with kube_server(kube_api, tmp_path, catalog=WEB) as before:
        tail = await before.tail("web")
        await tail.read_lines(1)
        cursor = tail.cursor
    for n in range(10):
        kube_api.append_log(NS, "web-0", "app", f"new {n}", at=T0 + (n + 1) * SECOND)
    async with kube_server(kube_api, tmp_path, catalog=WEB, max_backlog=3) as after:
        resumed = await after.tail("web", cursor=cursor)
        gap = await resumed.expect("notice")
        assert gap["event"] == "gap"
        await resumed.read_lines(3)
        await resumed.send({"type": "pause"})  # a round trip: every line sent has come
        await resumed.send({"type": "resume"})
        kube_api.append_log(NS, "web-0", "app", "live")
        await resumed.read_lines(len(resumed.lines) + 1)
        newest = [f"new {n}" for n in range(10)] + ["live"]
        assert resumed.lines == newest[-len(resumed.lines) :]
        await resumed.close()


async def test_a_resume_whose_read_again_hangs_gives_up_with_a_gap_not_a_hang(
    kube_api: FakeKubeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resume, "FETCH_SECONDS", 0.3)
    kube_api.create(objects.pod("web-0", NS))
    kube_api.append_log(NS, "web-0", "app", "old", at=T0)
    async with kube_server(kube_api, tmp_path, catalog=WEB) as before:
        tail = await before.tail("web")
        await tail.read_lines(1)
        cursor = tail.cursor
    for n in range(5):
        kube_api.append_log(NS, "web-0", "app", f"new {n}", at=T0 + (n + 1) * SECOND)
    kube_api.faults.delay, kube_api.faults.delay_where = 30.0, r"tailLines=\d+&sinceTime"
    async with kube_server(kube_api, tmp_path, catalog=WEB, max_backlog=2) as after:
        resumed = await after.tail("web", cursor=cursor)
        gap = await resumed.expect("notice")
        assert gap["event"] == "gap"
        kube_api.append_log(NS, "web-0", "app", "live")
        while "live" not in resumed.lines:
            await resumed.frame()
        await resumed.close()


def forged(log_id: str, entries: dict[int, Position], newest: int, epoch: int = 7) -> str:
    return PodCursor(epoch, 0, log_tag(log_id), entries, newest).encode()


async def test_forged_cursors_never_read_a_pod_outside_the_log_s_selector(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    two_pods(kube_api)
    kube_api.create(objects.pod("vault-0", NS, labels={"app": "vault"}, containers=["api"]))
    kube_api.create(objects.pod("api-1", "other", labels={"app": "api"}, containers=["api"]))
    write(kube_api, "api-1", 0, 2, 0)
    kube_api.append_log(NS, "vault-0", "api", "secret")
    outsiders = ["vault-0/api", "api-1/api", "other/api-1/api", "vault-0", ""]
    cursors = [
        forged("api", {source_hash(s): Position(0, 0) for s in outsiders}, T0),
        forged("api", {source_hash("api-1/api"): Position(0, 1 << 62)}, T0),
        "k2." + base64.urlsafe_b64encode(struct.pack(">IQIQ", 1, 1, 2, 3) + b"\xff" * 40).decode(),
        "k2.!!!!",
        "k2." + "A" * 200,
        "k1.00000000.1.99999999999999999999.999999999",
        "k9.whatever",
    ]
    async with kube_server(kube_api, tmp_path, catalog=API) as server:
        for cursor in cursors:
            tail = await server.tail("api", cursor=cursor)
            marker = f"after {cursor[:12]}"
            kube_api.append_log(NS, "api-2", "api", marker)
            while marker not in tail.lines:
                await tail.frame()
            assert {f["type"] for f in tail.frames} <= {"hello", "lines", "notice", "error"}
            errors = [f["code"] for f in tail.frames if f["type"] == "error"]
            assert errors in ([], ["bad_cursor"])
            await tail.close()
    paths = [p for _, p in kube_api.requests]
    assert not [p for p in paths if "vault-0" in p or "/namespaces/other/" in p]


async def test_a_cursor_of_another_log_or_an_older_release_gets_a_clear_answer(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    kube_api.append_log(NS, "web-0", "app", "one", at=T0)
    kube_api.append_log(NS, "web-0", "app", "two", at=T0 + SECOND)
    other = forged("not-web", {source_hash(None): Position(T0, 1)}, T0)
    legacy = f"k1.0a0b0c0d.1.{T0}.1"
    async with kube_server(kube_api, tmp_path, catalog=WEB) as server:
        tail = await server.tail("web", cursor=other, backlog=1)
        error = await tail.expect("error")
        assert error["code"] == "bad_cursor" and "another log" in error["message"]
        assert await tail.read_lines(1) == ["two"]
        await tail.close()
        old = await server.tail("web", cursor=legacy)
        assert await old.read_lines(1) == ["two"]
        assert [f["type"] for f in old.frames] == ["hello", "lines"]
        await old.close()


async def test_an_older_release_s_selector_cursor_resumes_by_its_time_after_a_gap_notice(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    two_pods(kube_api)
    write(kube_api, "api-1", 0, 2, 0)
    write(kube_api, "api-2", 0, 2, 0)
    newer = write(kube_api, "api-1", 2, 2, 10)
    legacy = f"k1.0a0b0c0d.4.{T0 + 5 * SECOND}.1"
    async with kube_server(kube_api, tmp_path, catalog=API) as server:
        tail = await server.tail("api", cursor=legacy)
        gap = await tail.expect("notice")
        assert gap["event"] == "gap"
        assert await tail.read_lines(2) == newer
        await tail.close()
