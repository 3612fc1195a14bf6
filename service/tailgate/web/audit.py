"""The audit trail: who tailed or searched what, when and how much; who signed in and out;
what was refused.

Audit records go to the ``tailgate.audit`` logger, one JSON object per record like every
other log line, so they can be routed and kept apart from operational logs. Each has an
``event`` (``tail_started``, ``tail_ended``, ``search``, ``read``, ``signed_in``,
``signed_out``, ``refused``) and names the user by name, subject and groups; a search
names its query. The tail records are the only records of a tail's start and end;
``tailgate.tails`` keeps the operational detail. Only identities, log IDs, addresses,
counts and what was searched for are written: never a token, a cookie, a code or a
secret.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from ..auth.identity import Identity
from .principal import Principal

audit = logging.getLogger("tailgate.audit")
# The trail is kept whatever --log-level says about the service's own chatter.
audit.setLevel(logging.INFO)


def _who(identity: Identity | None, via: str | None = None) -> dict[str, Any]:
    if identity is None:
        return {"user": None, "sub": None, "groups": [], "via": via}
    return {
        "user": identity.username or identity.email or identity.subject,
        "sub": identity.subject,
        "groups": list(identity.groups),
        "via": via,
    }


def _principal(principal: Principal | None) -> dict[str, Any]:
    if principal is None:
        return _who(None)
    return _who(principal.identity, principal.via)


def iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat(
        timespec="milliseconds"
    )


def tail_started(
    principal: Principal,
    *,
    log_id: str,
    kind: str,
    client: str,
    started_at: float,
    line_filter: dict[str, object] | None = None,
) -> None:
    """A tail began; ``line_filter`` is what its filter asked for (the query), if any."""
    extra: dict[str, Any] = {
        "event": "tail_started",
        **_principal(principal),
        "log_id": log_id,
        "kind": kind,
        "client": client,
        "start": iso(started_at),
    }
    if line_filter:
        extra["filter"] = line_filter
    audit.info("tail started", extra=extra)


def tail_ended(
    principal: Principal,
    *,
    log_id: str,
    kind: str,
    client: str,
    started_at: float,
    duration: float,
    lines: int,
    sent_bytes: int,
    close_code: int | None,
    reason: str,
) -> None:
    audit.info(
        "tail ended",
        extra={
            "event": "tail_ended",
            **_principal(principal),
            "log_id": log_id,
            "kind": kind,
            "client": client,
            "start": iso(started_at),
            "duration_s": round(duration, 3),
            "lines": lines,
            "bytes": sent_bytes,
            "close_code": close_code,
            "reason": reason,
        },
    )


def history(
    event: str, principal: Principal, *, log_id: str, client: str, detail: dict[str, Any]
) -> None:
    """A ``search`` or a ``read`` (back) of a log's history; ``detail`` says what was asked."""
    audit.info(
        "history %s",
        event,
        extra={
            "event": event,
            **_principal(principal),
            "log_id": log_id,
            "client": client,
            **detail,
        },
    )


def signed_in(identity: Identity, *, client: str, expires_at: float) -> None:
    audit.info(
        "signed in",
        extra={
            "event": "signed_in",
            **_who(identity, "session"),
            "client": client,
            "expires": iso(expires_at),
        },
    )


def signed_out(principal: Principal | None, *, client: str, tails_closed: int) -> None:
    audit.info(
        "signed out",
        extra={
            "event": "signed_out",
            **_principal(principal),
            "client": client,
            "tails_closed": tails_closed,
        },
    )


def refused(
    reason: str,
    *,
    client: str,
    path: str,
    principal: Principal | None = None,
    status: int | None = None,
    close_code: int | None = None,
    log_id: str | None = None,
    detail: str | None = None,
) -> None:
    """A request or tail turned away. ``detail`` comes from tailgate's own error texts."""
    audit.warning(
        "refused: %s",
        reason,
        extra={
            "event": "refused",
            "reason": reason,
            **_principal(principal),
            "client": client,
            "path": path,
            "status": status,
            "close_code": close_code,
            "log_id": log_id,
            "detail": detail,
        },
    )
