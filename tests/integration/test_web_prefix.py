"""Served below a path: ``TAILGATE_PUBLIC_URL=http://127.0.0.1/logs`` with ``--auth none``.

The app sees the paths as an ingress path rule without rewrite passes them on, so every
route is below ``/logs``; only the probes are at the root as well (the kubelet asks the
pod directly), and ``/metrics`` stays on its own port.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urljoin

import aiohttp
import pytest
from yarl import URL

from tests.support.tails import RunningServer, TailClient, running_server

BASE = "/logs"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    app = tmp_path / "app.log"
    app.write_text("one\ntwo\n")
    catalog = f"logs:\n  - id: app\n    title: Application log\n    file: {app}\n"
    async with running_server(tmp_path, catalog, public_url=f"http://127.0.0.1{BASE}") as running:
        yield running


async def status_of(server: RunningServer, path: str) -> int:
    # encoded=True sends the path exactly as written.
    url = URL(server.base_url + path, encoded=True)
    async with server.session.get(url, allow_redirects=False) as response:
        return response.status


async def test_the_page_the_api_and_the_probes_answer_below_the_path(
    server: RunningServer,
) -> None:
    async with server.session.get(f"{server.base_url}{BASE}/") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
    async with server.session.get(f"{server.base_url}{BASE}/api/logs") as response:
        assert await response.json() == {
            "logs": [{"id": "app", "title": "Application log", "kind": "file"}]
        }
    async with server.session.get(f"{server.base_url}{BASE}/api/logs/app") as response:
        assert (await response.json())["id"] == "app"
    async with server.session.get(f"{server.base_url}{BASE}/api/logs/nope") as response:
        assert response.status == 404
        assert (await response.json())["error"] == "unknown_log"
    async with server.session.get(f"{server.base_url}{BASE}/api/me") as response:
        assert (await response.json())["auth"] == "none"
    for root in ("", BASE):
        async with server.session.get(f"{server.base_url}{root}/healthz") as response:
            assert await response.json() == {"status": "ok"}
        async with server.session.get(f"{server.base_url}{root}/readyz") as response:
            assert await response.json() == {"status": "ready", "logs": 1}
    async with server.session.get(server.metrics_url) as response:
        assert response.status == 200
        assert "tailgate_" in await response.text()


async def test_the_path_without_its_slash_goes_on_to_the_page_keeping_the_query(
    server: RunningServer,
) -> None:
    async with server.session.get(f"{server.base_url}{BASE}", allow_redirects=False) as response:
        assert response.status == 302
        assert response.headers["Location"] == f"{BASE}/"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    async with server.session.get(
        f"{server.base_url}{BASE}?x=1", allow_redirects=False
    ) as response:
        assert response.headers["Location"] == f"{BASE}/?x=1"
    # Passed on as sent: a line break in the query cannot split the header.
    sneaky = URL(f"{server.base_url}{BASE}?x=%0d%0aSet-Cookie:%20a=b&y=%C3%A9", encoded=True)
    async with server.session.get(sneaky, allow_redirects=False) as response:
        assert response.status == 302
        assert response.headers["Location"] == f"{BASE}/?x=%0d%0aSet-Cookie:%20a=b&y=%C3%A9"
        assert "Set-Cookie" not in response.headers


async def test_a_tail_below_the_path_sends_its_lines_and_checks_the_origin(
    server: RunningServer,
) -> None:
    url = f"{server.base_url}{BASE}/ws/tail/app"
    ws = await server.session.ws_connect(url, headers={"Origin": server.base_url})
    tail = TailClient(ws)
    try:
        assert (await tail.expect("hello"))["log"]["id"] == "app"
        assert await tail.read_lines(2) == ["one", "two"]
    finally:
        await tail.close()
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await server.session.ws_connect(url, headers={"Origin": "https://evil.example"})
    assert refused.value.status == 403


async def test_every_file_the_page_loads_is_below_the_path(server: RunningServer) -> None:
    page_url = f"{server.base_url}{BASE}/"
    async with server.session.get(page_url) as response:
        page = await response.text()
    found = re.findall(r'<(?:script|link|a)[^>]* (?:src|href)="([^"]+)"', page)
    assert found and not [path for path in found if path.startswith("/")], found
    for path in found:
        url = urljoin(page_url, path)
        assert url.startswith(page_url), url
        if "/static/" in url:
            async with server.session.get(url) as response:
                assert response.status == 200, url


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/api/logs",
        "/api/me",
        "/static/main.js",
        "/ws/tail/app",
        "/logsx",
        "/logsx/",
        "/logsx/api/logs",
        "/logs/logs/api/logs",
        "/logs/../api/logs",
        "/logs/%2e%2e/api/logs",
        "/LOGS/",
        "/login",
        "/logs/login",
        "/logs/metrics",
    ],
)
async def test_paths_outside_the_path_or_not_served_are_404(
    server: RunningServer, path: str
) -> None:
    assert await status_of(server, path) == 404
