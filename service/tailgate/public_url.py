"""The public URL: where people reach tailgate, and the path it is served below.

Behind an ingress path rule (prefix ``/logs``, no rewrite) every request tailgate sees
starts with that path, so its routes, redirects and cookie paths all follow from the
path of ``TAILGATE_PUBLIC_URL``. This module is the one place that reads that path.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: One path segment of a base path: what ingress controllers accept in a path rule
#: without escaping, and what the router can take literally.
_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


def base_path(public_url: str | None) -> str:
    """The path tailgate is served below (``/logs``); ``""`` when it is served at the root."""
    if not public_url:
        return ""
    return urlsplit(public_url).path.rstrip("/")


def origin(public_url: str) -> str:
    """``scheme://host[:port]`` of the public URL: what an absolute path is appended to."""
    parts = urlsplit(public_url)
    return f"{parts.scheme}://{parts.netloc}"


def path_problems(name: str, public_url: str) -> list[str]:
    """What is wrong with the path of ``public_url`` as a base path, naming ``name``."""
    path = base_path(public_url)
    if not path:
        return []
    segments = path.split("/")[1:]
    if all(_SEGMENT.fullmatch(s) and s not in (".", "..") for s in segments):
        return []
    return [
        f"{name}: the path {path!r} must be plain segments of letters, digits, "
        f"'-', '.', '_' and '~' (like /logs or /tools/logs): {public_url!r}"
    ]
