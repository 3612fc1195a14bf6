"""What the kernel says about the servers under test: CPU time, memory, open files.

Read straight from ``/proc`` so that the figures mean exactly what the kernel
counts, and so that polling is cheap enough to time a file being released to
within tens of microseconds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, in seconds (0 if it has gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # The command name may hold spaces and parentheses: fields start after the last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND


def _status_kib(pid: int, file: str, key: str) -> int:
    try:
        text = Path(f"/proc/{pid}/{file}").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    for row in text.splitlines():
        if row.startswith(key):
            return int(row.split()[1])
    return 0


def rss_bytes(pid: int) -> int:
    """VmRSS: resident memory, shared pages included."""
    return _status_kib(pid, "status", "VmRSS:") * 1024


def pss_bytes(pid: int) -> int:
    """Pss: resident memory with shared pages split among the processes sharing them."""
    return _status_kib(pid, "smaps_rollup", "Pss:") * 1024


def children(pid: int) -> list[int]:
    """Direct children of ``pid``, found by scanning every process's parent."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and its children (one level: the servers under test fork no deeper)."""
    return [pid, *children(pid)]


def holds(pid: int, path: str) -> bool:
    """Whether ``pid`` has ``path`` open (false once the process is gone)."""
    fd_dir = f"/proc/{pid}/fd"
    try:
        names = os.listdir(fd_dir)
    except (FileNotFoundError, ProcessLookupError):
        return False
    for name in names:
        try:
            if os.readlink(f"{fd_dir}/{name}") == path:
                return True
        except (FileNotFoundError, ProcessLookupError):
            continue
    return False


def open_paths(pid: int) -> set[str]:
    """Everything ``pid`` has open, as the kernel names it."""
    fd_dir = f"/proc/{pid}/fd"
    found: set[str] = set()
    try:
        names = os.listdir(fd_dir)
    except (FileNotFoundError, ProcessLookupError):
        return found
    for name in names:
        try:
            found.add(os.readlink(f"{fd_dir}/{name}"))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def holders(pids: Iterable[int], path: str) -> list[int]:
    """Those of ``pids`` that have ``path`` open."""
    return [pid for pid in pids if holds(pid, path)]


def total_cpu_seconds(pids: Iterable[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


def total_rss_bytes(pids: Iterable[int]) -> int:
    return sum(rss_bytes(pid) for pid in pids)


def total_pss_bytes(pids: Iterable[int]) -> int:
    return sum(pss_bytes(pid) for pid in pids)
