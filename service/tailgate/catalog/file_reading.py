"""Reading the catalog file: only a regular file, only up to a size, never blocking.

The catalog path is opened at start, by ``check-config`` and on every reload, so
whatever sits at that path must not be able to stall the service. A FIFO blocks a
plain ``open()`` until some writer appears, and a device or a huge file would be
read without end. So the path is opened non-blocking, the descriptor itself is
checked with ``fstat`` (a swap between a check and the open changes nothing), and
at most ``MAX_CATALOG_BYTES`` are read.
"""

from __future__ import annotations

import os
import stat

from .yaml_document import MAX_CATALOG_CHARS

#: A catalog file longer than this is refused unread (the same bound as its text).
MAX_CATALOG_BYTES = MAX_CATALOG_CHARS
_CHUNK = 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class CatalogUnreadable(OSError):
    """Something is at the catalog path, but not a catalog tailgate will read.

    An ``OSError``, so that every caller handles it as it handles a missing file.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.filename = path
        self.reason = reason

    def __str__(self) -> str:
        # The shape of OSError's own messages: "No such file or directory: '/x'".
        return f"{self.reason}: {self.filename!r}"


def read_catalog_file(path: str) -> str:
    """The text of the catalog file at ``path``; ``OSError`` (or ``CatalogUnreadable``)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise CatalogUnreadable(path, f"not a regular file ({_kind(mode)})")
        data = _read_at_most(fd, MAX_CATALOG_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_CATALOG_BYTES:
        raise CatalogUnreadable(path, f"larger than {MAX_CATALOG_BYTES // (1024 * 1024)} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CatalogUnreadable(
            path, f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})"
        ) from None


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = os.read(fd, min(_CHUNK, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a file"
