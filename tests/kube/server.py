"""The HTTP face of the fake: discovery, get/list/watch/create, and pods/log.

Routes translate requests into calls on the store, the log store and the authorizer,
and every failure into the API server's `Status` JSON. Streams (watches and followed
logs) are chunked responses that end when their source ends; the runner cancels a
handler whose client went away, so an abandoned stream closes as it would upstream.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .discovery import api_group, api_groups, api_resources, api_versions, version
from .log_requests import LogOptions, choose_container, parse_bool, resolve_container_id
from .selectors import fields_match, labels_match, parse_field_selector, parse_label_selector
from .statuses import (
    StatusError,
    bad_request,
    continue_expired,
    invalid,
    method_not_allowed,
    no_such_route,
    too_large_resource_version,
)
from .store import SERVED, Obj, Resource

if TYPE_CHECKING:
    from .fake_api import FakeKubeAPI

FAKE: web.AppKey[FakeKubeAPI] = web.AppKey("fake")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(fake: FakeKubeAPI) -> web.Application:
    app = web.Application(middlewares=[_record, _faults, _statuses])
    app[FAKE] = fake
    app.router.add_get("/version", version)
    app.router.add_get("/api", api_versions)
    app.router.add_get("/api/v1", api_resources)
    app.router.add_get("/apis", api_groups)
    app.router.add_route("*", "/api/v1/{resource}", _collection)
    app.router.add_get("/api/v1/namespaces/{name}", _namespace)
    app.router.add_route("*", "/api/v1/namespaces/{namespace}/{resource}", _collection)
    app.router.add_get("/api/v1/namespaces/{namespace}/{resource}/{name}", _item)
    app.router.add_get("/api/v1/namespaces/{namespace}/pods/{name}/log", _pod_log)
    app.router.add_get("/apis/{group}", api_group)
    app.router.add_get("/apis/{group}/v1", api_resources)
    app.router.add_route("*", "/apis/{group}/v1/{resource}", _collection)
    app.router.add_route("*", "/apis/{group}/v1/namespaces/{namespace}/{resource}", _collection)
    app.router.add_get("/apis/{group}/v1/namespaces/{namespace}/{resource}/{name}", _item)
    return app


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )


@web.middleware
async def _record(request: web.Request, handler: Handler) -> web.StreamResponse:
    fake = request.app[FAKE]
    fake.requests.append((request.method, request.path_qs))
    fake.notify()
    return await handler(request)


@web.middleware
async def _faults(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Faults a test armed (``fake.faults``): a slow answer, or a Status error instead."""
    faults = request.app[FAKE].faults
    delay = faults.delay_for(request.path_qs)
    if delay:
        await asyncio.sleep(delay)
    injected = faults.take(request.path)
    if injected is None:
        return await handler(request)
    error, headers = injected
    response = _json(error.status(), error.code)
    response.headers.update(headers)
    return response


