"""``/ws/tail/{id}``: one WebSocket, one tail (docs/protocol.md).

The handler checks the handshake (Origin, then who is asking and whether they may
tail this log, under the caps), then runs the tail as a ``TailSession`` block
(``tail_session``: the source, metrics, audit record and expiry) while it reads the
client's messages (pause, resume). A client that floods bad messages is closed with
1008. Every refusal is a ``Refusal`` whose close code and sentence the client gets,
never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Mapping

from aiohttp import WSCloseCode, WSMsgType, web

from ..auth.errors import AccessDenied, AuthError
from ..catalog.model import EventsSpec, FileSpec, LogEntry
from ..errors import (
    BadClientMessage,
    BadFilter,
    CloseCode,
    OriginNotAllowed,
    Refusal,
    ShuttingDown,
    TooManyTails,
    UnknownLog,
)
from ..history.log_files import LogFiles
from ..history.tail_start import cursor_since
from ..history.timestamps import parse_since
from ..streaming.frames import MAX_CURSOR, error_payload, hello_payload
from ..streaming.line_filter import FilterProblem, LineFilter, parse_filter
from ..streaming.messages import MAX_MESSAGE_BYTES, Command, parse_client_message
from ..streaming.viewer import Viewer
from ..streaming.views import View
from . import audit
from .context import SERVICES, Services
from .gate import allowed, principal_of
from .principal import PRINCIPAL, Principal
from .security import client_address, origin_allowed
from .tail_session import CLOSE_WAIT, TailSession

log = logging.getLogger("tailgate.tails")


async def tail_ws(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    metrics = services.metrics
    refusal = _refusal_before_handshake(services, request)
    if refusal is not None:
        return web.json_response(
            {"error": refusal.code, "message": refusal.message}, status=refusal.status
        )
    ws = web.WebSocketResponse(
        heartbeat=services.settings.heartbeat,
        max_msg_size=MAX_MESSAGE_BYTES * 4,
        compress=False,
    )
    # Who is asking is settled before the handshake, so that a session refreshed on the
    # way reaches the browser with the 101 response (a WebSocket cannot set it later).
    try:
        asking: Principal | AuthError = await principal_of(request)
    except AuthError as exc:
        asking = exc
    await ws.prepare(request)
    log_id = request.match_info["id"]
    client = client_address(request, services.settings)
    try:
        if isinstance(asking, AuthError):
            raise asking
        entry, session = _admit(services, request, ws, log_id, client, asking)
        line_filter = filter_of(request.query)
    except Refusal as exc:
        # After the handshake, so that the browser learns why (4401, 4403, 4404, ...)
        # instead of seeing a failed connection it cannot tell from a network problem.
        metrics.ws_rejections.labels(exc.code).inc()
        audit.refused(
            exc.code,
            client=client,
            path=request.path,
            principal=request.get(PRINCIPAL),
            close_code=exc.close_code,
            log_id=log_id,
            detail=exc.detail,
        )
        await _refuse(ws, exc.close_code, exc.code, exc.message)
        return ws
    settings = services.settings
    backlog, cursor, problems = parse_query(
        request.query, settings.default_backlog, settings.max_backlog
    )
    asked = annotations_asked(request.query, problems)
    session.viewer.ask(View(line_filter, levels="levels" in asked, sources="sources" in asked))
    cursor, since = await start_at_time(services, entry, request.query, cursor, problems)
    async with session.running(
        services.sessions,
        metrics,
        services.sources.build(entry),
        hello=hello_payload(entry.id, entry.title, entry.kind, **_hello_extra(line_filter)),
        backlog=backlog,
        cursor=cursor,
        since=since,
        problems=problems,
    ):
        await _read_client(session)
    return ws


def _hello_extra(line_filter: LineFilter | None) -> dict[str, object]:
    """The hello says which filter the server applies, so clients need not apply it."""
    return {"filter": line_filter.describe()} if line_filter is not None else {}


def filter_of(query: Mapping[str, str]) -> LineFilter | None:
    """The tail's filter (``filter=``, ``levels=``...), or ``BadFilter`` saying what is wrong.

    A filter that cannot be applied refuses the tail (4400) rather than sending every
    line, which is not what the person asked for.
    """
    try:
        return parse_filter(query)
    except FilterProblem as exc:
        raise BadFilter(str(exc)) from None


def _refusal_before_handshake(services: Services, request: web.Request) -> Refusal | None:
    """A foreign Origin or a server on its way down is answered with HTTP, not a tail."""
    origin = request.headers.get("Origin")
    if not origin_allowed(origin, services.settings):
        services.metrics.ws_rejections.labels("origin").inc()
        log.warning(
            "WebSocket refused: foreign Origin",
            extra={"origin": origin, "client": request.remote},
        )
        refusal: Refusal = OriginNotAllowed(f"Origin {(origin or '')[:200]!r} is not allowed")
        audit.refused(
            "origin",
            client=client_address(request, services.settings),
            path=request.path,
            status=refusal.status,
            detail=refusal.detail,
        )
        return refusal
    if services.shutting_down:
        services.metrics.ws_rejections.labels("shutting_down").inc()
        return ShuttingDown()
    return None


async def _refuse(ws: web.WebSocketResponse, close_code: int, code: str, message: str) -> None:
    await ws.send_frame(error_payload(code, message), WSMsgType.TEXT)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(
            ws.close(code=close_code, message=message.encode()[:120]), CLOSE_WAIT
        )


def _admit(
    services: Services,
    request: web.Request,
    ws: web.WebSocketResponse,
    log_id: str,
    client: str,
    principal: Principal,
) -> tuple[LogEntry, TailSession]:
    """The log asked for and its session, once it may be tailed under the caps."""
    entry = services.catalog.current.get(log_id)
    if entry is None:
        raise UnknownLog(f"there is no log with ID {log_id!r}")
    if not allowed(services, principal, entry):
        raise AccessDenied(f"{principal.user} may not tail {entry.id}")
    services.sessions.admit(client)
    transport = request.transport
    if transport is None:
        raise TooManyTails("the connection closed during the handshake")
    viewer = Viewer(transport, request.writer.drain)
    return entry, TailSession(
        log_id=entry.id, kind=entry.kind, client=client, ws=ws, viewer=viewer, principal=principal
    )


async def _read_client(session: TailSession) -> None:
    viewer = session.viewer
    async for msg in session.ws:
        if msg.type is WSMsgType.TEXT:
            try:
                command = parse_client_message(msg.data)
            except BadClientMessage as exc:
                if not viewer.reply(exc.code, str(exc)):
                    return _flooded(session)
                continue
            viewer.good_message()
            if command is Command.PAUSE:
                viewer.pause()
            else:
                viewer.resume()
        elif msg.type is WSMsgType.BINARY:
            if not viewer.reply(
                "bad_message", "binary frames are not part of the protocol; send JSON text"
            ):
                return _flooded(session)
        elif msg.type is WSMsgType.ERROR:
            # A frame over the size limit, or one that breaks the protocol: aiohttp has
            # closed the connection with the matching code; record that, not 1006.
            code = getattr(msg.data, "code", None) or session.ws.close_code
            session.close_soon(code or WSCloseCode.ABNORMAL_CLOSURE, _protocol_error(msg.data))
            return
        else:
            return


def _flooded(session: TailSession) -> None:
    """The client sends bad messages faster than it reads the answers: it must go."""
    log.warning(
        "closing a tail flooded with bad messages",
        extra={"log_id": session.log_id, "client": session.client},
    )
    session.close_soon(CloseCode.POLICY_VIOLATION, "too many bad messages")


def _protocol_error(exc: object) -> str:
    if getattr(exc, "code", None) == WSCloseCode.MESSAGE_TOO_BIG:
        return "message too big"
    return f"protocol error: {str(exc)[:80]}"


def parse_query(
    query: Mapping[str, str], default_backlog: int, max_backlog: int
) -> tuple[int, str | None, list[tuple[str, str]]]:
    """Backlog and cursor from the query; problems become error frames, not refusals."""
    problems: list[tuple[str, str]] = []
    backlog = default_backlog
    raw = query.get("backlog")
    if raw is not None:
        try:
            backlog = whole_number(raw)
        except ValueError:
            problems.append(
                (
                    "bad_backlog",
                    f"backlog must be a whole number >= 0, got {raw[:40]!r}; "
                    f"using {default_backlog}",
                )
            )
            backlog = default_backlog
        if backlog > max_backlog:
            problems.append(
                (
                    "backlog_capped",
                    f"backlog {backlog} is over this server's limit; sending {max_backlog}",
                )
            )
            backlog = max_backlog
    cursor = query.get("cursor") or None
    if cursor is not None and len(cursor) > MAX_CURSOR:
        problems.append(("bad_cursor", "the cursor is malformed; reconnect without it"))
        cursor = None
    return backlog, cursor, problems


#: What ``annotate`` may ask frames to carry beside each line.
ANNOTATIONS = frozenset({"levels", "sources"})


def annotations_asked(query: Mapping[str, str], problems: list[tuple[str, str]]) -> set[str]:
    """``annotate=levels,sources``: each line's level beside it, and lines of several
    sources in one frame with each one's source beside it (docs/protocol.md)."""
    raw = query.get("annotate")
    if not raw:
        return set()
    asked = {part for part in raw.split(",") if part}
    unknown = sorted(asked - ANNOTATIONS)
    if unknown:
        problems.append(
            ("bad_annotate", f"annotate takes {', '.join(sorted(ANNOTATIONS))}; "
             f"not {', '.join(unknown)[:80]!r}")
        )  # fmt: skip
    return asked & ANNOTATIONS


