"""The client layer: the few API server requests tailgate makes, with errors as our own.

Every request goes through kubernetes_asyncio's ``ApiClient.call_api`` with
``_preload_content=False``, which hands back the raw aiohttp response: nothing checks
its status, so this module does, turning ``Status`` bodies into ``errors``. Objects
stay plain dicts (the JSON the server sent); only the fields tailgate reads are
looked at. Long-lived responses (watches, followed logs) are closed in ``finally``:
cancelling a reader alone would leave the upstream stream open.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from ..errors import TailgateError
from .errors import KubeUnavailable, NotFound, PodNotFound, error_for, retry_after

Obj = dict[str, Any]

#: Plain requests (get, list, create) give up after this many seconds.
REQUEST_TIMEOUT = 10.0
#: Streams wait this long to connect; reading them has no time limit.
STREAM_TIMEOUT = aiohttp.ClientTimeout(connect=10.0, sock_connect=10.0)
#: Longest line read from a stream; kubelets cap lines at 16 KiB, but be generous.
MAX_LINE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class WatchEvent:
    type: str  # ADDED, MODIFIED, DELETED, BOOKMARK
    object: Obj

    @property
    def resource_version(self) -> str:
        return str(self.object.get("metadata", {}).get("resourceVersion", ""))


class LogStream:
    """An open pods/log response. Read ``lines()``; always ``close()`` it."""

    def __init__(self, response: aiohttp.ClientResponse, what: str) -> None:
        self._response = response
        self._what = what

    async def batches(self) -> AsyncIterator[list[bytes]]:
        """Complete lines (without newline) as they arrive, one list per network read.

        A last line without a newline is held until its newline comes, and given as it
        is at EOF. Ends at EOF; a broken connection raises KubeUnavailable.
        """
        content = self._response.content
        partial = b""
        while True:
            try:
                data = await content.readany()
            except (aiohttp.ClientError, OSError) as exc:
                raise KubeUnavailable(f"{self._what}: the stream broke: {exc}") from exc
            if not data:
                if partial:
                    yield [partial]
                return
            data = partial + data
            end = data.rfind(b"\n")
            if end < 0:
                partial = data
                if len(partial) >= MAX_LINE_BYTES:
                    yield [partial]
                    partial = b""
                continue
            partial = data[end + 1 :]
            yield data[:end].split(b"\n")

    def close(self) -> None:
        self._response.close()


class KubeApi:
    """The requests tailgate makes, over one ``kubernetes_asyncio`` ApiClient."""

    def __init__(self, api_client: Any) -> None:
        self._client = api_client

    async def _request(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        *,
        what: str,
        body: Obj | None = None,
        stream: bool = False,
        missing: type[NotFound] = NotFound,
    ) -> aiohttp.ClientResponse:
        headers = {"Accept": "application/json, */*"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            response: aiohttp.ClientResponse = await self._client.call_api(
                path,
                method,
                query_params=query,
                header_params=headers,
                body=body,
                auth_settings=["BearerToken"],
                _preload_content=False,
                _request_timeout=STREAM_TIMEOUT if stream else REQUEST_TIMEOUT,
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise KubeUnavailable(f"{what}: cannot reach the API server: {exc}") from exc
        except TailgateError:
            raise
        except Exception as exc:
            # kubernetes_asyncio's own ApiException (status 0) for connection trouble.
            raise KubeUnavailable(f"{what}: {exc}".strip()) from exc
        if 200 <= response.status < 300:
            return response
        try:
            data = await asyncio.wait_for(response.read(), REQUEST_TIMEOUT)
        except (aiohttp.ClientError, OSError, TimeoutError):
            data = b""
        finally:
            response.close()
        wait = retry_after(response.headers.get("Retry-After"))
        raise error_for(response.status, data, what=what, missing=missing, wait=wait)

    async def _json(self, method: str, path: str, query: list[tuple[str, str]], **kw: Any) -> Obj:
        response = await self._request(method, path, query, **kw)
        try:
            data: Any = await response.json(content_type=None)
        except (aiohttp.ClientError, OSError, ValueError, TimeoutError) as exc:
            raise KubeUnavailable(f"{kw['what']}: unreadable answer: {exc}") from exc
        finally:
            response.close()
        if not isinstance(data, dict):
            raise KubeUnavailable(f"{kw['what']}: unexpected answer from the API server")
        return data

    # -- objects ----------------------------------------------------------------------

    async def get_pod(self, namespace: str, name: str) -> Obj:
        return await self._json(
            "GET",
            f"/api/v1/namespaces/{namespace}/pods/{name}",
            [],
            what=f"pod {namespace}/{name}",
            missing=PodNotFound,
        )

    async def list(
        self,
        plural: str,
        namespace: str,
        *,
        group: str = "",
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> tuple[list[Obj], str]:
        """The items and the list's resourceVersion (to watch from).

        ``group`` is the API group (``apps``, ``batch``; "" is the core group);
        ``namespace`` "" lists every namespace (or a cluster-scoped collection).
        """
        query = _selectors(label_selector, field_selector)
        data = await self._json(
            "GET",
            collection_path(plural, namespace, group),
            query,
            what=f"listing {plural}{_where(namespace)}",
        )
        items = data.get("items") or []
        return list(items), str(data.get("metadata", {}).get("resourceVersion", ""))

    @asynccontextmanager
    async def watch(
        self,
        plural: str,
        namespace: str,
        *,
        resource_version: str,
        group: str = "",
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: int = 300,
    ) -> AsyncIterator[AsyncIterator[WatchEvent]]:
        """One watch request; its events end when the server ends it. Raises Gone on 410."""
        what = f"watching {plural}{_where(namespace)}"
        query = _selectors(label_selector, field_selector)
        query += [
            ("watch", "true"),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", str(timeout_seconds)),
        ]
        if resource_version:
            query.append(("resourceVersion", resource_version))
        response = await self._request(
            "GET", collection_path(plural, namespace, group), query, what=what, stream=True
        )
        try:
            yield _events(LogStream(response, what), what)
        finally:
            response.close()

    async def create_event(self, namespace: str, event: Obj) -> None:
        response = await self._request(
            "POST",
            f"/api/v1/namespaces/{namespace}/events",
            [],
            body=event,
            what=f"recording an event in {namespace}",
        )
        response.close()

    # -- logs ---------------------------------------------------------------------------

    async def open_log(
        self,
        namespace: str,
        pod: str,
        *,
        container: str | None,
        follow: bool,
        previous: bool = False,
        tail_lines: int | None = None,
        since_time: str | None = None,
        limit_bytes: int | None = None,
    ) -> LogStream:
        """Open a pods/log response with timestamps; the caller must ``close()`` it.

        ``limit_bytes``: the API server stops after that many bytes of log.
        """
        query = [("timestamps", "true")]
        if container:
            query.append(("container", container))
        if follow:
            query.append(("follow", "true"))
        if previous:
            query.append(("previous", "true"))
        if tail_lines is not None:
            query.append(("tailLines", str(tail_lines)))
        if since_time is not None:
            query.append(("sinceTime", since_time))
        if limit_bytes is not None:
            query.append(("limitBytes", str(limit_bytes)))
        what = f"log of pod {namespace}/{pod}" + (f" container {container}" if container else "")
        response = await self._request(
            "GET",
            f"/api/v1/namespaces/{namespace}/pods/{pod}/log",
            query,
            what=what,
            stream=True,
            missing=PodNotFound,
        )
        return LogStream(response, what)


async def _events(stream: LogStream, what: str) -> AsyncIterator[WatchEvent]:
    async for lines in stream.batches():
        for line in lines:
            if line.strip():
                yield _event(line, what)


def _event(line: bytes, what: str) -> WatchEvent:
    try:
        data: Any = json.loads(line)
        kind, obj = str(data["type"]), data["object"]
    except (ValueError, KeyError, TypeError) as exc:
        raise KubeUnavailable(f"{what}: malformed watch event") from exc
    if kind == "ERROR":
        code = int(obj.get("code", 500)) if isinstance(obj, dict) else 500
        raise error_for(code, json.dumps(obj), what=what)
    return WatchEvent(kind, obj)


def collection_path(plural: str, namespace: str, group: str = "") -> str:
    """Where a collection lives: ``/api/v1/...`` for the core group, ``/apis/G/v1/...``."""
    base = f"/apis/{group}/v1" if group else "/api/v1"
    return f"{base}/namespaces/{namespace}/{plural}" if namespace else f"{base}/{plural}"


def _where(namespace: str) -> str:
    return f" in {namespace}" if namespace else ""


def _selectors(label: str | None, field: str | None) -> list[tuple[str, str]]:
    query = []
    if label:
        query.append(("labelSelector", label))
    if field:
        query.append(("fieldSelector", field))
    return query