@web.middleware
async def _statuses(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except StatusError as error:
        return _json(error.status(), error.code)
    except web.HTTPNotFound:
        return _json(no_such_route().status(), 404)
    except web.HTTPMethodNotAllowed:
        return _json(method_not_allowed().status(), 405)


# Objects ---------------------------------------------------------------------------------


def _resource(request: web.Request) -> Resource:
    key = (request.match_info.get("group", ""), request.match_info["resource"])
    resource = SERVED.get(key)
    if resource is None or (not resource.namespaced and "namespace" in request.match_info):
        raise no_such_route()
    return resource


async def _namespace(request: web.Request) -> web.Response:
    fake = request.app[FAKE]
    name = request.match_info["name"]
    fake.authorizer.check("get", "namespaces", "", "", name)
    return _json(fake.store.get("namespaces", "", name))


async def _item(request: web.Request) -> web.Response:
    fake = request.app[FAKE]
    resource = _resource(request)
    namespace, name = request.match_info["namespace"], request.match_info["name"]
    fake.authorizer.check("get", resource.plural, "", namespace, name, resource.group)
    return _json(resource.shown(fake.store.get(resource.stored, namespace, name)))


async def _collection(request: web.Request) -> web.StreamResponse:
    fake = request.app[FAKE]
    resource = _resource(request)
    namespace = request.match_info.get("namespace", "")
    if request.method == "POST" and resource.namespaced == bool(namespace):
        return await _create(request, resource, namespace)
    if request.method != "GET":
        raise method_not_allowed()
    query = request.query
    watching = parse_bool("watch", query.get("watch"))
    verb = "watch" if watching else "list"
    fake.authorizer.check(verb, resource.plural, "", namespace, "", resource.group)
    label_reqs = parse_label_selector(query.get("labelSelector"))
    field_reqs = parse_field_selector(query.get("fieldSelector"), resource.fields)

    def matches(obj: Obj) -> bool:
        return labels_match(label_reqs, obj) and fields_match(field_reqs, obj)

    if watching:
        return await _watch(request, resource, namespace, matches)
    current = fake.store.resource_version
    limit = _int(query.get("limit"), "limit") or 0
    start = ""
    if token := query.get("continue"):
        at, start = _decode_continue(token)
        if at < fake.store.compacted:
            raise continue_expired()
    else:
        rv = query.get("resourceVersion", "")
        at = current if rv in ("", "0") else _int(rv, "resourceVersion") or 0
        if at > current:
            raise too_large_resource_version(at, current)
        if query.get("resourceVersionMatch") != "Exact":
            at = current  # "not older than" and "any" are both served from the latest state
    shown = (resource.shown(o) for o in fake.store.list(resource.stored, namespace, at))
    items = [o for o in shown if matches(o) and _key(o) > start]
    metadata: Obj = {"resourceVersion": str(at)}
    if limit and len(items) > limit:
        metadata["continue"] = _encode_continue(at, _key(items[limit - 1]))
        if not label_reqs and not field_reqs:
            metadata["remainingItemCount"] = len(items) - limit
        items = items[:limit]
    for item in items:
        # Items in a list carry no kind or apiVersion, as the real server sends them.
        item.pop("kind", None)
        item.pop("apiVersion", None)
    return _json(
        {
            "kind": f"{resource.kind}List",
            "apiVersion": resource.api_version,
            "metadata": metadata,
            "items": items,
        }
    )


def _key(obj: Obj) -> str:
    return f"{obj['metadata'].get('namespace', '')}/{obj['metadata']['name']}\x00"


def _encode_continue(rv: int, start: str) -> str:
    token = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start}).encode()
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def _decode_continue(token: str) -> tuple[int, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return int(data["rv"]), str(data["start"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise bad_request(
            "continue key is not valid: incorrect encoded start resourceVersion"
        ) from None


def _int(raw: str | None, name: str) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f'{name}: Invalid value: "{raw}": must be an integer') from None


async def _create(request: web.Request, resource: Resource, namespace: str) -> web.Response:
    fake = request.app[FAKE]
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("the body of the request was in an unknown format") from None
    if not isinstance(body, dict):
        raise bad_request("the body of the request was in an unknown format")
    meta = body.setdefault("metadata", {})
    name = meta.get("name", "")
    fake.authorizer.check("create", resource.plural, "", namespace, "", resource.group)
    if namespace:
        fake.store.get("namespaces", "", namespace)  # 404 when the namespace does not exist
    if meta.get("namespace", namespace) != namespace:
        raise bad_request(
            "the namespace of the provided object does not match the namespace sent on the request"
        )
    if namespace:
        meta["namespace"] = namespace
    if body.get("kind", resource.kind) != resource.kind:
        raise bad_request(
            f"the API version in the data ({resource.api_version}) does not match the expected "
            f"kind {resource.kind}"
        )
    causes = []
    if not name and not meta.get("generateName"):
        causes.append(
            (
                "metadata.name",
                "FieldValueRequired",
                "Required value: name or generateName is required",
            )
        )
    involved = body.get("involvedObject") or body.get("regarding") or {}
    if resource.plural == "events" and involved.get("namespace", namespace) != namespace:
        causes.append(
            (
                "regarding.namespace" if resource.group else "involvedObject.namespace",
                "FieldValueInvalid",
                f'Invalid value: "{involved["namespace"]}": does not match event.namespace',
            )
        )
    if causes:
        raise invalid(resource.kind, name, causes)
    if resource.accept is not None:
        body = resource.accept(body)
    created = fake.create(body)
    return _json(resource.shown(created), 201)


async def _watch(
    request: web.Request, resource: Resource, namespace: str, matches: Any
) -> web.StreamResponse:
    fake = request.app[FAKE]
    query = request.query
    rv = query.get("resourceVersion", "")
    since = None if rv in ("", "0") else _int(rv, "resourceVersion")
    initial = parse_bool("sendInitialEvents", query.get("sendInitialEvents"))
    if initial:
        since = None
    timeout = _int(query.get("timeoutSeconds"), "timeoutSeconds")
    watcher = fake.store.watch(
        resource,
        namespace,
        matches,
        since,
        bookmarks=parse_bool("allowWatchBookmarks", query.get("allowWatchBookmarks")),
        initial_events_end=initial,
    )
    fake.notify()
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    try:
        await response.prepare(request)
        async with asyncio.timeout(timeout):
            while True:
                while watcher.events:
                    event = watcher.events.popleft()
                    await response.write(json.dumps(event, separators=(",", ":")).encode() + b"\n")
                if watcher.closed:
                    break
                watcher.wake.clear()
                await watcher.wake.wait()
    except TimeoutError:
        pass  # timeoutSeconds elapsed: the watch ends cleanly, as upstream
    finally:
        fake.store.forget(watcher)
        fake.notify()
    await response.write_eof()
    return response


# Logs ------------------------------------------------------------------------------------


async def _pod_log(request: web.Request) -> web.StreamResponse:
    fake = request.app[FAKE]
    namespace, name = request.match_info["namespace"], request.match_info["name"]
    fake.authorizer.check("get", "pods", "log", namespace, name)
    pod = fake.store.get("pods", namespace, name)
    options = LogOptions.from_query(request.query, name, time.time_ns())
    container = choose_container(pod, options.container)
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    response.enable_chunked_encoding()
    if not pod["spec"].get("nodeName"):
        # An unscheduled pod has no kubelet to ask: the API server answers with nothing.
        await response.prepare(request)
        await response.write_eof()
        return response
    container_id = resolve_container_id(pod, container, options.previous)

    async def write(data: bytes) -> None:
        if not response.prepared:
            await response.prepare(request)
        await response.write(data)

    if not fake.hold_log_headers:
        await response.prepare(request)
    broken = await fake.logs.stream(container_id, options, write)
    if broken and request.transport is not None:
        # The connection drops mid-stream: no last chunk, the client sees it broken.
        request.transport.abort()
        return response
    if not response.prepared:
        await response.prepare(request)
    await response.write_eof()
    return response
