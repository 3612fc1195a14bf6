"""An events log follows its entry's ``allow`` as every tail does, against the real provider
and the fake Kubernetes API (reached through a kubeconfig, as outside a cluster)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.kube import workloads
from tests.kube.conftest import kube_api  # noqa: F401
from tests.kube.event_views import event_v1
from tests.kube.fake_api import FakeKubeAPI

from .conftest import Serve
from .web_user import WebUser

CATALOG = """\
logs:
  - id: shop-events
    events: {namespace: shop}
    allow: {groups: [ops]}
"""


@pytest.fixture
def kubeconfig(kube_api: FakeKubeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    path = tmp_path / "kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "fake", "cluster": {"server": kube_api.url}}],
                "users": [{"name": "tailgate", "user": {"token": "t"}}],
                "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "tailgate"}}],
                "current-context": "fake",
            }
        )
    )
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path


async def test_only_users_the_entry_allows_tail_an_events_log(
    serve: Serve,
    user: WebUser,
    other_user: WebUser,
    kube_api: FakeKubeAPI,  # noqa: F811
    kubeconfig: Path,
) -> None:
    web = kube_api.create(workloads.deployment("web", "shop"))
    kube_api.record_event(event_v1("e1", "shop", regarding=web, reason="Scaled", note="up"))
    async with serve(CATALOG) as server:
        await user.sign_in("bob")
        refused = await user.tail("shop-events")
        assert (await refused.expect("error"))["code"] == "forbidden"
        await refused.expect_close(4403)
        assert server.metric("tailgate_ws_rejections_total", reason="forbidden") == 1
        assert kube_api.open_watches == 0

        await other_user.sign_in("alice")
        allowed = await other_user.tail("shop-events")
        assert (await allowed.expect("hello"))["log"]["kind"] == "events"
        assert await allowed.read_lines(1) == ["Normal Scaled Deployment/web: up"]
        await allowed.close()
