"""Plain HTTP routes: the page, the list of logs, health and readiness."""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from .context import SERVICES

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


async def index(_request: web.Request) -> web.Response:
    return _static_file("index.html")


async def static(request: web.Request) -> web.Response:
    return _static_file(request.match_info["name"])


async def api_logs(request: web.Request) -> web.Response:
    catalog = request.app[SERVICES].catalog.current
    logs = [
        {"id": entry.id, "title": entry.title, "kind": entry.kind}
        for entry in catalog.entries.values()
    ]
    return web.json_response({"logs": logs})


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    if services.shutting_down:
        return web.json_response({"status": "shutting_down"}, status=503)
    if not services.catalog.loaded:
        return web.json_response({"status": "no_catalog"}, status=503)
    return web.json_response({"status": "ready", "logs": len(services.catalog.current)})
