"""``tailgate tail`` of pod logs: each line prefixed with its pod and container, as stern
does, merged with a file log; the kubelet's timestamps on request."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.k8s.conftest import NS, kube_server, objects
from tests.kube.conftest import kube_api
from tests.kube.fake_api import FakeKubeAPI

from .conftest import Terminal

__all__ = ["kube_api"]

CATALOG = f"""logs:
  - id: api
    pods: {{namespace: {NS}, selector: "app=api", container: api}}
  - id: app
    file: {{path}}
"""


async def test_pod_lines_carry_their_pod_and_container_next_to_file_lines(
    kube_api: FakeKubeAPI, tmp_path: Path, terminal: Terminal
) -> None:
    app = tmp_path / "app.log"
    app.write_text("file line\n")
    for name in ("api-1", "api-2"):
        kube_api.create(objects.pod(name, NS, labels={"app": "api"}, containers=["api"]))
    kube_api.append_log(NS, "api-1", "api", "from one", at=1_700_000_000_000_000_000)
    kube_api.append_log(NS, "api-2", "api", "from two", at=1_700_000_001_000_000_000)
    catalog = CATALOG.replace("{path}", str(app))
    async with kube_server(kube_api, tmp_path, catalog=catalog) as server:
        tail = terminal.start("tail", "api", "app", "--timestamps", "--server", server.base_url)
        lines = await tail.wait_stdout(lambda lines: len(lines) == 3)
        tail.interrupt()
        assert await tail.wait_exit() == 130
    assert sorted(lines) == [
        "api api-1/api 2023-11-14T22:13:20.000000000Z from one",
        "api api-2/api 2023-11-14T22:13:21.000000000Z from two",
        "app file line",
    ]


async def test_pods_written_at_once_each_keep_their_prefix_when_they_share_a_frame(
    kube_api: FakeKubeAPI, tmp_path: Path, terminal: Terminal
) -> None:
    pods = ["api-1", "api-22"]
    for name in pods:
        kube_api.create(objects.pod(name, NS, labels={"app": "api"}, containers=["api"]))
    catalog = CATALOG.replace("{path}", str(tmp_path / "app.log"))
    async with kube_server(kube_api, tmp_path, catalog=catalog) as server:
        tail = terminal.start("tail", "api", "--server", server.base_url)
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 2)
        for n in range(20):
            for name in pods:  # one write to each pod at once: they meet in one frame
                kube_api.append_log(NS, name, "api", f"{name} says {n:02d}")
            await asyncio.sleep(0.01)
        lines = await tail.wait_stdout(lambda lines: len(lines) == 40)
        tail.interrupt()
        assert await tail.wait_exit() == 130
    for name in pods:
        assert [line for line in lines if f" {name} says" in line] == [
            f"api {name}/api {name} says {n:02d}" for n in range(20)
        ]
