"""``since=RFC3339`` on a pod log's tail: every line stamped then or later, from the
stream's ring, or read again from the API server (``sinceTime``) where the ring is short."""

from __future__ import annotations

from pathlib import Path

from tests.kube.fake_api import FakeKubeAPI

from .conftest import NS, kube_server, objects, pod_catalog

WEB = pod_catalog(web="pod: {namespace: shop, name: web-0}")
#: 2026-12-01T10:00:00Z
T0 = 1_796_119_200_000_000_000
SECOND = 1_000_000_000


async def test_a_pod_tail_since_a_time_gets_the_lines_from_then_in_the_ring_or_not(
    kube_api: FakeKubeAPI, tmp_path: Path
) -> None:
    kube_api.create(objects.pod("web-0", NS))
    for n in range(10):
        kube_api.append_log(NS, "web-0", "app", f"line {n}", at=T0 + n * SECOND)
    # A ring of 5 lines, primed from a read that did not reach the log's start: it
    # cannot vouch for its first second, which is read again from the API server (at
    # most --max-backlog lines, as for any resume; past that, a gap notice).
    async with kube_server(kube_api, tmp_path, catalog=WEB, max_backlog=5) as server:
        first = await server.tail("web", backlog=2)
        assert await first.read_lines(2) == ["line 8", "line 9"]
        from_ring = await server.tail("web", since="2026-12-01T10:00:08Z")
        read_again = await server.tail("web", since="2026-12-01T10:00:05Z")
        assert await from_ring.read_lines(2) == ["line 8", "line 9"]
        assert await read_again.read_lines(5) == [f"line {n}" for n in range(5, 10)]
        too_far = await server.tail("web", since="2026-12-01T10:00:01Z")
        assert (await too_far.expect("notice"))["event"] == "gap"
        kube_api.append_log(NS, "web-0", "app", "line 10", at=T0 + 10 * SECOND)
        for tail in (first, from_ring, read_again):
            assert (await tail.read_lines(len(tail.lines) + 1))[-1] == "line 10"
            assert "gap" not in tail.notices()
        future = await server.tail("web", since="2026-12-01T11:00:00Z")
        kube_api.append_log(NS, "web-0", "app", "line 11")
        assert await future.read_lines(1) == ["line 11"]
        bad = await server.tail("web", since="10:00", backlog=1)
        assert (await bad.expect("error"))["code"] == "bad_since"
        for tail in (first, from_ring, read_again, too_far, future, bad):
            await tail.close()
