"""Pods matched by a label selector: merged, labelled, joining and leaving."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.kube.fake_api import FakeKubeAPI
from tests.kube.log_requests import format_timestamp

from .conftest import NS, kube_server, objects, pod_catalog

API = pod_catalog(api='pods: {namespace: shop, selector: "app=api", container: api}')


async def test_pods_joining_and_leaving_a_selector_are_followed_and_announced(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("api-1", NS, labels={"app": "api"}, containers=["api"]))
    kube_api.create(objects.pod("other", NS, labels={"app": "web"}, containers=["api"]))
    kube_api.append_log(NS, "api-1", "api", "from one")
    kube_api.append_log(NS, "other", "api", "not mine")
    async with kube_server(kube_api, tmp_path, catalog=API) as server:
        tail = await server.tail("api")
        assert await tail.read_lines(1) == ["from one"]
        assert tail.frames[-1]["source"] == "api-1/api"
        kube_api.create(objects.pod("api-2", NS, labels={"app": "api"}, containers=["api"]))
        joined = await tail.expect("notice")
        assert joined["event"] == "joined" and "api-2" in joined["message"]
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 2)
        kube_api.append_log(NS, "api-2", "api", "from two")
        assert await tail.read_lines(2) == ["from one", "from two"]
        assert tail.frames[-1]["source"] == "api-2/api"
        kube_api.delete("Pod", NS, "api-1")
        left = await tail.expect("notice")
        assert left["event"] == "left" and "api-1" in left["message"]
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
        await tail.close()
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 0, timeout=1.0)
        await kube_api.wait_until(lambda: kube_api.open_watches == 0, timeout=1.0)


async def test_a_pods_watch_that_expires_lists_again_and_catches_up(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("api-1", NS, labels={"app": "api"}, containers=["api"]))
    async with kube_server(kube_api, tmp_path, catalog=API) as server:
        tail = await server.tail("api")
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        kube_api.create(objects.pod("api-2", NS, labels={"app": "api"}, containers=["api"]))
        await tail.expect("notice")
        kube_api.compact()
        kube_api.drop_watches()
        kube_api.create(objects.pod("api-3", NS, labels={"app": "api"}, containers=["api"]))
        joined = await tail.expect("notice")
        assert joined["event"] == "joined" and "api-3" in joined["message"]
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 3)
        kube_api.append_log(NS, "api-3", "api", "three")
        assert await tail.read_lines(1) == ["three"]
        await tail.close()


async def test_pods_frames_name_each_line_s_pod_and_carry_the_kubelet_s_timestamps(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("api-1", NS, labels={"app": "api"}, containers=["api"]))
    first = 1_700_000_000_123_456_789
    kube_api.append_log(NS, "api-1", "api", "backlog one", "backlog two", at=first)
    async with kube_server(kube_api, tmp_path, catalog=API) as server:
        tail = await server.tail("api")
        assert await tail.read_lines(2) == ["backlog one", "backlog two"]
        frame = tail.frames[-1]
        assert frame["source"] == "api-1/api"
        assert frame["timestamps"] == [format_timestamp(first)] * 2
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
        later = first + 2_000_000_001
        kube_api.append_log(NS, "api-1", "api", "live", at=later)
        assert await tail.read_lines(3) == ["backlog one", "backlog two", "live"]
        frame = tail.frames[-1]
        assert frame["source"] == "api-1/api"
        assert frame["timestamps"] == ["2023-11-14T22:13:22.123456790Z"]
        assert format_timestamp(later) == "2023-11-14T22:13:22.123456790Z"
        await tail.close()


async def test_a_cursor_of_the_same_stream_resumes_with_the_notices_it_missed(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("api-1", NS, labels={"app": "api"}, containers=["api"]))
    kube_api.append_log(NS, "api-1", "api", "one")
    async with kube_server(kube_api, tmp_path, catalog=API) as server:
        keeper = await server.tail("api")  # holds the shared stream open meanwhile
        first = await server.tail("api")
        await first.read_lines(1)
        cursor = first.cursor
        await first.close()
        kube_api.create(objects.pod("api-2", NS, labels={"app": "api"}, containers=["api"]))
        assert (await keeper.expect("notice"))["event"] == "joined"
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 2)
        kube_api.append_log(NS, "api-2", "api", "two")
        await keeper.read_lines(2)
        again = await server.tail("api", cursor=cursor)
        joined = await again.expect("notice")
        assert joined["event"] == "joined" and "api-2" in joined["message"]
        assert await again.read_lines(1) == ["two"]
        await again.close()
        await keeper.close()


def _line_sources(frames: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(source, line) of every line received, from ``source`` or ``sources``."""
    out = []
    for frame in frames:
        if frame["type"] != "lines":
            continue
        each = frame.get("sources") or [frame.get("source")] * len(frame["lines"])
        assert len(each) == len(frame["lines"])
        out.extend(zip(each, frame["lines"], strict=True))
    return out


async def test_a_viewer_asking_for_sources_gets_pods_together_each_line_with_its_pod(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    pods = ["api-1", "api-2", "api-3"]
    for name in pods:
        kube_api.create(objects.pod(name, NS, labels={"app": "api"}, containers=["api"]))
    async with kube_server(kube_api, tmp_path, catalog=API) as server:
        together = await server.tail("api", annotate="levels,sources")
        apart = await server.tail("api")
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 3)
        rounds = 30
        for n in range(rounds):
            for name in pods:  # one write to each pod at once: their lines meet in a flush
                kube_api.append_log(NS, name, "api", f"{name} line {n:02d} ERROR")
            await asyncio.sleep(0.01)
        await together.read_lines(rounds * len(pods))
        await apart.read_lines(rounds * len(pods))
    got = _line_sources(together.frames)
    assert all(source == line.split()[0] + "/api" for source, line in got)
    for name in pods:  # every line of every pod, once, in its order
        assert [line for _, line in got if line.startswith(name + " ")] == [
            f"{name} line {n:02d} ERROR" for n in range(rounds)
        ]
    merged = [f for f in together.frames if "sources" in f]
    assert merged, "no frame held lines of more than one pod"
    assert all("source" not in f and len(set(f["sources"])) > 1 for f in merged)
    assert all(f["levels"] == ["error"] * len(f["lines"]) for f in merged)
    # A viewer that did not ask gets one pod's lines per frame, as before.
    assert not any("sources" in f for f in apart.frames)
    assert sorted(_line_sources(apart.frames)) == sorted(got)
