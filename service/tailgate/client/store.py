"""Where the client keeps its sign-ins: one file per server in the user's config folder.

Tokens are credentials: each server's file is created with mode 0600 inside a folder
of mode 0700 (``$XDG_CONFIG_HOME/tailgate``, else ``~/.config/tailgate``), written to a
temporary file first and renamed over the old one, so that a reader never sees half a
file and a crash never leaves a token readable by others. ``config.json`` remembers the
server of the last login, the default when neither ``--server`` nor ``TAILGATE_SERVER``
says. A lock file per server lets two commands that both find the token expired
refresh it once: the second reads what the first saved (the provider rotates refresh
tokens, and a spent one presented again would end the sign-in).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..loopback import is_loopback
from .exits import ClientError, Exit


@dataclass(frozen=True, slots=True)
class Credentials:
    """One server's sign-in: the tokens and the provider endpoints they came from."""

    server: str
    issuer: str
    client_id: str
    token_endpoint: str
    access_token: str = field(repr=False)
    expires_at: float
    """When the access token expires (seconds since the epoch, by this machine's clock)."""
    refresh_token: str | None = field(default=None, repr=False)
    revocation_endpoint: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Credentials:
        try:
            return cls(
                server=str(data["server"]),
                issuer=str(data["issuer"]),
                client_id=str(data["client_id"]),
                token_endpoint=str(data["token_endpoint"]),
                access_token=str(data["access_token"]),
                expires_at=float(data["expires_at"]),
                refresh_token=_optional(data.get("refresh_token")),
                revocation_endpoint=_optional(data.get("revocation_endpoint")),
            )
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"not a credentials file: {e}") from e


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def normalize_server(url: str) -> str:
    """``url`` without a trailing slash; ``ClientError`` unless it is http(s).

    Plain http is accepted only on loopback, as the server accepts it: tokens must not
    cross a network in clear text.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ClientError(Exit.USAGE, f"the server must be an http(s) URL, not {url!r}")
    if parts.query or parts.fragment or parts.username is not None:
        raise ClientError(Exit.USAGE, f"the server URL must be plain: {url!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ClientError(
            Exit.USAGE, f"use https for a server that is not on this machine: {url!r}"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


class Store:
    """The client's folder: credentials per server and the last server signed in to."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def default(cls, env: Mapping[str, str]) -> Store:
        base = env.get("XDG_CONFIG_HOME", "").strip()
        # The spec says a relative XDG_CONFIG_HOME is invalid and to be ignored.
        root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
        return cls(root / "tailgate")

    def _file(self, server: str, suffix: str) -> Path:
        key = hashlib.sha256(server.encode()).hexdigest()[:24]
        return self.folder / "servers" / f"{key}{suffix}"

    def load(self, server: str) -> Credentials | None:
        path = self._file(server, ".json")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            credentials = Credentials.from_json(data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            # Unreadable or damaged: as good as no sign-in; login writes a new one.
            return None
        return credentials if credentials.server == server else None

    def save(self, credentials: Credentials) -> None:
        self._write(self._file(credentials.server, ".json"), asdict(credentials))
        self._write(self.folder / "config.json", {"server": credentials.server})

    def delete(self, server: str) -> bool:
        try:
            self._file(server, ".json").unlink()
        except FileNotFoundError:
            return False
        return True

    def last_server(self) -> str | None:
        try:
            data = json.loads((self.folder / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        server = data.get("server") if isinstance(data, dict) else None
        return server if isinstance(server, str) else None

    def remember(self, server: str) -> None:
        """Make ``server`` the default of later commands (a server without sign-in)."""
        self._write(self.folder / "config.json", {"server": server})

    def lock(self, server: str) -> int:
        """Block until this process holds the refresh lock of ``server``; its descriptor.

        Blocking: call it in a thread. ``unlock`` releases it.
        """
        path = self._file(server, ".lock")
        self._make_folders(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @staticmethod
    def unlock(fd: int) -> None:
        os.close(fd)  # closing the descriptor releases the lock

    def _make_folders(self, folder: Path) -> None:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for item in (self.folder, folder):
            # mkdir leaves an existing folder as it was; ours must not be readable by others.
            if item.stat().st_mode & 0o077:
                item.chmod(0o700)

    def _write(self, path: Path, data: Mapping[str, Any]) -> None:
        self._make_folders(path.parent)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            raise


def resolve_server(flag: str | None, env: Mapping[str, str], store: Store) -> str:
    """``--server``, else ``TAILGATE_SERVER``, else the server of the last login."""
    chosen = flag or env.get("TAILGATE_SERVER", "").strip() or store.last_server()
    if not chosen:
        raise ClientError(
            Exit.USAGE,
            "which server? pass --server URL, set TAILGATE_SERVER, or sign in once with "
            "`tailgate login --server URL`",
        )
    return normalize_server(chosen)
