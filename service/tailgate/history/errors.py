"""The refusals of history requests: a bad query, a bad position, a log without a history.

They sit in the one hierarchy of ``tailgate.errors`` (under ``BadRequest`` and
``Refusal``), so the web layer answers them like every other refusal: a JSON error
with the status drawn here, never a traceback.
"""

from __future__ import annotations

from ..errors import BadRequest, Refusal


class BadQuery(BadRequest):
    """A search or read-back parameter that is missing or malformed (400)."""

    code = "bad_query"


class BadRegex(BadRequest):
    """``regex=1`` with a pattern the engine refuses; the message is the engine's reason."""

    code = "bad_regex"


class BadPosition(BadRequest):
    """A ``before`` token or cursor that is malformed, or names no file of this log now."""

    code = "bad_cursor"


class NoHistory(Refusal):
    """The log's source keeps no history this server can read (501)."""

    status = 501
    code = "not_supported"
    text_is_message = True


class HistoryUnavailable(Refusal):
    """The log's current file cannot be read right now (permission, file roots): 503."""

    status = 503
    code = "source_unavailable"
    text_is_message = True
