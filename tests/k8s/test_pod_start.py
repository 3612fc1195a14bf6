"""Where a pod tail starts: fixed before its hello, so a line right after it is not lost."""

from __future__ import annotations

from pathlib import Path

from tests.kube.fake_api import FakeKubeAPI

from .conftest import NS, kube_server, objects, pod_catalog

WEB = pod_catalog(web="pod: {namespace: shop, name: web-0}")


async def test_a_line_written_right_after_the_hello_of_a_fresh_pod_tail_always_arrives(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    kube_api.append_log(NS, "web-0", "app", "old")
    async with kube_server(kube_api, tmp_path, catalog=WEB) as server:
        for attempt in range(20):
            # Nobody else follows: each tail opens a new upstream stream.
            tail = await server.tail("web", backlog=0)
            kube_api.append_log(NS, "web-0", "app", f"after hello {attempt}")
            assert await tail.read_lines(1) == [f"after hello {attempt}"], attempt
            await tail.close()
            await kube_api.wait_until(lambda: kube_api.open_log_streams == 0)
