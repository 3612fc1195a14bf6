"""The catalog from a ConfigMap: loaded at start, edits applied live, bad edits refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tailgate.catalog.configmap_watch import ConfigMapCatalog
from tailgate.catalog.store import CatalogStore
from tailgate.errors import ConfigError
from tailgate.k8s.config import KubeConnector
from tailgate.metrics import Metrics
from tests.kube.fake_api import FakeKubeAPI
from tests.support.tails import wait_for
from tests.unit.test_catalog_store import WitnessRoots
from tests.unit.test_catalog_yaml_document import alias_bomb

from .conftest import NS, KubeServer, kube_server, objects

RELOADS = "tailgate_catalog_reloads_total"


def set_data(kube: FakeKubeAPI, data: dict[str, str]) -> None:
    kube.update(objects.configmap("tailgate", NS, data=data))


def ids(server: KubeServer) -> list[str]:
    return sorted(server.store.current.entries)


async def wait_metric(kube: FakeKubeAPI, server: KubeServer, result: str, count: int) -> None:
    """Within a second, as promised (the store has no event of its own to await)."""
    await wait_for(lambda: server.metric(RELOADS, result=result) >= count, timeout=1.0)


async def test_edits_to_the_configmap_apply_live_and_close_changed_tails(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    kube_api.create(
        objects.configmap(
            "tailgate",
            NS,
            data={
                "logs.yaml": "logs:\n  - id: web\n    pod: {namespace: shop, name: web-0}\n",
                "app": "/var/log/app.log",
                "notes": "not a path",
            },
        )
    )
    async with kube_server(kube_api, tmp_path, configmap="shop/tailgate") as server:
        assert ids(server) == ["app", "web"]
        tail = await server.tail("web")
        set_data(kube_api, {"other": "/var/log/other.log"})
        await wait_metric(kube_api, server, "ok", 2)
        assert ids(server) == ["other"]
        await tail.expect_close(4410)


async def test_an_invalid_edit_keeps_the_last_catalog_and_records_an_event(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.configmap("tailgate", NS, data={"app": "/var/log/app.log"}))
    async with kube_server(kube_api, tmp_path, configmap="shop/tailgate") as server:
        set_data(kube_api, {"logs.yaml": "logs:\n  - id: Bad\n    file: relative\n"})
        await wait_metric(kube_api, server, "invalid", 1)
        assert ids(server) == ["app"]
        await kube_api.wait_until(lambda: bool(kube_api.store.list("events", NS)))
        (event,) = kube_api.store.list("events", NS)
        assert event["reason"] == "CatalogRejected" and event["type"] == "Warning"
        assert event["involvedObject"]["name"] == "tailgate"
        assert "shop/tailgate/logs.yaml:2" in event["message"]
        assert "invalid id 'Bad'" in event["message"]


async def test_a_dropped_watch_is_resumed_and_a_410_lists_again(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.configmap("tailgate", NS, data={"a": "/a.log"}))
    async with kube_server(kube_api, tmp_path, configmap="shop/tailgate") as server:
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        kube_api.drop_watches()
        set_data(kube_api, {"b": "/b.log"})
        await wait_metric(kube_api, server, "ok", 2)
        assert ids(server) == ["b"]
        await kube_api.wait_until(lambda: kube_api.open_watches == 1)
        kube_api.drop_watches()
        set_data(kube_api, {"c": "/c.log"})
        kube_api.compact()  # the watch's resourceVersion is now too old: 410, then a list
        await wait_metric(kube_api, server, "ok", 3)
        assert ids(server) == ["c"]


async def test_an_invalid_configmap_at_start_stops_the_start(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.configmap("tailgate", NS, data={"logs.yaml": "logs: [1]\n"}))
    with pytest.raises(ConfigError):
        async with kube_server(kube_api, tmp_path, configmap="shop/tailgate"):
            pass
    with pytest.raises(ConfigError, match="does not exist"):
        async with kube_server(kube_api, tmp_path, configmap="shop/missing"):
            pass


async def test_a_configmap_edit_is_checked_while_the_event_loop_keeps_running(
    kube_api: FakeKubeAPI,
) -> None:
    kube_api.create(objects.configmap("tailgate", NS, data={"a": "/var/log/a.log"}))
    roots = WitnessRoots(waiting_on="/var/log/b.log")
    store = CatalogStore(Metrics(), roots=roots)
    connector = KubeConnector(host=kube_api.url)
    catalog = ConfigMapCatalog(connector, store, NS, "tailgate")
    try:
        await catalog.load()
        catalog.start()
        set_data(kube_api, {"a": "/var/log/a.log", "b": "/var/log/b.log"})
        await roots.run_the_loop_during_the_check()
        await wait_for(lambda: "b" in store.current.entries)
        assert roots.loop_ran_during_check.is_set()
    finally:
        await catalog.close()
        await connector.close()


async def test_an_alias_bomb_in_the_configmap_is_refused_with_an_event(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.configmap("tailgate", NS, data={"app": "/var/log/app.log"}))
    async with kube_server(kube_api, tmp_path, configmap="shop/tailgate") as server:
        set_data(kube_api, {"logs.yaml": alias_bomb(9), "app": "/var/log/app.log"})
        await wait_metric(kube_api, server, "invalid", 1)
        assert ids(server) == ["app"]
        await kube_api.wait_until(lambda: bool(kube_api.store.list("events", NS)))
        (event,) = kube_api.store.list("events", NS)
        assert "shop/tailgate/logs.yaml:2: the alias *a is not allowed" in event["message"]
