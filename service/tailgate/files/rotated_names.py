"""Which names in a log's folder are rotated copies of that log: pure, no I/O.

A resume cursor may point into a file that has been rotated away since; the tail then
looks for it among the log's rotated copies. Only the names that rotation tools give
count, never any file that merely shares the log's name as a prefix
(``app.log-audit`` is another log, not a rotated ``app.log``). Compressed copies are
left out: their bytes are not the lines a cursor counted.

Names recognised, for a log named ``NAME``:

- ``NAME.1``, ``NAME.2`` ...: logrotate's default, Python's ``RotatingFileHandler``
- ``NAME-20261201``, ``NAME-2026120113``, ``NAME-20261201-1764590000``: logrotate's
  ``dateext`` with its usual ``dateformat`` choices
- ``NAME.20261201-210405``: the kubelet's rotated container logs
- ``NAME.2026-12-01``, ``NAME.2026-12-01_21``, ``NAME.2026-12-01_21-04``,
  ``NAME.2026-12-01_21-04-05``: Python's ``TimedRotatingFileHandler``
"""

from __future__ import annotations

import re

_SUFFIX = re.compile(
    r"\.\d{1,6}"
    r"|-\d{8}(?:\d{2})?(?:-\d{1,12})?"
    r"|\.\d{8}-\d{6}"
    r"|\.\d{4}-\d{2}-\d{2}(?:_\d{2}(?:-\d{2}(?:-\d{2})?)?)?",
    re.ASCII,
)


def is_rotated_copy(entry: str, name: str) -> bool:
    """Whether the folder entry ``entry`` is a rotated copy of the log file ``name``."""
    if len(entry) <= len(name) or not entry.startswith(name):
        return False
    return _SUFFIX.fullmatch(entry, len(name)) is not None
