"""Which files tailgate may open: the file roots, checked on what was really opened.

Whoever can write a log's folder (the application writing the log) could otherwise
replace the log with a symlink to any file tailgate can read, its own credentials
included. So every file tailgate opens, the followed file, a rotated predecessor or
a cursor's file, is opened first and checked after: the descriptor must be a regular
file whose real path (read back from ``/proc/self/fd``, so a swap between a check
and the open changes nothing) lies under one of the roots. Some places are refused
whatever the roots say: kernel interfaces and mounted credentials.

Without configured roots each log's root is its own folder (after resolving that
folder's own symlinks), so a symlink that stays in the folder keeps working
(``current -> app-2026-12-01.log``) and one that leaves it does not.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from ..errors import FileRefused

#: Never read, whatever the roots: kernel interfaces, devices, mounted credentials.
FORBIDDEN_PREFIXES = ("/proc", "/sys", "/dev", "/run/secrets", "/var/run/secrets")
#: A path with one of these components holds credentials (Kubernetes service accounts).
FORBIDDEN_PARTS = frozenset({"serviceaccount"})


def forbidden(path: str) -> bool:
    """Whether ``path`` (absolute, normalised) is one tailgate never reads."""
    for prefix in FORBIDDEN_PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return True
    return not FORBIDDEN_PARTS.isdisjoint(path.split("/"))


def _under(path: str, root: str) -> bool:
    return root == "/" or path == root or path.startswith(root.rstrip("/") + "/")


@dataclass(frozen=True, slots=True)
class FileRoots:
    """The folders files may be read from; empty means each log's own folder."""

    roots: tuple[str, ...] = ()

    @classmethod
    def of(cls, paths: tuple[str, ...] | list[str]) -> FileRoots:
        return cls(tuple(os.path.realpath(p) for p in paths))

    def for_log(self, path: str) -> LogRoots:
        """The roots that hold the log configured at ``path``, fixed now."""
        if self.roots:
            return LogRoots(self.roots)
        return LogRoots((os.path.realpath(os.path.dirname(path) or "."),))

    def problem(self, path: str) -> str | None:
        """Why a catalog entry naming ``path`` cannot be served, or None.

        Checks where the path leads after symlinks (and, for the places never read,
        the path as written too); a file that does not exist yet is checked again
        each time it is opened.
        """
        normal = os.path.normpath(path)
        real = os.path.realpath(path)
        if forbidden(normal) or forbidden(real):
            return (
                f"{path!r} is in a place tailgate never reads, whatever the file roots "
                "(kernel files, devices, mounted credentials)"
            )
        if not self.roots:
            return None
        # Where the path really leads counts (roots are real paths too), so a root
        # reached through a symlinked folder holds its files, and ``..`` climbs nowhere.
        if not any(_under(real, root) for root in self.roots):
            return (
                f"{path!r} is outside every file root ({', '.join(self.roots)}); "
                "add its folder with --file-root"
            )
        return None


@dataclass(frozen=True, slots=True)
class LogRoots:
    """The roots of one log: every file opened for it is checked against these."""

    roots: tuple[str, ...]

    def open(self, path: str) -> int:
        """Open ``path`` for reading and check it: a descriptor, or ``FileRefused``.

        ``OSError`` from the open itself (not there, not permitted) passes through.
        """
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
        try:
            self.check_descriptor(fd)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def check_descriptor(self, fd: int) -> None:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused("not_a_file", "is not a regular file")
        try:
            real = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            raise FileRefused("outside_root", "cannot be checked against the file roots") from None
        if real.endswith(" (deleted)"):
            # Unlinked since it was opened: its folder is still where it was.
            real = real[: -len(" (deleted)")]
        if not real.startswith("/") or forbidden(real):
            raise FileRefused("outside_root", "leads outside the allowed file roots")
        if not any(_under(real, root) for root in self.roots):
            raise FileRefused("outside_root", "leads outside the allowed file roots")

    def contains(self, path: str) -> bool:
        """Whether ``path`` (real, absolute) lies under these roots."""
        return not forbidden(path) and any(_under(path, root) for root in self.roots)