async def start_at_time(
    services: Services,
    entry: LogEntry,
    query: Mapping[str, str],
    cursor: str | None,
    problems: list[tuple[str, str]],
) -> tuple[str | None, int | None]:
    """The cursor and the time (ns) the tail starts at, given ``since=RFC3339``.

    A file log's place is found here, in its files, and comes back as the cursor to
    resume from; a pod log's time goes to its source, which asks the API server
    (``sinceTime``). A cursor sent with it wins. A bad time, a file without
    timestamps, or an events log (its lines are placed by resourceVersion, not by
    time), is an error frame and the usual backlog.
    """
    raw = query.get("since")
    if not raw or cursor is not None:
        return cursor, None
    try:
        since = parse_since(raw)
    except Refusal as exc:
        problems.append(("bad_since", f"{exc.message}; starting without it"))
        return None, None
    spec = entry.source
    if isinstance(spec, EventsSpec):
        problems.append(
            ("since_unsupported", "an events log cannot start at a time; starting without since")
        )
        return None, None
    if not isinstance(spec, FileSpec):
        return None, since
    others = services.catalog.current.other_files(entry.id)
    files = LogFiles(spec.path, services.settings.roots.for_log(spec.path), others=others)
    try:
        return await asyncio.to_thread(cursor_since, files, since), None
    except Refusal as exc:
        problems.append((exc.code, f"{exc.message}; starting without since"))
        return None, None


#: Digits as people type them; ``int()`` also takes ``1_0``, spaces and other scripts' digits.
_DIGITS = re.compile(r"[0-9]{1,9}")


def whole_number(text: str) -> int:
    """A number >= 0 written in ASCII digits only (at most nine of them), or ValueError."""
    if not _DIGITS.fullmatch(text):
        raise ValueError(f"not a whole number: {text[:40]!r}")
    return int(text)
