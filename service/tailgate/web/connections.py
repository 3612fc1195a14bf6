"""Connections before they are requests: a cap per client address, and aiohttp's own answers.

Nobody needs to sign in to open a connection, so connections are limited before any
request is read. A connection whose request headers are not complete within
``--header-timeout`` is closed by aiohttp itself: it is the keep-alive timeout, which
aiohttp also applies to a new connection and which does not restart while a header
trickles in (it also closes idle keep-alive connections). Open connections per
client address are capped (``--max-connections-per-client``); one over the cap gets
a 429 and is closed before its request is parsed.

Requests aiohttp cannot parse (oversized or malformed headers), and handlers that
fail, are answered by aiohttp's request handler rather than by the app, so they
never meet the app's middleware. ``GuardedRequestHandler`` answers them as the app
does: our JSON error with the security headers, logged as one WARNING line for a
client's mistake (a traceback only for our own failures).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any, cast

import orjson
from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from .security import SECURITY_HEADERS, add_security_headers

log = logging.getLogger("tailgate.http")


class ConnectionCap:
    """Open connections per client address; ``limit`` 0 means no cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: Counter[str] = Counter()
        #: Addresses over the cap whose refusal was logged (once until they go under).
        self._warned: set[str] = set()

    def admit(self, address: str) -> bool:
        if self.limit and self._open[address] >= self.limit:
            if address not in self._warned:
                self._warned.add(address)
                log.warning(
                    "refusing connections: too many from one address",
                    extra={"client": address, "limit": self.limit},
                )
            return False
        self._open[address] += 1
        return True

    def release(self, address: str) -> None:
        self._open[address] -= 1
        self._warned.discard(address)
        if self._open[address] <= 0:
            del self._open[address]

    def __len__(self) -> int:
        return sum(self._open.values())


def _refusal(status: str, error: str, message: str) -> bytes:
    body = orjson.dumps({"error": error, "message": message})
    head = [
        f"HTTP/1.1 {status}",
        "Content-Type: application/json; charset=utf-8",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in SECURITY_HEADERS.items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


_TOO_MANY = _refusal(
    "429 Too Many Requests",
    "too_many_connections",
    "too many connections from your address; close some first",
)


class GuardedRequestHandler(RequestHandler):
    __slots__ = ("_address", "_cap")

    def __init__(self, manager: web.Server, *, cap: ConnectionCap | None, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._cap = cap
        self._address: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        cap = self._cap
        if cap is not None:
            peer = transport.get_extra_info("peername")
            address = str(peer[0]) if peer else "unknown"
            if not cap.admit(address):
                # uvloop's transports are not asyncio.Transport subclasses: cast, not check.
                writer = cast(asyncio.WriteTransport, transport)
                writer.write(_TOO_MANY)
                writer.close()
                self.force_close()
                return
            self._address = address
        super().connection_made(transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._cap is not None and self._address is None:
            return  # refused in connection_made: aiohttp never saw it
        if self._cap is not None and self._address is not None:
            self._cap.release(self._address)
            self._address = None
        super().connection_lost(exc)

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:
            raise ConnectionError("the response has begun; no error answer can follow")
        if status >= 500:
            log.error("request failed", exc_info=exc, extra={"client": request.remote})
            body = {"error": "internal", "message": "the server failed; see its logs"}
        else:
            # The client's mistake: one line, since anyone can send these in a loop.
            reason = _one_line(exc, message)
            log.warning("bad request: %s", reason, extra={"client": request.remote})
            body = {"error": "bad_request", "message": f"the request could not be read: {reason}"}
        response = web.json_response(body, status=status)
        add_security_headers(response)
        response.force_close()
        return response


def _one_line(exc: BaseException | None, message: str | None) -> str:
    text = getattr(exc, "message", None) or message or (str(exc) if exc else "") or "malformed"
    return " ".join(str(text).split())[:200]


class GuardedServer(web.Server):
    """aiohttp's server, making ``GuardedRequestHandler`` protocols."""

    cap: ConnectionCap | None = None

    def __call__(self) -> RequestHandler:
        return GuardedRequestHandler(self, loop=self._loop, cap=self.cap, **self._kwargs)


class GuardedRunner(web.AppRunner):
    """An AppRunner whose connections are guarded (see the module docstring)."""

    def __init__(self, app: web.Application, *, cap: ConnectionCap | None, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._cap = cap

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        # aiohttp has no setting for the protocol class its server makes; the server
        # it built is given the subclass that makes ours (same state, one method more).
        server.__class__ = GuardedServer
        assert isinstance(server, GuardedServer)
        server.cap = self._cap
        return server
