"""Searching pod logs through the fake API server: the current and previous run, and a
selector's members merged newest first, with cursors a tail resumes from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.k8s.conftest import NS, KubeServer, kube_server, objects, pod_catalog
from tests.kube.fake_api import FakeKubeAPI

S = 1_000_000_000
T0 = 1_764_622_800 * S  # 2025-12-01T21:00:00Z

CATALOG = pod_catalog(
    web="pod: {namespace: shop, name: web-0}",
    shop="pods: {namespace: shop, selector: app=shop}",
)


async def search(server: KubeServer, log_id: str, **query: Any) -> tuple[int, Any]:
    async with server.session.get(
        f"{server.base_url}/api/logs/{log_id}/search", params=query
    ) as response:
        return response.status, await response.json()


async def test_a_pod_search_reads_the_previous_run_then_the_current_one_newest_first(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    kube_api.append_log(NS, "web-0", "app", "error one", "fine", at=T0)
    kube_api.restart_container(NS, "web-0", "app")
    kube_api.append_log(NS, "web-0", "app", "error two", at=T0 + 10 * S)
    kube_api.append_log(NS, "web-0", "app", "error three", "fine", at=T0 + 20 * S)
    async with kube_server(kube_api, tmp_path, catalog=CATALOG) as server:
        status, body = await search(server, "web", q="error")
        assert status == 200, body
        assert [m["line"] for m in body["matches"]] == ["error three", "error two", "error one"]
        assert body["matches"][0]["time"] == "2025-12-01T21:00:20.000000000Z"
        assert "source" not in body["matches"][0]
        assert body["more"] is None
        assert body["scanned_bytes"] > 0
        # The cursor resumes a tail right after "error two".
        tail = await server.tail("web", cursor=body["matches"][1]["cursor"])
        assert await tail.read_lines(2) == ["error three", "fine"]
        await tail.close()
    await kube_api.wait_until(lambda: kube_api.open_log_streams == 0)


async def test_a_selector_merges_its_pods_newest_first_and_more_goes_on_exactly(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    for name in ("shop-a", "shop-b"):
        kube_api.create(objects.pod(name, NS, labels={"app": "shop"}))
    kube_api.create(objects.pod("other", NS, labels={"app": "other"}))
    for i in range(10):
        kube_api.append_log(NS, "shop-a" if i % 2 else "shop-b", "app", f"hit {i}", at=T0 + i * S)
    kube_api.append_log(NS, "other", "app", "hit elsewhere", at=T0 + 100 * S)
    async with kube_server(kube_api, tmp_path, catalog=CATALOG) as server:
        seen: list[str] = []
        sources: list[str] = []
        query: dict[str, Any] = {"q": "hit", "limit": 3}
        for _ in range(10):
            status, body = await search(server, "shop", **query)
            assert status == 200, body
            seen += [m["line"] for m in body["matches"]]
            sources += [m["source"] for m in body["matches"]]
            if body["more"] is None:
                break
            query["before"] = body["more"]
        assert seen == [f"hit {i}" for i in range(9, -1, -1)]
        assert sources[:2] == ["shop-a/app", "shop-b/app"]
    await kube_api.wait_until(lambda: kube_api.open_log_streams == 0)


async def test_since_asks_the_api_server_from_that_time(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    for i in range(5):
        kube_api.append_log(NS, "web-0", "app", f"line {i}", at=T0 + i * S)
    async with kube_server(kube_api, tmp_path, catalog=CATALOG) as server:
        status, body = await search(server, "web", q="line", since="2025-12-01T21:00:03Z")
        assert status == 200
        assert [m["line"] for m in body["matches"]] == ["line 4", "line 3"]


async def lines(server: KubeServer, log_id: str, **query: Any) -> tuple[int, Any]:
    async with server.session.get(
        f"{server.base_url}/api/logs/{log_id}/lines", params=query
    ) as response:
        return response.status, await response.json()


async def test_reading_back_pages_through_a_selectors_pods_oldest_first(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    for name in ("shop-a", "shop-b"):
        kube_api.create(objects.pod(name, NS, labels={"app": "shop"}))
    for i in range(12):
        kube_api.append_log(NS, "shop-a" if i % 3 else "shop-b", "app", f"line {i}", at=T0 + i * S)
    async with kube_server(kube_api, tmp_path, catalog=CATALOG) as server:
        _, body = await search(server, "shop", q="line 10")
        cursor = body["matches"][0]["cursor"]
        pages = []
        while cursor is not None:
            status, page = await lines(server, "shop", before=cursor, limit=4)
            assert status == 200, page
            if page["lines"]:
                pages.append(page["lines"])
            cursor = page["cursor"]
        assert pages[0] == ["line 7", "line 8", "line 9", "line 10"]
        assert [line for page in reversed(pages) for line in page] == [
            f"line {i}" for i in range(11)
        ]
    await kube_api.wait_until(lambda: kube_api.open_log_streams == 0)


async def test_a_bad_before_and_an_unknown_pod_are_clear_errors(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    catalog = CATALOG + "  - id: gone\n    pod: {namespace: shop, name: nobody}\n"
    async with kube_server(kube_api, tmp_path, catalog=catalog) as server:
        status, body = await search(server, "web", q="x", before="f1.1.1.0.00000000")
        assert (status, body["error"]) == (400, "bad_cursor")
        status, body = await search(server, "gone", q="x")
        assert (status, body["error"]) == (503, "source_unavailable")
        assert "nobody" in body["message"]
        status, body = await lines(server, "web", before="k2.AAAA")
        assert (status, body["error"]) == (400, "bad_cursor")
