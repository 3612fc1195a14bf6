"""Pod logs filtered at the source: one pod, and a selector's pods with context across them."""

from __future__ import annotations

from pathlib import Path

from tests.kube.fake_api import FakeKubeAPI

from .conftest import NS, kube_server, objects, pod_catalog

CATALOG = pod_catalog(
    web="pod: {namespace: shop, name: web-0}",
    api='pods: {namespace: shop, selector: "app=api", container: api}',
)


async def test_a_pod_log_sends_only_matches_backlog_and_live(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    kube_api.append_log(NS, "web-0", "app", "GET /a 200", "GET /b 500", "GET /c 200")
    async with kube_server(kube_api, tmp_path, catalog=CATALOG) as server:
        tail = await server.tail("web", backlog=3, filter=" 500")
        unfiltered = await server.tail("web", backlog=3)
        await tail.read_counted(3)
        assert tail.lines == ["GET /b 500"]
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
        kube_api.append_log(NS, "web-0", "app", "GET /d 500", "GET /e 200", "GET /f 500")
        await tail.read_counted(6)
        assert tail.lines == ["GET /b 500", "GET /d 500", "GET /f 500"]
        assert await unfiltered.read_lines(6) == [
            "GET /a 200", "GET /b 500", "GET /c 200", "GET /d 500", "GET /e 200", "GET /f 500",
        ]  # fmt: skip
        await tail.close()
        await unfiltered.close()


async def test_context_across_a_selectors_pods_keeps_each_line_with_its_pod(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    for name in ("api-1", "api-2"):
        kube_api.create(objects.pod(name, NS, labels={"app": "api"}, containers=["api"]))
    async with kube_server(kube_api, tmp_path, catalog=CATALOG) as server:
        tail = await server.tail("api", backlog=0, filter="panic", context="1")
        # An unfiltered viewer shows when the first pod's lines were read.
        everything = await server.tail("api", backlog=0)
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 2)
        kube_api.append_log(NS, "api-1", "api", "one-a", "one-b")
        await everything.read_lines(2)
        kube_api.append_log(NS, "api-2", "api", "two panic", "two-b", "two-c")
        await tail.read_counted(4)
        frames = [f for f in tail.frames if f["type"] == "lines"]
        assert [(f["lines"], f.get("source"), f.get("context")) for f in frames] == [
            (["one-b"], "api-1/api", [0]),
            (["two panic", "two-b"], "api-2/api", [1]),
        ]
        assert "cursor" not in frames[0] and "cursor" in frames[1]
        await tail.close()
        await everything.close()
