"""The real app with sign-in on, against the real provider of ``tests/auth``.

The provider is started once per session by the fixtures imported from
``tests/auth/conftest.py``; its client's redirect URI names ``app_url``, so every app in
these tests listens at that one address, one test at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tailgate.backoff import Backoff
from tailgate.web.context import SERVICES
from tests.auth.conftest import SESSION_SECRET, app_url, provider, settings_for
from tests.auth.provider import Provider, node_available
from tests.conftest import fail_on_tasks_left
from tests.support.tails import RunningServer, running_server

from .web_user import WebUser

__all__ = ["app_url", "provider"]

#: Retry quickly while the provider is down, so recovery is seen within the test.
FAST_RETRY = Backoff(first=0.05, ceiling=0.3)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if node_available():
        return
    skip = pytest.mark.skip(reason="the test OIDC provider is not installed: run tests/setup.sh")
    for item in items:
        if "provider" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


def catalog(logs: Mapping[str, Path], *, allow: Mapping[str, str] | None = None) -> str:
    """Catalog YAML; ``allow`` maps log IDs to an ``allow`` rule in flow style."""
    lines = ["logs:"]
    for log_id, path in logs.items():
        lines += [f"  - id: {log_id}", f"    file: {path}"]
        if allow and log_id in allow:
            lines.append(f"    allow: {allow[log_id]}")
    return "\n".join(lines) + "\n"


def oidc_env(provider: Provider, app_url: str, secrets: Path) -> dict[str, str]:
    """The environment of a ``tailgate serve`` signing in at ``provider``; secrets in files."""
    client_secret = secrets / "client-secret"
    client_secret.write_text(provider.client_secret + "\n")
    session_secret = secrets / "session-secret"
    session_secret.write_text(SESSION_SECRET)
    return {
        "TAILGATE_OIDC_ISSUER": provider.issuer,
        "TAILGATE_OIDC_CLIENT_ID": provider.client_id,
        "TAILGATE_OIDC_CLIENT_SECRET_FILE": str(client_secret),
        "TAILGATE_OIDC_SCOPES": "openid profile email groups",
        "TAILGATE_OIDC_AUDIENCE": provider.audience,
        "TAILGATE_PUBLIC_URL": app_url,
        "TAILGATE_SESSION_SECRET_FILE": str(session_secret),
    }


#: ops: alice; dev: bob (group) and carol (by name); open: every signed-in user.
RULES = {"ops": "{groups: [ops]}", "dev": "{groups: [dev], users: [carol]}"}


@pytest.fixture
def logs(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name in ("ops", "dev", "open"):
        path = tmp_path / f"{name}.log"
        path.write_text(f"{name} one\n{name} two\n")
        paths[name] = path
    return paths


Serve = Callable[..., AbstractAsyncContextManager[RunningServer]]


@pytest.fixture
def serve(tmp_path: Path, provider: Provider, app_url: str, logs: dict[str, Path]) -> Serve:
    """Start the app at ``app_url`` with sign-in on; keyword arguments change its settings."""

    @asynccontextmanager
    async def start(
        catalog_text: str | None = None, **changes: Any
    ) -> AsyncIterator[RunningServer]:
        text = catalog_text if catalog_text is not None else catalog(logs, allow=RULES)
        settings = settings_for(provider, app_url, **changes)
        before = set(asyncio.all_tasks())
        async with running_server(tmp_path, text, auth=settings, auth_backoff=FAST_RETRY) as server:
            auth = server.app[SERVICES].auth
            assert auth is not None
            async with asyncio.timeout(10):
                await auth.discovery.wait_ready()
            yield server
        await fail_on_tasks_left(before)

    return start


@pytest.fixture
async def user(provider: Provider, app_url: str) -> AsyncIterator[WebUser]:
    """A browser profile of its own (no provider session yet)."""
    async with WebUser.create(app_url, provider) as web_user:
        yield web_user


@pytest.fixture
async def other_user(provider: Provider, app_url: str) -> AsyncIterator[WebUser]:
    async with WebUser.create(app_url, provider) as web_user:
        yield web_user
