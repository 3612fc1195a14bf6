"""Which filesystem a path lives on, to know when inotify cannot see changes.

inotify reports only changes made through this machine's kernel. On network and
FUSE filesystems another machine may write the file, so "auto" following polls there.
"""

from __future__ import annotations

import os

#: Filesystem types on which changes can come from elsewhere.
REMOTE_TYPES = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "9p", "glusterfs", "lustre", "afs", "gpfs"}
)


def mount_type(path: str, mountinfo: str | None = None) -> str | None:
    """The filesystem type of the mount holding ``path``, from /proc/self/mountinfo."""
    if mountinfo is None:
        try:
            with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
                mountinfo = f.read()
        except OSError:
            return None
    best_point, best_type = "", None
    target = os.path.abspath(path)
    for line in mountinfo.splitlines():
        fields = line.split(" ")
        try:
            point = _unescape(fields[4])
            fstype = fields[fields.index("-", 6) + 1]
        except (IndexError, ValueError):
            continue
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best_point):
            best_point, best_type = point, fstype
    return best_type


def is_remote(fstype: str | None) -> bool:
    return fstype is not None and (fstype in REMOTE_TYPES or fstype.startswith("fuse"))


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field
