"""One log followed over its WebSocket, reconnecting with its cursor until told to stop.

A ``LogTail`` opens ``/ws/tail/{id}`` (docs/protocol.md) with the backlog asked for,
prints what arrives, and keeps the ``cursor`` of the last ``lines`` frame. When the
connection is lost (a network error, the server restarting: 1001, 1006, 1012, 1013)
it opens it again with that cursor, so the tail goes on after the last line it
printed, with no gap and no duplicate; the server says so with a ``gap`` notice when
it could not, and the notice goes to stderr. A close that ends the tail (unknown log,
access refused, log removed, too many tails) becomes the command's exit code. A
refused sign-in (4401) is retried once with a refreshed token, since the server closes
a tail when its access token expires.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp

from ..backoff import Backoff
from .api import bearer, describe
from .exits import CLOSE_EXITS, RECONNECT_CLOSES, STATUS_EXITS, ClientError, Exit
from .filters import LineFilter
from .output import Printer

#: Pauses between reconnections, and how long the server may stay away before giving up.
RECONNECT = Backoff(first=0.2, ceiling=5.0)
RECONNECT_FOR = 300.0

#: A frame larger than this is not from a tailgate server (a batch is about 256 KiB).
MAX_FRAME = 16 << 20

#: Error codes the server sends just before it refuses a tail at the handshake; the
#: command's exit message says it, so they are not printed twice.
_REFUSALS = frozenset(
    {
        "bad_filter",
        "not_signed_in",
        "session_invalid",
        "session_expired",
        "session_revoked",
        "token_invalid",
        "token_expired",
        "unknown_signing_key",
        "forbidden",
        "unknown_log",
        "too_many_tails",
        "provider_unavailable",
    }
)

#: Asked for an access token; given the one the server just refused, if any.
TokenSource = Callable[[str | None], Awaitable[str | None]]


class _Lost(Exception):
    """The connection could not be made or broke; worth trying again."""


@dataclass(frozen=True, slots=True)
class TailOptions:
    backlog: int | None
    filter: LineFilter
    #: Start at this time (RFC 3339, UTC) instead of the backlog; the first connection only.
    since: str | None = None


def ws_url(server: str) -> str:
    """``http(s)://host/path`` as the ``ws(s)://`` base of its tails."""
    scheme, rest = server.split("://", 1)
    return ("wss" if scheme == "https" else "ws") + "://" + rest


