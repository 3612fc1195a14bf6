"""``/api/logs/{id}/search`` and ``/api/logs/{id}/lines``: a log's history over HTTP.

The same gate as a tail: who is asking (``gate.principal_of``: 401), whether the log
exists (404) and whether they may see it (403, the catalog's ``allow``); each call
leaves an audit record (``search``, ``read``). The parameters are client input and
are checked here, into a 400 that names the parameter; positions are resolved
against the log's own files only (``tailgate.history``). A search asked for as
``application/x-ndjson`` streams its matches and progress as it reads, and stops
reading when the client goes away. docs/search.md is the reference.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any

import orjson
from aiohttp import web

from ..catalog.model import EventsSpec, FileSpec, LogEntry, PodSpec, PodsSpec
from ..errors import SourceError
from ..history.errors import BadQuery, HistoryUnavailable, NoHistory
from ..history.found import Found
from ..history.log_files import LogFiles
from ..history.matching import line_text
from ..history.places import Place
from ..history.pod_history import Before, PodFound, PodWalk
from ..history.query import compile_query
from ..history.read_back import page_of, read_back
from ..history.timestamps import parse_since
from ..history.walk import Budget, Walk
from ..k8s.api import KubeApi
from . import audit
from .context import SERVICES, Services
from .gate import asked_log
from .principal import Principal
from .security import add_security_headers, client_address
from .tail_ws import whole_number

log = logging.getLogger("tailgate.history")

NDJSON = "application/x-ndjson"
#: Matches per search when the client names no limit.
DEFAULT_MATCHES = 100
#: Lines per read-back when the client names no limit.
DEFAULT_LINES = 100


async def search(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    settings = services.settings
    principal, entry = await _admit(services, request)
    query = request.query
    compiled = compile_query(
        query.get("q", ""), regex=_flag(query, "regex"), case=_flag(query, "case")
    )
    limit = _limit(query, DEFAULT_MATCHES, settings.search_max_matches)
    before = _place(query) if isinstance(entry.source, FileSpec) else None
    since = _since(query)
    audit.history(
        "search",
        principal,
        log_id=entry.id,
        client=client_address(request, settings),
        detail={
            **compiled.describe(),
            "limit": limit,
            "before": query.get("before"),
            "since": query.get("since"),
        },
    )
    budget = Budget.of(settings.search_max_mib * 1024 * 1024, settings.search_deadline)
    walk: Walk | PodWalk
    if isinstance(entry.source, FileSpec):
        walk = Walk(_files(services, entry), before, compiled.pattern, limit, budget, since)
    else:
        walk = PodWalk(
            await _kube(services),
            entry.id,
            _pod_source(entry),
            Before.decode(query["before"], entry.id) if query.get("before") else None,
            compiled.pattern,
            limit,
            budget,
            since,
        )
    try:
        if NDJSON in request.headers.get("Accept", ""):
            return await _stream(request, entry.id, walk, settings.max_line)
        matches: list[dict[str, Any]] = []
        async for batch in walk.batches():
            matches.extend(_match(found, settings.max_line) for found in batch)
    except asyncio.CancelledError:
        # The client went away (the runner cancels its handler): reading stops here,
        # after the block being read, and the files are let go.
        _ended(entry.id, walk, "client_gone")
        raise
    _ended(entry.id, walk, "answered")
    return _private_json(_summary(walk, {"matches": matches}))


async def lines(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    settings = services.settings
    principal, entry = await _admit(services, request)
    query = request.query
    if not query.get("before"):
        raise BadQuery("before is required: a cursor from a tail, a search or a page")
    limit = _limit(query, DEFAULT_LINES, max(1, settings.max_backlog))
    since = _since(query)
    budget = Budget.of(settings.search_max_mib * 1024 * 1024, settings.search_deadline)
    # Positions are checked before anything is recorded or read.
    before = _place(query) if isinstance(entry.source, FileSpec) else None
    pod_before = None if before is not None else Before.decode(query["before"], entry.id)
    audit.history(
        "read",
        principal,
        log_id=entry.id,
        client=client_address(request, settings),
        detail={"before": query["before"], "limit": limit, "since": query.get("since")},
    )
    if before is not None:
        page = await read_back(
            _files(services, entry),
            before,
            limit=limit,
            budget=budget,
            max_line=settings.max_line,
            since=since,
        )
    else:
        walk = PodWalk(
            await _kube(services),
            entry.id,
            _pod_source(entry),
            pod_before,
            None,
            limit,
            budget,
            since,
        )
        page = await page_of(walk, settings.max_line)
    return _private_json({"lines": page.lines, "cursor": page.cursor})


async def _admit(services: Services, request: web.Request) -> tuple[Principal, LogEntry]:
    principal, entry = await asked_log(request)
    if isinstance(entry.source, EventsSpec):
        raise NoHistory("an events log has no history to read back; its tail's backlog does")
    return principal, entry


def _pod_source(entry: LogEntry) -> PodSpec | PodsSpec:
    """The pod source of an entry ``_admit`` let through (files are read elsewhere)."""
    source = entry.source
    if not isinstance(source, PodSpec | PodsSpec):
        raise NoHistory(f"log {entry.id!r} has no pod log history")
    return source


async def _kube(services: Services) -> KubeApi:
    pods = services.sources.pods
    if pods is None:
        raise NoHistory("this server reads no pod logs")
    try:
        return await pods.connector.api()
    except SourceError as exc:
        raise HistoryUnavailable(f"the Kubernetes API cannot be reached: {exc}") from None


def _files(services: Services, entry: LogEntry) -> LogFiles:
    spec = entry.source
    if not isinstance(spec, FileSpec):
        raise NoHistory("this log is not a file log")
    others = services.catalog.current.other_files(entry.id)
    return LogFiles(spec.path, services.settings.roots.for_log(spec.path), others=others)


async def _stream(
    request: web.Request, log_id: str, walk: Walk | PodWalk, max_line: int
) -> web.StreamResponse:
    """Matches and ``{"scanned_bytes": N}`` lines as the walk goes, then the summary.

    The first step is taken before the answer starts, so a position of no use here is
    still a 400; after that, a client gone away ends the walk between two blocks.
    """
    batches: AsyncGenerator[Sequence[Found | PodFound], None] = walk.batches()
    try:
        first = await anext(batches, None)
        response = web.StreamResponse(headers={"Content-Type": NDJSON, "Cache-Control": "no-store"})
        add_security_headers(response)
        await response.prepare(request)
        batch = first
        while batch is not None:
            out = [orjson.dumps(_match(found, max_line)) for found in batch]
            out.append(orjson.dumps({"scanned_bytes": walk.budget.scanned}))
            if _gone(request):
                _ended(log_id, walk, "client_gone")
                return response
            try:
                await response.write(b"\n".join(out) + b"\n")
            except ConnectionError:
                _ended(log_id, walk, "client_gone")
                return response
            batch = await anext(batches, None)
        _ended(log_id, walk, "answered")
        with contextlib.suppress(ConnectionError):
            await response.write(orjson.dumps(_summary(walk, {})) + b"\n")
            await response.write_eof()
        return response
    finally:
        await batches.aclose()


def _ended(log_id: str, walk: Walk | PodWalk, reason: str) -> None:
    log.info(
        "search ended",
        extra={
            "log_id": log_id,
            "reason": reason,
            "scanned_bytes": walk.budget.scanned,
            "more": walk.more is not None,
        },
    )


def _gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _match(found: Found | PodFound, max_line: int) -> dict[str, Any]:
    match: dict[str, Any] = {"line": line_text(found.raw, max_line), "cursor": found.after.encode()}
    if isinstance(found, PodFound) and found.time is not None:
        match["time"] = found.time
    if found.source is not None:
        match["source"] = found.source
    return match


def _summary(walk: Walk | PodWalk, body: dict[str, Any]) -> dict[str, Any]:
    body["scanned_bytes"] = walk.budget.scanned
    body["more"] = walk.more.encode() if walk.more is not None else None
    if walk.skipped:
        body["skipped"] = walk.skipped
    return body


def _flag(query: Mapping[str, str], name: str) -> bool:
    raw = query.get(name)
    if raw is None or raw in ("", "0"):
        return False
    if raw == "1":
        return True
    raise BadQuery(f"{name} must be 1 or 0, got {raw[:20]!r}")


def _limit(query: Mapping[str, str], default: int, cap: int) -> int:
    raw = query.get("limit")
    if raw is None:
        return min(default, cap)
    try:
        number = whole_number(raw)
    except ValueError:
        raise BadQuery(f"limit must be a whole number >= 1, got {raw[:20]!r}") from None
    if number < 1:
        raise BadQuery("limit must be at least 1")
    return min(number, cap)


def _place(query: Mapping[str, str]) -> Place | None:
    raw = query.get("before")
    return Place.decode(raw) if raw else None


def _since(query: Mapping[str, str]) -> int | None:
    raw = query.get("since")
    return parse_since(raw) if raw else None


def _private_json(body: object) -> web.Response:
    response = web.Response(body=orjson.dumps(body), content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response
