"""The cap on pod logs followed at once: past it, viewers are told; under it, no limit."""

from __future__ import annotations

from pathlib import Path

from tests.kube.fake_api import FakeKubeAPI

from .conftest import NS, kube_server, objects, pod_catalog

API = pod_catalog(api='pods: {namespace: shop, selector: "app=api", container: api}')


def _pod(name: str) -> dict[str, object]:
    return objects.pod(name, NS, labels={"app": "api"}, containers=["api"])


async def test_a_pod_past_the_cap_is_reported_and_followed_once_a_slot_frees(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    names = ("api-1", "api-2", "api-3")
    for name in names:
        kube_api.create(_pod(name))
        kube_api.append_log(NS, name, "api", f"backlog of {name}")
    async with kube_server(kube_api, tmp_path, catalog=API, max_streams=2) as server:
        tail = await server.tail("api")
        capped = await tail.expect("error")
        assert capped["code"] == "stream_cap"
        assert "--max-pod-streams" in capped["message"]
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 2)
        await tail.read_lines(2)
        assert server.metric("tailgate_pod_streams_waiting") == 1
        assert server.metric("tailgate_source_errors_total", kind="pods", reason="stream_cap") == 1
        waiting = next(n for n in names if f"backlog of {n}" not in tail.lines)
        followed = next(n for n in names if n != waiting)
        kube_api.delete("Pod", NS, followed)
        available = None
        while available is None:
            frame = await tail.frame()
            if frame["type"] == "notice" and frame["event"] == "available":
                available = frame
        assert waiting in available["message"]
        await tail.read_lines(3)
        assert f"backlog of {waiting}" in tail.lines
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 2)
        kube_api.append_log(NS, waiting, "api", "live")
        await tail.read_lines(4)
        assert tail.lines[-1] == "live"
        assert server.metric("tailgate_pod_streams_waiting") == 0
        await tail.close()
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 0)


async def test_more_pods_than_the_api_client_s_default_pool_are_all_followed(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    """kubernetes-asyncio pools 100 connections by default; each followed log holds one."""
    count = 120
    for i in range(count):
        kube_api.create(_pod(f"api-{i}"))
        kube_api.append_log(NS, f"api-{i}", "api", f"line of api-{i}")
    async with kube_server(kube_api, tmp_path, catalog=API) as server:
        tail = await server.tail("api", backlog=count)
        await tail.read_lines(count, timeout=30.0)
        assert sorted(tail.lines) == sorted(f"line of api-{i}" for i in range(count))
        await kube_api.wait_until(lambda: kube_api.open_log_streams == count, timeout=30.0)
        for i in range(count):
            kube_api.append_log(NS, f"api-{i}", "api", f"live of api-{i}")
        await tail.read_lines(2 * count, timeout=30.0)
        assert sorted(tail.lines[count:]) == sorted(f"live of api-{i}" for i in range(count))
        assert server.metric("tailgate_pod_streams_waiting") == 0
        await tail.close()
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 0, timeout=10.0)


async def test_a_pod_log_past_the_cap_tells_every_viewer_until_it_is_followed(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    catalog = pod_catalog(
        api='pods: {namespace: shop, selector: "app=api", container: api}',
        web="pod: {namespace: shop, name: web-0}",
    )
    kube_api.create(_pod("api-1"))
    kube_api.create(objects.pod("web-0", NS, containers=["web"]))
    kube_api.append_log(NS, "web-0", "web", "web line")
    async with kube_server(kube_api, tmp_path, catalog=catalog, max_streams=1) as server:
        pods = await server.tail("api")
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
        first = await server.tail("web")
        assert (await first.expect("error"))["code"] == "stream_cap"
        later = await server.tail("web")
        assert (await later.expect("error"))["code"] == "stream_cap"
        assert server.metric("tailgate_pod_streams_waiting") == 1
        await pods.close()
        for viewer in (first, later):
            assert await viewer.read_lines(1) == ["web line"]
        assert server.metric("tailgate_pod_streams_waiting") == 0
        await first.close()
        await later.close()
