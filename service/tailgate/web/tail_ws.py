"""``/ws/tail/{id}``: one WebSocket, one tail (docs/protocol.md).

The handler checks the handshake (Origin, then who is asking and whether they may
tail this log), starts the source's tail in its own task, and reads the client's
messages (pause, resume). The tail task has the source fix its start before the
hello goes out, so no line falls between them. Every frame goes through the
viewer's queue; a client that floods bad messages is closed with 1008. A tail ends
with 4401 when the session or token it was opened with expires. When the WebSocket
ends for any reason, the tail task is cancelled and awaited before the handler
returns, which releases the source at once. Every refusal is a close code with a
sentence, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Mapping

from aiohttp import WSCloseCode, WSMsgType, web

from ..auth.errors import AccessDenied, AuthError
from ..errors import (
    BadClientMessage,
    CloseCode,
    OriginNotAllowed,
    Refusal,
    ShuttingDown,
    SourceError,
    TooManyTails,
    UnknownLog,
)
from ..sources import TailSource
from ..streaming.frames import MAX_CURSOR, error_payload, hello_payload
from ..streaming.messages import MAX_MESSAGE_BYTES, Command, parse_client_message
from ..streaming.viewer import Viewer
from . import audit
from .context import SERVICES, Services
from .gate import allowed, principal_of
from .principal import PRINCIPAL, Principal
from .security import client_address, origin_allowed
from .sessions import TailSession

log = logging.getLogger("tailgate.tails")

#: How long closing a WebSocket may wait for the client's answer.
CLOSE_WAIT = 2.0
#: The same for a client closed for flooding bad messages.
FLOOD_CLOSE_WAIT = 0.1


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
        session = _admit(services, request, ws, log_id, client, asking)
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
    await _run(services, request, session)
    return ws


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
) -> TailSession:
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
    return TailSession(
        log_id=entry.id, kind=entry.kind, client=client, ws=ws, viewer=viewer, principal=principal
    )


async def _run(services: Services, request: web.Request, session: TailSession) -> None:
    metrics = services.metrics
    settings = services.settings
    ws, viewer = session.ws, session.viewer
    entry = services.catalog.current.get(session.log_id)
    assert entry is not None
    source = services.sources.build(entry)
    backlog, cursor, problems = parse_query(
        request.query, settings.default_backlog, settings.max_backlog
    )
    hello = hello_payload(entry.id, entry.title, entry.kind)
    services.sessions.add(session)
    metrics.active_tails.labels(entry.id, entry.kind).inc()
    metrics.tails_started.labels(entry.id, entry.kind).inc()
    audit.tail_started(
        session.principal,
        log_id=entry.id,
        kind=entry.kind,
        client=session.client,
        started_at=session.started_at,
    )
    session.handler = asyncio.current_task()
    _end_with_sign_in(session)
    pump = asyncio.create_task(viewer.pump(), name=f"writer {entry.id}")
    try:
        for code, message in problems:
            viewer.error(code, message)
        session.task = asyncio.create_task(
            _stream(viewer, source, hello, backlog=backlog, cursor=cursor),
            name=f"tail {entry.id}",
        )
        session.task.add_done_callback(lambda task: _tail_ended(session, task))
        await _read_client(session)
    except ConnectionError:
        pass
    except asyncio.CancelledError:
        # close_soon() stops a tail by cancelling its handler; anything else that
        # cancels it (the client vanished, the server gave up waiting) goes on up.
        handler = session.handler
        if session.close_code is None or handler is None or handler.cancelling() > 1:
            raise
        handler.uncancel()
    finally:
        viewer.closing = True
        if session.expiry is not None:
            session.expiry.cancel()
        try:
            if session.task is not None:
                session.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await session.task
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
            # What the connection can still take (the error that explains the end).
            viewer.flush()
            services.sessions.remove(session)
            metrics.active_tails.labels(entry.id, entry.kind).dec()
            metrics.tail_duration.labels(entry.kind).observe(time.monotonic() - session.started)
            if not ws.closed:
                close_code = session.close_code or CloseCode.STOPPED
                reason = session.close_reason.encode()[:120]
                # Bounded: a client that neither reads nor answers must not hold us, and
                # a flooder's junk is not worth reading while we wait for its answer.
                wait = FLOOD_CLOSE_WAIT if close_code == CloseCode.POLICY_VIOLATION else CLOSE_WAIT
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(ws.close(code=close_code, message=reason), wait)
        finally:
            session.ended.set()
            duration = time.monotonic() - session.started
            audit.tail_ended(
                session.principal,
                log_id=entry.id,
                kind=entry.kind,
                client=session.client,
                started_at=session.started_at,
                duration=duration,
                lines=viewer.lines_sent,
                sent_bytes=viewer.bytes_sent,
                close_code=session.close_code or ws.close_code,
                reason=session.close_reason or "client closed",
            )


def _end_with_sign_in(session: TailSession) -> None:
    """Close the tail with 4401 when the session or token that opened it ends."""
    expires_at = session.principal.expires_at
    if expires_at is None:
        return
    loop = asyncio.get_running_loop()
    session.expiry = loop.call_at(
        loop.time() + max(0.0, expires_at - time.time()),
        session.close_soon,
        CloseCode.UNAUTHENTICATED,
        "your session has expired; sign in again",
    )


async def _stream(
    viewer: Viewer, source: TailSource, hello: bytes, *, backlog: int, cursor: str | None
) -> None:
    """Fix the tail's start, then say hello, then stream: no line falls in between."""
    try:
        async with source.open(viewer, backlog=backlog, cursor=cursor) as tail:
            viewer.hello(hello)
            await tail.run()
    finally:
        if not viewer.opened:
            # The source failed to open: the hello still goes first, then the error.
            viewer.hello(hello)


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


def _tail_ended(session: TailSession, task: asyncio.Task[None]) -> None:
    """The tail stopped by itself: tell the client why and close."""
    if task.cancelled() or session.close_code is not None:
        return
    exc = task.exception()
    if isinstance(exc, ConnectionError):
        # The client went away mid-send; the handler is already ending the tail.
        session.close_soon(CloseCode.GOING_AWAY, "connection lost")
    elif isinstance(exc, SourceError):
        session.viewer.error(exc.code, str(exc))
        session.close_soon(CloseCode.SOURCE_FAILURE, str(exc))
    elif exc is not None:
        log.error("tail failed", exc_info=exc, extra={"log_id": session.log_id})
        session.viewer.error("internal", "the tail failed on the server; see its logs")
        session.close_soon(CloseCode.SOURCE_FAILURE, "internal error")
    else:
        session.close_soon(CloseCode.STOPPED, "the log ended")


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


#: Digits as people type them; ``int()`` also takes ``1_0``, spaces and other scripts' digits.
_DIGITS = re.compile(r"[0-9]{1,9}")


def whole_number(text: str) -> int:
    """A number >= 0 written in ASCII digits only (at most nine of them), or ValueError."""
    if not _DIGITS.fullmatch(text):
        raise ValueError(f"not a whole number: {text[:40]!r}")
    return int(text)
