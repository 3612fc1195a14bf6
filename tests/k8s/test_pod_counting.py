"""Metrics from a pod log: counted with nobody watching, through the one upstream stream."""

from __future__ import annotations

from pathlib import Path

from tests.kube.fake_api import FakeKubeAPI
from tests.support.tails import wait_for

from .conftest import NS, kube_server, objects, pod_catalog

CATALOG = pod_catalog(
    web='pod: {namespace: shop, name: web-0}\n    count: {errors: " 5[0-9][0-9] "}'
)


async def test_a_pod_log_is_counted_unwatched_and_shares_its_stream_with_viewers(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    async with kube_server(kube_api, tmp_path, catalog=CATALOG) as server:
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
        kube_api.append_log(NS, "web-0", "app", "GET / 200 ok", "GET /pay 502 bad", "x 500 y")
        lines = ("tailgate_log_lines_total", {"log_id": "web"})
        await wait_for(lambda: server.metric(lines[0], **lines[1]) == 3)
        assert server.metric("tailgate_log_matches_total", log_id="web", pattern="errors") == 2
        tail = await server.tail("web", backlog=0)
        kube_api.append_log(NS, "web-0", "app", "GET / 503 down")
        assert await tail.read_lines(1) == ["GET / 503 down"]
        assert kube_api.open_log_streams == 1
        await wait_for(
            lambda: server.metric("tailgate_log_matches_total", log_id="web", pattern="errors") == 3
        )
        await tail.close()