class LogTail:
    """Follows one log of ``server`` until it ends; ``run`` raises ``ClientError`` then."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        server: str,
        log_id: str,
        options: TailOptions,
        printer: Printer,
        tokens: TokenSource,
    ) -> None:
        self.http = http
        self.server = server
        self.log_id = log_id
        self.options = options
        self.printer = printer
        self.tokens = tokens
        self.cursor: str | None = None
        self.started = False
        self._hello = False
        self._last_error = ""

    async def run(self) -> None:
        """Follow the log; returns when the server stopped the tail (1000)."""
        token = await self.tokens(None)
        retries = RECONNECT.retries()
        away_since: float | None = None
        refreshed = False
        while True:
            try:
                code = await self._connect(token)
            except _Lost as e:
                if not self.started:
                    raise ClientError(Exit.UNREACHABLE, f"{self.server}: {e}") from None
                now = time.monotonic()
                if away_since is None:
                    away_since = now
                    self.printer.notice(self.log_id, f"{e}; reconnecting")
                elif now - away_since > RECONNECT_FOR:
                    raise ClientError(
                        Exit.UNREACHABLE,
                        f"{self.server} stayed unreachable for {RECONNECT_FOR:.0f} s: {e}",
                    ) from None
                await retries.wait()
                continue
            if self._hello:
                retries.reset()
                away_since = None
                refreshed = False
            if code == 1000:
                return
            if code == 4401 and not refreshed:
                refreshed = True
                token = await self.tokens(token)
                continue
            if code in RECONNECT_CLOSES:
                if away_since is None:
                    away_since = time.monotonic()
                    self.printer.notice(self.log_id, f"connection closed ({code}); reconnecting")
                await retries.wait()
                continue
            reason = self._last_error or f"the server closed the tail ({code})"
            raise ClientError(CLOSE_EXITS.get(code, Exit.FAILED), f"{self.log_id}: {reason}")

    def _query(self) -> str:
        params = dict(self.options.filter.query())
        # A pods log's lines of many pods may come in one frame, each with its pod.
        params["annotate"] = "sources"
        if self.cursor is not None:
            params["cursor"] = self.cursor
        elif self.started:
            # Reconnected before any line came: from the live end, not the backlog again.
            params["backlog"] = "0"
        elif self.options.since is not None:
            params["since"] = self.options.since
        elif self.options.backlog is not None:
            params["backlog"] = str(self.options.backlog)
        return urlencode(params)

    async def _connect(self, token: str | None) -> int:
        """One connection, read to its end; its close code."""
        url = f"{ws_url(self.server)}/ws/tail/{quote(self.log_id, safe='')}?{self._query()}"
        self._hello = False
        self._last_error = ""
        try:
            async with self.http.ws_connect(
                url,
                headers=bearer(token),
                heartbeat=30.0,
                max_msg_size=MAX_FRAME,
                timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
            ) as ws:
                while True:
                    message = await ws.receive()
                    if message.type is aiohttp.WSMsgType.TEXT:
                        self._frame(message.data)
                    elif message.type is aiohttp.WSMsgType.BINARY:
                        raise ClientError(Exit.FAILED, "the server sent a binary frame")
                    else:
                        if message.type is aiohttp.WSMsgType.CLOSE and message.extra:
                            # The close frame's reason, when no error frame said why.
                            self._last_error = self._last_error or str(message.extra)[:200]
                        break
                return ws.close_code or 1006
        except aiohttp.WSServerHandshakeError as e:
            if e.status in STATUS_EXITS:
                raise ClientError(STATUS_EXITS[e.status], f"{self.log_id}: {e.message}") from e
            if e.status in (502, 503, 504):
                raise _Lost(f"the server answered {e.status}") from e
            raise ClientError(
                Exit.FAILED, f"{self.log_id}: the server refused the tail ({e.status})"
            ) from e
        except BrokenPipeError:
            raise  # stdout's reader went away: the command ends, not the connection
        except (aiohttp.ClientError, TimeoutError, OSError) as e:
            raise _Lost(f"cannot reach the server: {describe(e)}") from e

    def _frame(self, data: str) -> None:
        try:
            frame: Any = json.loads(data)
            kind = frame["type"]
        except (ValueError, TypeError, KeyError):
            raise ClientError(
                Exit.FAILED, "the server sent a frame this client cannot read"
            ) from None
        if kind == "lines":
            self._lines(frame)
        elif kind == "skipped":
            # Lines the filter left out: a reconnection goes on after them.
            cursor = frame.get("cursor")
            if isinstance(cursor, str):
                self.cursor = cursor
        elif kind == "hello":
            if self.started:
                self.printer.notice(self.log_id, "reconnected")
            self.started = True
            self._hello = True
        elif kind == "notice":
            event = str(frame.get("event", "notice"))
            self.printer.notice(self.log_id, f"{event}: {frame.get('message', '')}")
        elif kind == "error":
            code = str(frame.get("code", "error"))
            message = str(frame.get("message", ""))
            self._last_error = message or code
            if self._hello or code not in _REFUSALS:
                self.printer.notice(self.log_id, f"{code}: {message}")

    def _lines(self, frame: dict[str, Any]) -> None:
        lines = frame.get("lines")
        if not isinstance(lines, list):
            raise ClientError(Exit.FAILED, "the server sent a lines frame without lines")
        stamps = frame.get("timestamps")
        if not isinstance(stamps, list) or len(stamps) != len(lines):
            stamps = [None] * len(lines)
        source = frame.get("source")
        each = frame.get("sources")
        sources = None
        if isinstance(each, list) and len(each) == len(lines):
            sources = [s if isinstance(s, str) else None for s in each]
        self.printer.lines(
            self.log_id,
            [str(x) for x in lines],
            source=source if isinstance(source, str) else None,
            sources=sources,
            timestamps=[t if isinstance(t, str) else None for t in stamps],
        )
        cursor = frame.get("cursor")
        if isinstance(cursor, str):
            self.cursor = cursor
