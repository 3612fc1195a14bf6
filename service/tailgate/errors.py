"""Every failure tailgate reports, and how each reaches a user.

One module maps failures to what a client sees: an HTTP status for plain requests,
a WebSocket close code for tails, and an ``error`` frame code for problems a tail
survives. Messages are written for people; tracebacks never leave the server.

Hierarchy::

    TailgateError
    ├── ConfigError              bad settings or catalog (start fails; reload keeps last good)
    ├── TailRefused              the handshake or tail cannot start (close code given)
    │   ├── UnknownLog           4404
    │   └── TooManyTails         4429
    ├── LogRemoved               4410: the catalog dropped or changed the log while it was tailed
    ├── BadRequest               400 with a JSON error (malformed Host, Origin, ...)
    ├── BadClientMessage         an error frame; the tail goes on
    ├── BadCursor                a resume cursor of no use here: an error frame, the tail
    │                            starts as without one
    └── SourceError              reading the source failed
        ├── SourceUnavailable    for now (missing, permission denied): error frame, keep waiting
        │   └── FileRefused      opened, but not to be read (outside the file roots, not a file)
        └── SourceFailed         for good: close 1011
"""

from __future__ import annotations

import enum


class CloseCode(enum.IntEnum):
    """WebSocket close codes of the tail protocol (docs/protocol.md)."""

    STOPPED = 1000
    GOING_AWAY = 1001
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    SOURCE_FAILURE = 1011
    UNAUTHENTICATED = 4401
    FORBIDDEN = 4403
    UNKNOWN_LOG = 4404
    LOG_REMOVED = 4410
    TOO_MANY_TAILS = 4429


class TailgateError(Exception):
    """Base of every error tailgate raises on purpose."""


class ConfigError(TailgateError):
    """Settings or a catalog are invalid; ``problems`` lists every one with where it is."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class TailRefused(TailgateError):
    """A tail cannot start; the WebSocket is closed with ``close_code``."""

    close_code: CloseCode = CloseCode.SOURCE_FAILURE
    reason: str = "refused"


class UnknownLog(TailRefused):
    close_code = CloseCode.UNKNOWN_LOG
    reason = "unknown_log"


class TooManyTails(TailRefused):
    close_code = CloseCode.TOO_MANY_TAILS
    reason = "too_many_tails"


class LogRemoved(TailgateError):
    """The catalog removed or changed a log that was being tailed."""

    close_code = CloseCode.LOG_REMOVED


class BadRequest(TailgateError):
    """An HTTP request the server cannot make sense of; answered 400, never 500."""

    code = "bad_request"


class BadClientMessage(TailgateError):
    """A client frame was not understood; answered with an error frame."""

    code = "bad_message"


class BadCursor(TailgateError, ValueError):
    """A resume cursor is not one this server hands out for this log (file or pod)."""

    code = "bad_cursor"


class SourceError(TailgateError):
    """Reading a source failed. ``code`` names the failure in error frames and metrics."""

    code = "source_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class SourceUnavailable(SourceError):
    """The source cannot be read right now (missing, permission denied); waiting goes on."""


class SourceFailed(SourceError):
    """The source cannot be read at all; the tail closes with 1011."""


class FileRefused(SourceUnavailable):
    """A file was opened but may not be read: outside the file roots, or not a regular file.

    The message says what is wrong without naming where the file leads.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)
