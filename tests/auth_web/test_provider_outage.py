"""The identity provider is down when tailgate starts: it starts anyway, says so, and recovers.

This needs a provider of its own, stopped and started at will, so it runs a second
instance on a port chosen in advance (its issuer URL is configured before it exists).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx

from tailgate.web.context import SERVICES
from tests.auth.conftest import settings_for
from tests.auth.provider import Provider, free_port, running_provider
from tests.support.tails import running_server

from .conftest import FAST_RETRY, RULES, catalog
from .web_user import WebUser


async def test_without_the_provider_the_service_starts_reports_it_and_recovers(
    tmp_path: Path, logs: dict[str, Path], provider: Provider
) -> None:
    provider_port = free_port()
    app_url = f"http://127.0.0.1:{free_port()}"
    settings = settings_for(provider, app_url, issuer=f"http://127.0.0.1:{provider_port}")
    async with (
        running_server(
            tmp_path, catalog(logs, allow=RULES), auth=settings, auth_backoff=FAST_RETRY
        ) as server,
        httpx.AsyncClient(base_url=app_url) as client,
    ):
        auth = server.app[SERVICES].auth
        assert auth is not None
        async with asyncio.timeout(5):
            await auth.discovery.wait_attempt()

        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "provider_unavailable"
        assert "discovery document" in ready.json()["reason"]
        assert (await client.get("/healthz")).status_code == 200

        login = await client.get("/login")
        assert login.status_code == 503
        assert login.headers["content-type"].startswith("text/html")
        assert "The identity provider cannot be reached right now" in login.text
        assert server.metric("tailgate_auth_logins_total", result="provider_unavailable") == 1

        with contextlib.ExitStack() as stack:
            second = await asyncio.to_thread(
                stack.enter_context, running_provider(app_url=app_url, port=provider_port)
            )
            async with asyncio.timeout(10):
                await auth.discovery.wait_ready()
            assert (await client.get("/readyz")).json()["status"] == "ready"
            async with WebUser.create(app_url, second) as user:
                assert (await user.sign_in("alice")).status_code == 303
                assert (await user.get("/api/me")).json()["user"] == "alice"
            await asyncio.to_thread(stack.close)


async def test_a_provider_stopped_mid_session_keeps_sessions_and_refuses_sign_in_clearly(
    tmp_path: Path, logs: dict[str, Path], provider: Provider
) -> None:
    provider_port = free_port()
    app_url = f"http://127.0.0.1:{free_port()}"
    settings = settings_for(provider, app_url, issuer=f"http://127.0.0.1:{provider_port}")
    with contextlib.ExitStack() as first:
        second = await asyncio.to_thread(
            first.enter_context, running_provider(app_url=app_url, port=provider_port)
        )
        async with (
            running_server(
                tmp_path, catalog(logs, allow=RULES), auth=settings, auth_backoff=FAST_RETRY
            ) as server,
            httpx.AsyncClient(base_url=app_url) as client,
        ):
            auth = server.app[SERVICES].auth
            assert auth is not None
            auth.provider_check_interval = 0
            async with asyncio.timeout(10):
                await auth.discovery.wait_ready()
            async with WebUser.create(app_url, second) as user:
                assert (await user.sign_in("alice")).status_code == 303

                await asyncio.to_thread(first.close)

                # The signed-in user goes on working...
                assert (await user.get("/api/me")).json()["user"] == "alice"
                # ...while a new sign-in gets our page, not the browser's error.
                login = await client.get("/login")
                assert login.status_code == 503
                assert login.headers["content-type"].startswith("text/html")
                assert "The identity provider cannot be reached right now" in login.text

                with contextlib.ExitStack() as again:
                    await asyncio.to_thread(
                        again.enter_context,
                        running_provider(app_url=app_url, port=provider_port),
                    )
                    back = await client.get("/login")
                    assert back.status_code == 302
                    assert back.headers["location"].startswith(f"http://127.0.0.1:{provider_port}/")
                    await asyncio.to_thread(again.close)
