"""Hundreds of discovered workloads in the page's list: grouped by namespace and kind,
searched by them, opened like any log, against the real app and the fake API server."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, expect

from tests.k8s.conftest import kube_server, objects
from tests.kube import workloads
from tests.kube.fake_api import FakeKubeAPI

from .ui import SESSION_LOOP, open_from_list, rows

pytestmark = SESSION_LOOP

CATALOG = (
    "discover:\n  - namespaces: ['ns-*']\n"
    "logs:\n  - {id: app, title: App, file: /var/log/app.log}\n"
)
NAMESPACES = [f"ns-{n}" for n in range(10)]
BUILDERS = {
    "Deployment": workloads.deployment,
    "StatefulSet": workloads.statefulset,
    "DaemonSet": workloads.daemonset,
}


def fill(kube: FakeKubeAPI) -> None:
    """300 workloads: 10 namespaces of 10 Deployments, StatefulSets and DaemonSets each
    (600 logs with their events companions)."""
    for namespace in NAMESPACES:
        for kind, build in BUILDERS.items():
            for number in range(10):
                kube.create(build(f"{kind.lower()}-{number}", namespace))


async def test_three_hundred_workloads_are_grouped_searched_and_opened(
    page: Page, tmp_path: Path
) -> None:
    async with FakeKubeAPI() as kube:
        fill(kube)
        web = kube.create(workloads.deployment("web", "ns-3"))
        kube.create(objects.pod("web-1", "ns-3", labels=workloads.pod_labels_of(web)))
        kube.append_log("ns-3", "web-1", "app", "ready")
        async with kube_server(kube, tmp_path, catalog=CATALOG) as server:
            await page.goto(server.base_url)
            logs = page.locator("#logs button.log")
            # 301 workloads, each with its events companion, and the file log.
            await expect(logs).to_have_count(603)
            await expect(page.locator("#status")).to_have_text("603 logs")
            groups = page.locator("#logs .log-group")
            await expect(groups).to_have_count(30)
            assert await groups.nth(0).text_content() == "ns-0 · Deployment"
            assert await groups.nth(2).text_content() == "ns-0 · DaemonSet"
            assert await logs.first.get_attribute("data-log-id") == "app"

            search = page.get_by_label("Search logs")
            await search.fill("ns-3 statefulset")
            await expect(logs).to_have_count(20)
            await expect(groups).to_have_text(["ns-3 · StatefulSet"])
            await search.fill("ns-3 deployment web")
            await expect(logs).to_have_count(2)
            pane = await open_from_list(page, "ns-3.web")
            await expect(rows(pane)).to_have_count(1)
            await expect(rows(pane).first).to_contain_text("ready")
