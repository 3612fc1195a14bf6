"""Client-to-server messages: parsed strictly, every mistake explained."""

from __future__ import annotations

import enum

import orjson

from ..errors import BadClientMessage

MAX_MESSAGE_BYTES = 4096


class Command(enum.Enum):
    PAUSE = "pause"
    RESUME = "resume"


def parse_client_message(text: str) -> Command:
    """Parse one text frame from a client into a command, or raise BadClientMessage."""
    if len(text) > MAX_MESSAGE_BYTES:
        raise BadClientMessage(f"message too long (more than {MAX_MESSAGE_BYTES} characters)")
    try:
        # orjson refuses nesting past 1024 levels with a ValueError, where the
        # standard library would raise RecursionError.
        data = orjson.loads(text)
    except (ValueError, RecursionError):
        raise BadClientMessage("message is not JSON") from None
    if not isinstance(data, dict):
        raise BadClientMessage('message must be a JSON object such as {"type":"pause"}')
    kind = data.get("type")
    try:
        return Command(kind)
    except (ValueError, TypeError):
        known = ", ".join(c.value for c in Command)
        raise BadClientMessage(f"unknown message type {kind!r} (known: {known})") from None
