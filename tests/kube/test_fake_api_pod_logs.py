"""pods/log on the wire: query parameters, restarts, terminations and errors."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp

from . import objects
from .fake_api import FakeKubeAPI

LOG = "/api/v1/namespaces/tailgate/pods/web/log"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


async def fetch(http: aiohttp.ClientSession, **params: str) -> tuple[int, str]:
    async with asyncio.timeout(5), http.get(LOG, params=params) as response:
        return response.status, await response.text()


async def test_a_log_is_chunked_plain_text_with_kubelet_timestamps(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("web", "tailgate"))
    kube_api.append_log("tailgate", "web", "app", "one", at=T0 + timedelta(microseconds=123456))
    kube_api.append_log("tailgate", "web", "app", "two", at=1_704_067_201_000_000_009)

    async with http.get(LOG, params={"timestamps": "true"}) as response:
        body = await response.text()

    assert response.headers["Content-Type"] == "text/plain"
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert body == ("2024-01-01T00:00:00.123456000Z one\n2024-01-01T00:00:01.000000009Z two\n")


async def test_tail_since_and_limit_bytes_select_what_is_sent(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("web", "tailgate"))
    for second, text in enumerate(["a", "b", "c", "d"]):
        kube_api.append_log("tailgate", "web", "app", text, at=T0 + timedelta(seconds=second))

    assert await fetch(http, tailLines="2") == (200, "c\nd\n")
    assert await fetch(http, tailLines="0") == (200, "")
    assert await fetch(http, tailLines="9") == (200, "a\nb\nc\nd\n")  # more than there are
    assert await fetch(http, sinceTime="2024-01-01T00:00:02Z") == (200, "c\nd\n")
    assert await fetch(http, tailLines="3", sinceTime="2024-01-01T00:00:02Z") == (200, "c\nd\n")
    assert await fetch(http, limitBytes="3") == (200, "a\nb")
    assert await fetch(http, sinceSeconds="3600") == (200, "")


async def test_invalid_log_options_are_rejected_like_pod_log_options(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("web", "tailgate"))
    async with http.get(LOG, params={"tailLines": "-1"}) as response:
        status = await response.json()
    assert (response.status, status["reason"]) == (422, "Invalid")
    assert status["message"] == (
        'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: '
        "must be greater than or equal to 0"
    )


async def test_a_restart_keeps_the_previous_log_and_ends_its_followers(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("web", "tailgate"))
    kube_api.append_log("tailgate", "web", "app", "first run")
    async with http.get(LOG, params={"follow": "true"}) as follower:
        assert await follower.content.readline() == b"first run\n"
        restarted = kube_api.restart_container("tailgate", "web", "app")
        async with asyncio.timeout(5):
            assert await follower.content.read() == b""
    kube_api.append_log("tailgate", "web", "app", "second run")

    assert await fetch(http) == (200, "second run\n")
    assert await fetch(http, previous="true") == (200, "first run\n")
    status = restarted["status"]["containerStatuses"][0]
    assert status["restartCount"] == 1
    assert status["lastState"]["terminated"]["exitCode"] == 1
    assert status["lastState"]["terminated"]["containerID"] != status["containerID"]


async def test_a_waiting_container_has_no_log_until_it_starts(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("web", "tailgate", states={"app": "ContainerCreating"}))
    assert await fetch(http) == (
        400,
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":'
        '"container \\"app\\" in pod \\"web\\" is waiting to start: ContainerCreating",'
        '"reason":"BadRequest","code":400}',
    )
    kube_api.start_container("tailgate", "web", "app")
    kube_api.append_log("tailgate", "web", "app", "up")
    assert await fetch(http) == (200, "up\n")


async def test_a_terminated_container_log_is_still_readable_and_ends_at_once(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("web", "tailgate"))
    kube_api.append_log("tailgate", "web", "app", "bye")
    kube_api.terminate_container("tailgate", "web", "app", exit_code=0)

    assert await fetch(http, follow="true") == (200, "bye\n")
    assert (
        kube_api.get("Pod", "tailgate", "web")["status"]["containerStatuses"][0]["state"][
            "terminated"
        ]["reason"]
        == "Completed"
    )


async def test_deleting_a_pod_ends_its_followed_logs(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("web", "tailgate"))
    async with http.get(LOG, params={"follow": "1"}) as follower:
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
        kube_api.delete("Pod", "tailgate", "web")
        async with asyncio.timeout(5):
            assert await follower.content.read() == b""
    assert kube_api.open_log_streams == 0


async def test_held_log_headers_arrive_with_the_first_line(
    kube_api: FakeKubeAPI, http: aiohttp.ClientSession
) -> None:
    kube_api.create(objects.pod("web", "tailgate"))
    kube_api.hold_log_headers = True
    request = asyncio.ensure_future(http.get(LOG, params={"follow": "true"}))
    try:
        await kube_api.wait_until(lambda: kube_api.open_log_streams == 1)
        assert not request.done()
        kube_api.append_log("tailgate", "web", "app", "hello")
        async with asyncio.timeout(5):
            response = await request
        async with response:
            assert await response.content.readline() == b"hello\n"
    finally:
        request.cancel()
