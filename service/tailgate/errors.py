"""Every failure tailgate reports, and how each reaches a user.

One module maps failures to what a client sees: an HTTP status for plain requests,
a WebSocket close code for tails, and an ``error`` frame code for problems a tail
survives. Messages are written for people; tracebacks never leave the server.

Every refusal is a ``Refusal``, which carries its whole answer as class attributes:
``status`` (HTTP), ``close_code`` (a WebSocket closed after its handshake), ``code``
(the JSON ``error``, the ``error`` frame, metrics and audit) and ``message`` (the
sentence for the person); ``detail`` says more for the server's log. Handlers pick
none of these themselves. Sign-in refusals are drawn in full in ``tailgate.auth.errors``,
the Kubernetes source errors in ``tailgate.k8s.errors``.

Hierarchy (HTTP status / close code)::

    TailgateError
    ├── ConfigError              bad settings or catalog (start fails; reload keeps last good)
    ├── Refusal                  a request or tail turned away
    │   ├── BadRequest           400 with a JSON error (malformed Host, Origin, ...)
    │   ├── HostNotAllowed       403: a Host this server does not answer to (DNS rebinding)
    │   ├── OriginNotAllowed     403 before the handshake: a foreign page may not open tails
    │   ├── ShuttingDown         503 before the handshake
    │   ├── TailRefused          after the handshake: the tail cannot start
    │   │   ├── UnknownLog       404 / 4404
    │   │   └── TooManyTails     429 / 4429
    │   └── AuthError            401 / 4401, 403 / 4403, 503 / 1013 (tailgate.auth.errors)
    ├── LogRemoved               4410: the catalog dropped or changed the log while it was tailed
    ├── BadClientMessage         an error frame; the tail goes on
    ├── BadCursor                a resume cursor of no use here: an error frame, the tail
    │                            starts as without one
    ├── SourceError              reading the source failed (tailgate.k8s.errors adds its own)
    │   ├── SourceUnavailable    for now (missing, permission denied): error frame, keep waiting
    │   │   └── FileRefused      opened, but not to be read (outside the file roots, not a file)
    │   └── SourceFailed         for good: close 1011
    └── Gone                     a Kubernetes watch must start over (tailgate.k8s.errors)
"""

from __future__ import annotations

import enum
from typing import ClassVar


class CloseCode(enum.IntEnum):
    """WebSocket close codes of the tail protocol (docs/protocol.md)."""

    STOPPED = 1000
    GOING_AWAY = 1001
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    SOURCE_FAILURE = 1011
    TRY_AGAIN_LATER = 1013
    BAD_REQUEST = 4400
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


class Refusal(TailgateError):
    """A request or a tail turned away, with everything its answer needs (see above).

    ``detail`` is for the server's log and the audit record; like ``message`` it never
    repeats a token, a cookie or a secret.
    """

    status: int = 400
    close_code: int = CloseCode.POLICY_VIOLATION
    code: str = "refused"
    message: str = "This request was refused."
    #: Whether the text it is raised with is the sentence for the person, too.
    text_is_message: ClassVar[bool] = False

    def __init__(self, detail: str | None = None) -> None:
        if detail and self.text_is_message:
            self.message = detail
        self.detail = detail or self.message
        super().__init__(self.detail)


class BadRequest(Refusal):
    """An HTTP request the server cannot make sense of; answered 400, never 500.

    The text it is raised with is the message: it names what is malformed.
    """

    code = "bad_request"
    text_is_message = True


class HostNotAllowed(Refusal):
    """A request for a Host this server does not answer to (a DNS-rebinding page)."""

    status = 403
    code = "host_not_allowed"
    message = "this Host is not served here"


class OriginNotAllowed(Refusal):
    """A WebSocket handshake from a page of another origin (cross-site WebSocket hijacking)."""

    status = 403
    code = "origin_not_allowed"
    message = "this page's origin may not open tails"


class ShuttingDown(Refusal):
    status = 503
    close_code = CloseCode.GOING_AWAY
    code = "shutting_down"
    message = "the server is shutting down"


class TailRefused(Refusal):
    """A tail cannot start; the WebSocket is closed with ``close_code``.

    The text it is raised with is the message: it says why, to the person.
    """

    close_code = CloseCode.SOURCE_FAILURE
    text_is_message = True


class BadFilter(TailRefused):
    """A tail asked for a filter the server cannot apply (a bad regex, an unknown level)."""

    status = 400
    close_code = CloseCode.BAD_REQUEST
    code = "bad_filter"


class UnknownLog(TailRefused):
    status = 404
    close_code = CloseCode.UNKNOWN_LOG
    code = "unknown_log"


class TooManyTails(TailRefused):
    status = 429
    close_code = CloseCode.TOO_MANY_TAILS
    code = "too_many_tails"


class LogRemoved(TailgateError):
    """The catalog removed or changed a log that was being tailed."""

    close_code = CloseCode.LOG_REMOVED


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
