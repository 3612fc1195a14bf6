"""Discovery: the version, the API groups and the resources each serves.

kubectl and client libraries read these before anything else to find where a kind
lives (``/api/v1`` for the core group, ``/apis/apps/v1``, ``/apis/batch/v1``). The
plain documents are served; clients asking for aggregated discovery fall back to them.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .statuses import no_such_route
from .store import GROUPS, SERVED, Obj

SERVER_VERSION = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.0",
    "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53",
    "gitTreeState": "clean",
    "buildDate": "2024-12-11T17:59:15Z",
    "goVersion": "go1.23.3",
    "compiler": "gc",
    "platform": "linux/amd64",
}
VERBS = ["create", "get", "list", "watch"]


def _json(body: Any) -> web.Response:
    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode(), content_type="application/json"
    )


# Discovery -------------------------------------------------------------------------------


async def version(request: web.Request) -> web.Response:
    return _json(SERVER_VERSION)


async def api_versions(request: web.Request) -> web.Response:
    # A plain APIVersions document: clients asking for aggregated discovery fall back.
    return _json(
        {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": request.host},
            ],
        }
    )


def _group(name: str) -> Obj:
    version = {"groupVersion": f"{name}/v1", "version": "v1"}
    return {"name": name, "versions": [version], "preferredVersion": version}


async def api_groups(request: web.Request) -> web.Response:
    groups = [_group(name) for name in GROUPS]
    return _json({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})


async def api_group(request: web.Request) -> web.Response:
    name = request.match_info["group"]
    if name not in GROUPS:
        raise no_such_route()
    return _json({"kind": "APIGroup", "apiVersion": "v1", **_group(name)})


async def api_resources(request: web.Request) -> web.Response:
    group = request.match_info.get("group", "")
    if group and group not in GROUPS:
        raise no_such_route()
    resources: list[Obj] = []
    for r in SERVED.values():
        if r.group != group:
            continue
        entry: Obj = {
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": VERBS,
            "shortNames": list(r.short_names),
        }
        if r.categories:
            entry["categories"] = list(r.categories)
        resources.append(entry)
    if not group:
        resources.append(
            {
                "name": "pods/log",
                "singularName": "",
                "namespaced": True,
                "kind": "Pod",
                "verbs": ["get"],
            }
        )
    group_version = f"{group}/v1" if group else "v1"
    return _json({"kind": "APIResourceList", "groupVersion": group_version, "resources": resources})
