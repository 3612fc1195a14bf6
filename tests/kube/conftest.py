"""Fixtures: a running fake API server, and a kubernetes-asyncio client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from kubernetes_asyncio import client

from tests.conftest import fail_on_tasks_left

from .fake_api import FakeKubeAPI


@pytest.fixture
async def kube_api() -> AsyncIterator[FakeKubeAPI]:
    """A fake API server on a free port of 127.0.0.1; `kube_api.url` is its base URL.

    Fails the test if it leaves asyncio tasks behind (an unclosed stream or client).
    """
    async with FakeKubeAPI() as fake:
        yield fake
    await fail_on_tasks_left(set())


@pytest.fixture
def kube_url(kube_api: FakeKubeAPI) -> str:
    return kube_api.url


@pytest.fixture
async def kube_client(kube_api: FakeKubeAPI) -> AsyncIterator[client.ApiClient]:
    """A kubernetes-asyncio ApiClient talking to `kube_api`, closed after the test."""
    configuration = client.Configuration(host=kube_api.url)
    async with client.ApiClient(configuration) as api_client:
        yield api_client


@pytest.fixture
async def http(kube_api: FakeKubeAPI) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client for `kube_api`, for checking wire formats byte by byte."""
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(base_url=kube_api.url, timeout=timeout) as session:
        yield session
