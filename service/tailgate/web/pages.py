"""Plain HTTP routes: the page, the list of logs, health and readiness.

The page and the API need a signed-in user when sign-in is on (``gate``); the static
files (code and styles, nothing secret) and the health endpoints do not. The page names
its files, the API and the tails by relative URLs, so it works below any base path.
"""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from ..catalog.model import LogEntry
from .context import SERVICES
from .gate import allowed, asked_log, principal_of

_STATIC = resources.files("tailgate") / "static"
_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


def _static_file(name: str) -> web.Response:
    suffix = name[name.rfind(".") :] if "." in name else ""
    if "/" in name or name.startswith(".") or suffix not in _TYPES:
        raise web.HTTPNotFound()
    item = _STATIC / name
    if not item.is_file():
        raise web.HTTPNotFound()
    response = web.Response(body=item.read_bytes(), content_type=_TYPES[suffix], charset="utf-8")
    response.headers["Cache-Control"] = "no-cache"
    return response


async def index(request: web.Request) -> web.Response:
    await principal_of(request)  # not signed in: off to /login, and back here afterwards
    response = _static_file("index.html")
    response.headers["Cache-Control"] = "no-store"
    return response


async def to_index(request: web.Request) -> web.Response:
    """``/logs`` (the ingress rule's own path) goes on to ``/logs/``.

    The page's addresses are relative to it, so it is served only with the slash. Not a
    permanent redirect: the path is a deployment setting and may move.
    """
    location = request.app[SERVICES].settings.base_path + "/"
    # As sent, still percent-encoded: decoded, it could break the header.
    if query := request.rel_url.raw_query_string:
        location += "?" + query
    response = web.Response(status=302, headers={"Location": location})
    response.headers["Cache-Control"] = "no-store"
    return response


async def static(request: web.Request) -> web.Response:
    return _static_file(request.match_info["name"])


async def api_logs(request: web.Request) -> web.Response:
    """The logs this user may tail, and only those."""
    services = request.app[SERVICES]
    principal = await principal_of(request)
    logs = [
        _described(entry)
        for entry in services.catalog.current.entries.values()
        if allowed(services, principal, entry)
    ]
    return _private_json({"logs": logs})


async def api_log(request: web.Request) -> web.Response:
    """One log: 404 when the catalog has no such ID, 403 when it is not for this user."""
    _, entry = await asked_log(request)
    return _private_json(_described(entry))


def _described(entry: LogEntry) -> dict[str, str]:
    """A log as the API lists it. ``kind`` is its source's (file, pod, pods), or for a
    discovered log its workload's (Deployment, ...), beside its ``namespace``: what the
    page groups by."""
    if entry.workload is not None:
        return {
            "id": entry.id,
            "title": entry.title,
            "kind": entry.workload.kind,
            "namespace": entry.workload.namespace,
        }
    return {"id": entry.id, "title": entry.title, "kind": entry.kind}


def _private_json(body: object) -> web.Response:
    response = web.json_response(body)
    # Per user: no shared cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    if services.shutting_down:
        return web.json_response({"status": "shutting_down"}, status=503)
    if not services.catalog.loaded:
        return web.json_response({"status": "no_catalog"}, status=503)
    auth = services.auth
    if auth is not None and not auth.ready:
        # Sessions would still work, but nobody could sign in: not ready until it answers.
        return web.json_response(
            {
                "status": "provider_unavailable",
                "reason": auth.discovery.last_error or "the identity provider has not answered yet",
            },
            status=503,
        )
    return web.json_response({"status": "ready", "logs": len(services.catalog.current)})
