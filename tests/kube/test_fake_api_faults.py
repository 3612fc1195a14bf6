"""Injected faults look like a real API server's: Status bodies, Retry-After, drops."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from . import objects
from .fake_api import FakeKubeAPI

LOG = "/api/v1/namespaces/shop/pods/web/log"


async def test_an_injected_500_is_an_internal_error_status_then_requests_are_served(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("web", "shop"))
    kube_api.faults.fail(500, where="/log")
    async with http.get(LOG) as response:
        status = await response.json()
    assert response.status == 500
    assert status["kind"] == "Status" and status["reason"] == "InternalError"
    assert status["code"] == 500 and "has prevented the request" in status["message"]
    async with http.get("/api/v1/namespaces/shop/pods/web") as response:
        assert response.status == 200  # the fault named log requests only
    async with http.get(LOG) as response:
        assert response.status == 200
    assert kube_api.faults.injected == {500: 1}


async def test_an_injected_429_says_when_to_come_back(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.faults.fail(429, times=2, retry_after=3)
    for _ in range(2):
        async with http.get("/api/v1/namespaces/shop/pods") as response:
            status = await response.json()
        assert response.status == 429 and response.headers["Retry-After"] == "3"
        assert status["reason"] == "TooManyRequests"
        assert status["details"] == {"retryAfterSeconds": 3}
    async with http.get("/api/v1/namespaces/shop/pods") as response:
        assert response.status == 200


async def test_a_broken_log_stream_ends_without_its_last_chunk(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("web", "shop"))
    kube_api.append_log("shop", "web", "app", "one")
    async with http.get(LOG, params={"follow": "true"}) as response:
        assert await response.content.readline() == b"one\n"
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
        kube_api.drop_log_streams(broken=True)
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.content.read()


async def test_a_slow_api_server_answers_late_but_answers(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.faults.delay = 0.5
    seen = len(kube_api.requests)
    answer = asyncio.create_task(http.get("/api/v1/namespaces/shop/pods"))
    await kube_api.wait_until(lambda: len(kube_api.requests) > seen)
    assert not answer.done()  # received, and held back
    response = await answer
    assert response.status == 200
    response.release()


async def test_expired_watches_must_list_again(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    rv = kube_api.resource_version
    kube_api.create(objects.pod("web", "shop"))
    kube_api.expire_watches()
    params = {"watch": "true", "resourceVersion": str(rv), "timeoutSeconds": "1"}
    async with http.get("/api/v1/namespaces/shop/pods", params=params) as response:
        body = await response.text()
    assert '"type":"ERROR"' in body and '"code":410' in body
