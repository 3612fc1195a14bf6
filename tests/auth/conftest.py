from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tailgate.auth.oidc import OidcAuth
from tailgate.auth.settings import OidcSettings
from tailgate.backoff import Backoff
from tests.conftest import fail_on_tasks_left

from .provider import Provider, free_port, node_available, running_provider

SESSION_SECRET = "s" * 40


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Setup (tests/setup.sh) installs node and the provider; say so if it has not run.
    if node_available():
        return
    skip = pytest.mark.skip(reason="the test OIDC provider is not installed: run tests/setup.sh")
    for item in items:
        if "provider" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def app_url() -> str:
    """Where the app would listen: chosen first, the provider's redirect URI depends on it."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def provider(app_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    log = Path(tmp_path_factory.mktemp("oidc")) / "provider.log"
    with running_provider(app_url=app_url, log_path=log) as running:
        yield running


def settings_for(provider: Provider, app_url: str, **changes: object) -> OidcSettings:
    fields: dict[str, object] = {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "public_url": app_url,
        "session_secret": SESSION_SECRET,
        "scopes": ("openid", "profile", "email", "groups"),
        "audience": provider.audience,
    }
    fields.update(changes)
    return OidcSettings(**fields)  # type: ignore[arg-type]


@pytest.fixture
def settings(provider: Provider, app_url: str) -> OidcSettings:
    return settings_for(provider, app_url)


@pytest.fixture
async def auth(settings: OidcSettings) -> AsyncIterator[OidcAuth]:
    """Sign-in against the session's provider, discovery completed."""
    before = set(asyncio.all_tasks())
    async with OidcAuth.running(settings, backoff=Backoff(0.05, 0.5)) as running:
        async with asyncio.timeout(10):
            await running.discovery.wait_ready()
        yield running
    await fail_on_tasks_left(before)


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """A cookie jar and nothing else: each test signs in with a fresh provider session."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        yield client
