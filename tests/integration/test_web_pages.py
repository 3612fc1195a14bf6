"""Plain HTTP: health, readiness, the list of logs, the page and its files, and their headers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from yarl import URL

from tests.support.tails import RunningServer, running_server


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    app = tmp_path / "app.log"
    app.write_text("")
    catalog = f"logs:\n  - id: app\n    title: Application log\n    file: {app}\n"
    catalog += f"  - id: access\n    file: {tmp_path / 'access.log'}\n"
    async with running_server(tmp_path, catalog) as running:
        yield running


async def test_healthz_answers_200(server: RunningServer) -> None:
    async with server.session.get(f"{server.base_url}/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok"}


async def test_readyz_answers_200_with_a_catalog_loaded(server: RunningServer) -> None:
    async with server.session.get(f"{server.base_url}/readyz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ready", "logs": 2}


async def test_api_logs_lists_each_log_with_id_title_and_kind(server: RunningServer) -> None:
    async with server.session.get(f"{server.base_url}/api/logs") as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        assert await response.json() == {
            "logs": [
                {"id": "app", "title": "Application log", "kind": "file"},
                {"id": "access", "title": "access", "kind": "file"},
            ]
        }


async def test_api_logs_does_not_reveal_file_paths(server: RunningServer) -> None:
    async with server.session.get(f"{server.base_url}/api/logs") as response:
        assert str(server.catalog_path.parent) not in await response.text()


async def test_the_page_forbids_inline_scripts_and_content_sniffing(server: RunningServer) -> None:
    async with server.session.get(f"{server.base_url}/") as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        assert re.search(r'<script[^>]* src="static/[^"]+\.js"', await response.text())
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        policy = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    script_sources = directives.get("script-src", directives.get("default-src"))
    assert script_sources is not None
    assert "'unsafe-inline'" not in script_sources
    assert "'unsafe-eval'" not in script_sources
    assert directives["frame-ancestors"] == ["'none'"]


async def test_the_page_has_no_inline_script_or_style_the_policy_would_block(
    server: RunningServer,
) -> None:
    async with server.session.get(f"{server.base_url}/") as response:
        page = await response.text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", page), "inline event handler"
    assert not re.search(r"<style\b|\sstyle\s*=", page), "inline style"


STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


async def test_every_file_the_page_loads_is_served_with_its_type(server: RunningServer) -> None:
    """The page's scripts, styles and icon, and every module those scripts import."""
    async with server.session.get(f"{server.base_url}/") as response:
        page = await response.text()
    # Relative to the page, so that they follow it below a base path (test_web_prefix.py).
    pending = [
        "/" + path
        for path in re.findall(r'<(?:script|link)[^>]* (?:src|href)="(static/[^"]+)"', page)
    ]
    assert any(path.endswith(".js") for path in pending)
    seen: set[str] = set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        async with server.session.get(f"{server.base_url}{path}") as response:
            assert response.status == 200, path
            assert response.content_type == STATIC_TYPES[path[path.rfind(".") :]], path
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            body = await response.text()
        assert body, path
        if path.endswith(".js"):
            imports = re.findall(
                r'^\s*(?:import|export)\b[^"\']*["\']\./([^"\']+)["\']', body, re.M
            )
            pending += [f"/static/{name}" for name in imports]


@pytest.mark.parametrize(
    "path",
    [
        "/static/../x",
        "/static/..%2fx",
        "/static/..%2F..%2Fcli.py",
        "/static/%2e%2e%2fserver.py",
        "/static/..%2Fweb%2Fpages.py",
        "/static/.hidden.js",
        "/static/unknown.js",
        "/static/app.js.map",
        "/static/index",
        "/static/",
    ],
)
async def test_static_paths_outside_the_known_files_are_404(
    server: RunningServer, path: str
) -> None:
    # encoded=True sends the path exactly as written, dot segments and escapes included.
    url = URL(server.base_url + path, encoded=True)
    async with server.session.get(url) as response:
        assert response.status == 404


async def test_a_host_header_naming_another_site_is_refused(server: RunningServer) -> None:
    # DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1.
    for path in ("/", "/api/logs", "/readyz", "/static/app.js"):
        async with server.session.get(
            f"{server.base_url}{path}", headers={"Host": "evil.example"}
        ) as response:
            assert response.status == 403, path
            assert (await response.json())["error"] == "host_not_allowed"


@pytest.mark.parametrize("host", ["evil.example:8080", "127.0.0.1.evil.example", "0.0.0.0"])
async def test_host_names_that_only_look_local_are_refused(
    server: RunningServer, host: str
) -> None:
    async with server.session.get(
        f"{server.base_url}/api/logs", headers={"Host": host}
    ) as response:
        assert response.status == 403


@pytest.mark.parametrize("host", ["localhost", "localhost:8080", "127.0.0.1:1", "[::1]:8080"])
async def test_loopback_host_headers_are_served(server: RunningServer, host: str) -> None:
    async with server.session.get(
        f"{server.base_url}/api/logs", headers={"Host": host}
    ) as response:
        assert response.status == 200
