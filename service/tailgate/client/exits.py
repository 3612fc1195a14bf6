"""The client's exit codes, and the one error that carries them to the command line.

Scripts branch on the exit code of ``tailgate tail`` and ``tailgate logs``: each reason
a command ends has its own, documented in docs/cli.md, and every failure is a
``ClientError`` with a sentence for the user, never a traceback.
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """Why a command ended (docs/cli.md, *Exit codes*)."""

    OK = 0
    FAILED = 1
    """Anything not listed below: the server broke the protocol, a source failed for good."""

    USAGE = 2
    """A bad flag or argument (argparse uses 2 too), or no server given; a filter the
    server cannot apply (close 4400)."""

    UNREACHABLE = 3
    """The server (or its identity provider) cannot be reached, or stayed away too long."""

    SIGN_IN_NEEDED = 4
    """No valid sign-in for this server (close 4401, HTTP 401): run ``tailgate login``."""

    ACCESS_REFUSED = 5
    """Signed in, but this user may not tail the log (close 4403, HTTP 403)."""

    UNKNOWN_LOG = 6
    """The catalog has no log with that ID (close 4404, HTTP 404)."""

    LOG_REMOVED = 7
    """The log was removed from the catalog or changed while it was tailed (close 4410)."""

    TOO_MANY_TAILS = 8
    """The server refused another tail (close 4429)."""

    INTERRUPTED = 130
    """Ctrl-C (SIGINT), as shells report a command ended by it (128 + 2)."""


class ClientError(Exception):
    """A command cannot go on; ``message`` is for the user, ``code`` for the shell."""

    def __init__(self, code: Exit, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


#: What each close code of docs/protocol.md means for the command: the tail ends with it.
CLOSE_EXITS: dict[int, Exit] = {
    4400: Exit.USAGE,
    4401: Exit.SIGN_IN_NEEDED,
    4403: Exit.ACCESS_REFUSED,
    4404: Exit.UNKNOWN_LOG,
    4410: Exit.LOG_REMOVED,
    4429: Exit.TOO_MANY_TAILS,
    1002: Exit.FAILED,
    1008: Exit.FAILED,
    1009: Exit.FAILED,
    1011: Exit.FAILED,
}

#: Close codes after which the tail reconnects with its cursor: the server went away
#: (1001 shutting down, 1006 no close frame, 1012 restart, 1013 try again), or none came.
RECONNECT_CLOSES = frozenset({1001, 1006, 1012, 1013, 1014})

#: HTTP statuses of API answers and refused handshakes, as exit codes.
STATUS_EXITS: dict[int, Exit] = {
    401: Exit.SIGN_IN_NEEDED,
    403: Exit.ACCESS_REFUSED,
    404: Exit.UNKNOWN_LOG,
}
